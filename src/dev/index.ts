import type { FastifyInstance } from "fastify";
import type { AuthService } from "../auth/types.js";
import { applyEnv, loadConfig, type LoadedConfig } from "../config/index.js";
import { ConfigError } from "../errors.js";
import { graphSchemas, graphToJson, listSubgraphs } from "../graphs/introspect.js";
import { createModuleLoader } from "../graphs/loader.js";
import { GraphRegistry } from "../graphs/registry.js";
import { createLogger, type Logger, type LogLevel } from "../logger.js";
import { buildApp, type Introspect } from "../server/app.js";
import type { Ref } from "../services/context.js";
import { buildServices, type Services } from "../services/index.js";
import { Storage } from "../storage/storage.js";
import { packageInfo, resolvedVersion } from "../version.js";
import { createReloader, startHotReload } from "./reload.js";

/** Options of `lg-dev` (the CLI maps its flags onto these). */
export interface DevOptions {
  /** langgraph.json, or the directory holding it. */
  config: string;
  port: number;
  host: string;
  /** Open the Studio in a browser when ready. */
  browser: boolean;
  /** Watch files and hot-reload. */
  reload: boolean;
  /** Runs executed at once. */
  jobsPerWorker: number;
  studioUrl: string;
  logLevel: LogLevel;
  /** Working directory that relative paths start from. */
  cwd?: string;
}

/** A running dev server. */
export interface DevServer {
  url: string;
  app: FastifyInstance;
  services: Services;
  config: LoadedConfig;
  close(): Promise<void>;
}

const NO_AUTH: AuthService = { enabled: false, authenticate: async () => undefined, authorize: async () => undefined };

/** Defaults for system assistants from LANGGRAPH_CONFIG (JSON keyed by graph id), as the official servers read it. */
function assistantDefaults(logger: Logger): Record<string, { config?: Record<string, unknown>; context?: Record<string, unknown> }> {
  const raw = process.env.LANGGRAPH_CONFIG;
  if (!raw) return {};
  try {
    return JSON.parse(raw) as Record<string, { config?: Record<string, unknown>; context?: Record<string, unknown> }>;
  } catch (err) {
    logger.warn(`LANGGRAPH_CONFIG is not valid JSON and is ignored: ${(err as Error).message}`);
    return {};
  }
}

/** The origin of a URL, or undefined when it is not one. */
function safeOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** config -> env -> storage -> graphs -> auth -> app -> listen. Throws ConfigError for user mistakes. */
export async function startDev(opts: DevOptions, logger: Logger = createLogger(opts.logLevel)): Promise<DevServer> {
  const started = performance.now();
  const loaded = await loadConfig(opts.config, opts.cwd);
  for (const w of loaded.warnings) logger.warn(w);
  applyEnv(loaded);

  const storage = new Storage();
  const authRef: Ref<AuthService> = { current: NO_AUTH };
  const registry = new GraphRegistry(new Map());
  const services = buildServices({ storage, auth: authRef, graphs: registry, logger, concurrency: opts.jobsPerWorker });

  // Graphs + auth are loaded (and on hot reload rebuilt, then swapped into registry/authRef) by the reloader.
  const reloader = createReloader({
    loaded,
    loader: createModuleLoader({ projectDir: loaded.configDir }),
    registry,
    authRef,
    checkpointer: services.checkpointer,
    store: services.graphStore,
    ensureSystemAssistants: (ids) => services.assistants.ensureSystemAssistants(ids, assistantDefaults(logger)),
    logger,
  });
  await reloader.load();

  const introspect: Introspect = { graphToJson, graphSchemas, listSubgraphs } as unknown as Introspect;
  const app = await buildApp({
    services,
    auth: authRef,
    introspect,
    logger,
    info: {
      version: packageInfo().version,
      langgraphVersion: resolvedVersion("@langchain/langgraph", loaded.configDir) ?? "unknown",
      crons: false,
    },
    cors: loaded.config.http?.cors as never,
    studioOrigin: safeOrigin(opts.studioUrl),
  });

  try {
    await app.listen({ port: opts.port, host: opts.host });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new ConfigError(`Port ${opts.port} on ${opts.host} is already in use: pass --port <n> (or --port 0 for a free one).`);
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") throw new ConfigError(`Cannot listen on host "${opts.host}": ${(err as Error).message}`);
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : opts.port;
  const hostForUrl = opts.host === "0.0.0.0" || opts.host === "::" ? "127.0.0.1" : opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  const url = `http://${hostForUrl}:${port}`;
  logger.debug(`ready in ${Math.round(performance.now() - started)} ms`);
  // The initial scan runs in the background: the ready banner does not wait for it.
  const watcher = opts.reload ? startHotReload(reloader, logger) : undefined;

  let closing: Promise<void> | undefined;
  return {
    url,
    app,
    services,
    config: loaded,
    close() {
      closing ??= (async () => {
        await watcher?.close();
        await Promise.race([services.stop(), new Promise((r) => setTimeout(r, 1000).unref())]);
        await app.close();
      })();
      return closing;
    },
  };
}

export { ConfigError };
