import { inspect } from "node:util";
import type { Logger } from "./logger.js";

/**
 * `getLogger()` from `@langchain/langgraph-sdk/logging` returns whatever the server registered under this global
 * symbol, and throws when nothing is there. Graph code may call it at import time, so lg-dev registers before it
 * imports any project module (as the official server does).
 */
const GLOBAL_LOGGER = Symbol.for("langgraph.api.sdk-logger");
/** @langchain/core keeps its AsyncLocalStorage here (shared by every copy of core in the process). */
const ALS_KEY = Symbol.for("ls:tracing_async_local_storage");
/** ...and the RunnableConfig of the code running now under this key of the store's `extra`. */
const CHILD_CONFIG = Symbol.for("lc:child_config");

/** Where a log line came from: the run and node of the graph code that wrote it, when it ran inside one. */
export interface LogOrigin {
  graphId?: string;
  runId?: string;
  threadId?: string;
  node?: string;
}

type Global = typeof globalThis & { [GLOBAL_LOGGER]?: unknown; [ALS_KEY]?: { getStore?(): unknown } };
type Config = { configurable?: Record<string, unknown>; metadata?: Record<string, unknown> };

const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * The run and node of the code running now, read from @langchain/core's AsyncLocalStorage (what LangGraph's
 * `getConfig()` reads); empty outside a run. Read through the global symbols rather than an import, so it works
 * with whichever copy of @langchain/core the project's graphs use.
 */
export function currentLogOrigin(): LogOrigin {
  const store = (globalThis as Global)[ALS_KEY]?.getStore?.() as { extra?: Record<symbol, unknown> } | undefined;
  const config = store?.extra?.[CHILD_CONFIG] as Config | undefined;
  if (!config) return {};
  const c = config.configurable ?? {};
  const m = config.metadata ?? {};
  return {
    graphId: str(c.graph_id) ?? str(m.graph_id),
    runId: str(c.run_id) ?? str(m.run_id),
    threadId: str(c.thread_id) ?? str(m.thread_id),
    node: str(m.langgraph_node),
  };
}

/** "run <id> (graph <g>, node <n>): " for a line written inside a run, "" outside one. */
export function originPrefix(o: LogOrigin): string {
  const where = [o.graphId && `graph ${o.graphId}`, o.node && `node ${o.node}`].filter(Boolean).join(", ");
  if (!o.runId && !where) return "";
  return `${o.runId ? `run ${o.runId}` : "graph code"}${where ? ` (${where})` : ""}: `;
}

/** Winston's level names (the SDK's Logger type) mapped onto lg-dev's levels. */
const LEVELS = {
  error: "error",
  warn: "warn",
  info: "info",
  help: "info",
  data: "info",
  prompt: "info",
  http: "info",
  input: "info",
  debug: "debug",
  verbose: "debug",
  silly: "debug",
} as const;
type SdkLevel = keyof typeof LEVELS;

const levelOf = (l: unknown): SdkLevel => (typeof l === "string" && Object.hasOwn(LEVELS, l) ? (l as SdkLevel) : "info");

const show = (v: unknown) => (typeof v === "string" ? v : inspect(v, { depth: 6, breakLength: Infinity, compact: true }));

/**
 * The SDK-facing logger: winston's call shapes (`info("text", {meta})`, `info({message, ...meta})`,
 * `log("info", "text")`, `child({meta})`) written as one lg-dev log line each, tagged with the run and node.
 */
export function createSdkLogger(logger: Logger, defaults: Record<string, unknown> = {}): Record<string, unknown> {
  const write = (level: SdkLevel, message: unknown, meta: unknown[]) => {
    let text: string;
    const extra: Record<string, unknown> = { ...defaults };
    const rest: unknown[] = [];
    let error: Error | undefined;
    if (message instanceof Error) {
      text = message.message;
      error = message;
    } else if (message !== null && typeof message === "object") {
      const { message: m, ...fields } = message as Record<string, unknown>;
      text = m === undefined ? "" : show(m);
      Object.assign(extra, fields);
    } else {
      text = String(message);
    }
    for (const m of meta) {
      if (m instanceof Error) error ??= m;
      else if (m !== null && typeof m === "object" && !Array.isArray(m)) Object.assign(extra, m);
      else rest.push(m);
    }
    const line =
      originPrefix(currentLogOrigin()) +
      [text, ...rest.map(show), ...(Object.keys(extra).length > 0 ? [show(extra)] : [])].filter((s) => s !== "").join(" ");
    const target = LEVELS[level];
    if (target === "error") logger.error(line, error);
    else logger[target](error ? `${line}\n${error.stack ?? error.message}` : line);
  };
  const sdk: Record<string, unknown> = {};
  for (const level of Object.keys(LEVELS) as SdkLevel[]) {
    sdk[level] = (message: unknown, ...meta: unknown[]) => (write(level, message, meta), sdk);
  }
  sdk.log = (level: unknown, message: unknown, ...meta: unknown[]) => {
    // winston's log({level, message, ...}) form, and log("level", message, ...meta).
    if (level !== null && typeof level === "object") {
      const { level: l, ...info } = level as Record<string, unknown>;
      write(levelOf(l), info, []);
    } else write(levelOf(level), message, meta);
    return sdk;
  };
  sdk.child = (meta: Record<string, unknown>) => createSdkLogger(logger, { ...defaults, ...meta });
  return sdk;
}

/**
 * Make `getLogger()` work in graph code, writing through `logger`. Returns the undo (only undone while it is still
 * ours: another server in the same process may have registered since).
 */
export function registerSdkLogger(logger: Logger): () => void {
  const g = globalThis as Global;
  const previous = g[GLOBAL_LOGGER];
  const mine = createSdkLogger(logger);
  g[GLOBAL_LOGGER] = mine;
  return () => {
    if (g[GLOBAL_LOGGER] !== mine) return;
    if (previous === undefined) delete g[GLOBAL_LOGGER];
    else g[GLOBAL_LOGGER] = previous;
  };
}
