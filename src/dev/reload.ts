/**
 * Hot reload: build the next version of the user's code (graphs + auth, from a fresh read of langgraph.json and
 * its env) beside the one being served, and swap it in only once all of it loaded. The HTTP listener and the
 * stored data are never touched; a run that already resolved its graph keeps the old one (GraphRegistry).
 */
import { statSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { loadAuth } from "../auth/index.js";
import type { AuthService } from "../auth/types.js";
import { applyEnv, loadConfig, loadEnvValues, type LoadedConfig } from "../config/index.js";
import { ConfigError } from "../errors.js";
import { errorLocation, listNames } from "../graphs/describe.js";
import { loadGraphs, type ModuleLoader } from "../graphs/index.js";
import { splitExportRef } from "../graphs/ref.js";
import type { GraphRegistry } from "../graphs/registry.js";
import { locateJsSyntaxError } from "../graphs/syntax-check.js";
import type { LoadedGraph } from "../graphs/types.js";
import type { Logger } from "../logger.js";
import type { Ref } from "../services/context.js";
import { uiSettingsOf, type UiBundles } from "../ui/bundles.js";
import { watchProject, type ProjectWatcher, type WatchTargets } from "./watch.js";

/** Options for {@link createReloader}. */
export interface ReloaderOptions {
  /** The config read at start-up, already applied to process.env. */
  loaded: LoadedConfig;
  loader: ModuleLoader;
  registry: GraphRegistry;
  authRef: Ref<AuthService>;
  /** Attached to every graph (the server's, shared by all versions). */
  checkpointer: unknown;
  store: unknown;
  /** Create the system assistants of graph ids not seen before. */
  ensureSystemAssistants(graphIds: string[]): Promise<void>;
  /** Generative UI bundles: rebuilt when a file they read changes, reconfigured with langgraph.json. */
  ui?: UiBundles;
  /** Told each time a new version of the graphs is served (start-up and every successful reload). */
  onGraphsServed?(graphs: ReadonlyMap<string, LoadedGraph>): void;
  logger: Logger;
}

/** What one reload did. */
export type ReloadOutcome = { ok: true; ms: number } | { ok: false; ms: number; error: string };

/** Loads the user's code at start-up and again after changes. */
export interface Reloader {
  /** The langgraph.json being served. */
  readonly config: LoadedConfig;
  /** The first load; throws ConfigError (start-up stops on it). */
  load(): Promise<void>;
  /** Rebuild after `changed` (absolute paths) and swap on success; logs one line, never throws. One at a time. */
  reload(changed: string[]): Promise<ReloadOutcome>;
  /** Folders and files whose changes matter, per the newest langgraph.json that could be read. */
  watchTargets(): WatchTargets;
}

/** One complete version of the user's code. */
interface Version {
  graphs: Map<string, LoadedGraph>;
  auth: AuthService;
}

export function createReloader(o: ReloaderOptions): Reloader {
  let served = o.loaded;
  // The newest config that parsed, even if its graphs failed: its folders are watched so a fix is seen.
  let newest = o.loaded;
  let servedEnv = safeEnvValues(o.loaded);
  let authWarnings = new Set<string>();
  let queue: Promise<unknown> = Promise.resolve();

  async function build(loaded: LoadedConfig): Promise<{ version: Version; generation: number }> {
    // Never reuse a generation: Node caches a failed import by URL, so a retry must use a new one.
    const generation = o.registry.nextGeneration();
    const importModule = (file: string) => o.loader.importModule(file, generation);
    const [graphs, auth] = await Promise.allSettled([
      loadGraphs(loaded.graphs, { configDir: loaded.configDir, loader: o.loader, generation, checkpointer: o.checkpointer, store: o.store }),
      loadAuth({ authConfig: loaded.config.auth, configDir: loaded.configDir, importModule }),
    ]);
    const failures: string[] = [];
    if (graphs.status === "rejected") failures.push(messageOf(graphs.reason));
    if (auth.status === "rejected") failures.push(await describeAuthFailure(auth.reason));
    if (graphs.status === "rejected" || auth.status === "rejected") throw new ConfigError(failures.join("\n"));
    return { version: { graphs: graphs.value, auth: auth.value }, generation };
  }

  /**
   * The swap: synchronous, so no request sees half of it. Resolves once the new graphs' system assistants are
   * stored (the embedded backend stores them before any request of the next turn is read).
   */
  function serve(loaded: LoadedConfig, version: Version, generation: number): Promise<void> {
    o.registry.swap(version.graphs, generation);
    o.authRef.current = version.auth;
    const assistants = o.ensureSystemAssistants([...version.graphs.keys()]);
    o.onGraphsServed?.(version.graphs);
    served = loaded;
    const warnings = new Set(version.auth.warnings ?? []);
    for (const w of warnings) if (!authWarnings.has(w)) o.logger.warn(w);
    authWarnings = warnings;
    return assistants;
  }

  async function reloadNow(changed: string[]): Promise<ReloadOutcome> {
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    const previous = served;
    const files = describeFiles(changed, previous.configDir);
    // UI bundles rebuild beside the graphs (they log for themselves). Stylesheets and `ui` entry files matter to
    // them only: the graphs are left alone.
    const ui = o.ui?.rebuild(changed);
    if (ui && changed.every((file) => o.ui!.ownsOnly(file))) {
      const failed = (await ui).filter((r) => !r.ok);
      return failed.length ? { ok: false, ms: ms(), error: failed.map((r) => r.error).join("\n") } : { ok: true, ms: ms() };
    }
    try {
      return await reloadGraphs(changed, previous, files, started);
    } finally {
      await ui;
    }
  }

  async function reloadGraphs(changed: string[], previous: LoadedConfig, files: string, started: number): Promise<ReloadOutcome> {
    const ms = () => Math.round(performance.now() - started);
    try {
      // Read langgraph.json every time (under a millisecond): a config that failed to load last time is retried.
      const next = await loadConfig(previous.configPath);
      newest = next;
      const configChanged = changed.includes(next.configPath);
      if (configChanged) for (const w of next.warnings) if (!previous.warnings.includes(w)) o.logger.warn(w);
      // The UI follows langgraph.json whether or not the graphs load.
      if (configChanged) void o.ui?.configure(uiSettingsOf(next.config), { announce: true });
      // env first, so modules evaluated below see the new values.
      const envValues = loadEnvValues(next);
      applyEnv(next);
      const envChanged = changedKeys(servedEnv, envValues);
      servedEnv = envValues;
      // Only code changed: renew just those modules and their importers (each renewed module is memory kept for
      // good). langgraph.json or env changes may change what any module computes when evaluated: renew all.
      const settings = new Set(watchTargetsOf(previous).files.concat(watchTargetsOf(next).files));
      o.loader.invalidate(envChanged.length === 0 && !changed.some((file) => settings.has(file)) ? changed : "all");

      const { version, generation } = await build(next);
      await serve(next, version, generation);

      const notes = [...describeConfigChanges(previous, next), ...(envChanged.length ? [`env ${listNames(envChanged)} changed`] : [])];
      const what = [`graph${version.graphs.size === 1 ? "" : "s"} ${listNames([...version.graphs.keys()], 6)}`];
      if (version.auth.enabled) what.push("auth");
      o.logger.info(`reloaded ${what.join(", ")} (${[files, ...notes].join("; ")}) in ${ms()} ms`);
      const restart = restartNeeded(previous, next, changed);
      if (restart.length) o.logger.warn(`restart lg-dev to apply ${listNames(restart)} changes`);
      else if (typeof next.config.http?.app === "string") {
        // The custom app is mounted once: say so rather than leave a change silently unapplied to its routes.
        o.logger.info(`custom routes (http.app) keep the code they started with; restart lg-dev if this change is theirs`);
      }
      return { ok: true, ms: ms() };
    } catch (err) {
      const message = messageOf(err);
      o.logger.error(`reload failed (${files}) in ${ms()} ms; still serving the previous version:\n${indent(message)}`);
      return { ok: false, ms: ms(), error: message };
    }
  }

  return {
    get config() {
      return served;
    },
    async load() {
      const { version, generation } = await build(served);
      await serve(served, version, generation);
    },
    reload(changed) {
      const result = queue.then(() => reloadNow(changed));
      queue = result;
      return result;
    },
    watchTargets() {
      return watchTargetsOf(newest);
    },
  };
}

/**
 * Watch the project and reload on changes; the returned watcher's `close()` stops both. `loadedSince` (epoch ms):
 * when the served code was read (start-up began); files saved after it but before the watcher's initial scan was
 * done trigger one reload as soon as it is.
 */
export function startHotReload(reloader: Reloader, logger: Logger, debounceMs = 50, loadedSince?: number): ProjectWatcher {
  let targets = reloader.watchTargets();
  const watcher = watchProject({
    targets,
    debounceMs,
    changedSince: loadedSince,
    async onChange(paths) {
      const readFrom = Date.now();
      await reloader.reload(paths);
      const next = reloader.watchTargets();
      if (JSON.stringify(next) !== JSON.stringify(targets)) {
        targets = next;
        // Newly watched folders: edits there since this reload read the code are caught once they are watched.
        void watcher.setTargets(next, readFrom);
      }
    },
    onError: (err) => logger.warn(`file watcher: ${err.message}`),
  });
  void watcher.ready.then(() => logger.debug(`watching ${targets.dirs.map((d) => displayRelative(d, reloader.config.configDir)).join(", ")} for changes`));
  return watcher;
}

/** langgraph.json's folder, local `dependencies` folders, langgraph.json itself and the env file. */
export function watchTargetsOf(loaded: LoadedConfig): WatchTargets {
  const dirs = [loaded.configDir];
  for (const dep of loaded.config.dependencies ?? []) {
    if (!/^(\.|\/|[A-Za-z]:[\\/])/.test(dep)) continue; // a package name, not a folder
    const dir = resolve(loaded.configDir, dep);
    if (statSync(dir, { throwIfNoEntry: false })?.isDirectory()) dirs.push(dir);
  }
  const files = [loaded.configPath];
  if (typeof loaded.config.env === "string") files.push(resolve(loaded.configDir, loaded.config.env));
  return { dirs, files };
}

/** Human notes on what a langgraph.json edit changed (graph ids, auth). Pure. */
export function describeConfigChanges(before: LoadedConfig, after: LoadedConfig): string[] {
  const notes: string[] = [];
  const was = new Map(before.graphs.map((g) => [g.graphId, g.path]));
  const now = new Map(after.graphs.map((g) => [g.graphId, g.path]));
  const added = [...now.keys()].filter((id) => !was.has(id));
  const removed = [...was.keys()].filter((id) => !now.has(id));
  const moved = [...now.keys()].filter((id) => was.has(id) && was.get(id) !== now.get(id));
  if (added.length) notes.push(`added graph${added.length > 1 ? "s" : ""} ${listNames(added)}`);
  if (removed.length) notes.push(`removed graph${removed.length > 1 ? "s" : ""} ${listNames(removed)}`);
  if (moved.length) notes.push(`graph${moved.length > 1 ? "s" : ""} ${listNames(moved)} now from ${listNames(moved.map((id) => now.get(id)!))}`);
  if (JSON.stringify(before.config.auth ?? null) !== JSON.stringify(after.config.auth ?? null)) {
    notes.push(after.config.auth?.path ? `auth ${after.config.auth.path}` : "auth off");
  }
  return notes;
}

/** What changed that only a new listener (or process) can apply, e.g. `http.cors`. Pure. */
export function restartNeeded(before: LoadedConfig, after: LoadedConfig, changed: string[]): string[] {
  const out: string[] = [];
  const a: Record<string, unknown> = before.config.http ?? {};
  const b: Record<string, unknown> = after.config.http ?? {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) out.push(`http.${key}`);
  }
  // Webhook headers are resolved from the environment once, at start-up.
  if (JSON.stringify(before.config.webhooks ?? null) !== JSON.stringify(after.config.webhooks ?? null)) out.push("webhooks");
  // The custom app is mounted into the listener once.
  const app = typeof b.app === "string" ? resolve(after.configDir, splitExportRef(b.app).path) : undefined;
  if (app && changed.includes(app) && !out.includes("http.app")) out.push(displayRelative(app, after.configDir));
  // tsx reads tsconfig.json (paths, jsx) once per process.
  const tsconfig = resolve(after.configDir, "tsconfig.json");
  if (changed.includes(tsconfig)) out.push("tsconfig.json");
  return out;
}

/** `src/a.ts, src/b.ts, +3 more`, relative to the project. Pure. */
export function describeFiles(paths: string[], configDir: string): string {
  const shown = [...new Set(paths)].map((p) => displayRelative(p, configDir)).sort();
  if (shown.length <= 3) return shown.join(", ");
  return `${shown.slice(0, 3).join(", ")}, +${shown.length - 3} more`;
}

function displayRelative(path: string, base: string): string {
  const rel = relative(base, path);
  if (rel === "") return ".";
  return isAbsolute(rel) ? path : rel.split(sep).join("/");
}

function changedKeys(before: Record<string, string>, after: Record<string, string>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => before[k] !== after[k]).sort();
}

function safeEnvValues(loaded: LoadedConfig): Record<string, string> {
  try {
    return loadEnvValues(loaded);
  } catch {
    return {};
  }
}

/** An auth import failure with the place in the user's code, as graph failures already carry. */
async function describeAuthFailure(err: unknown): Promise<string> {
  const message = messageOf(err);
  const cause = err instanceof Error ? err.cause : undefined;
  let where = errorLocation(cause);
  if (!where && cause instanceof SyntaxError) {
    const file = /Failed to import auth module (.+?): /.exec(message)?.[1];
    if (file) where = await locateJsSyntaxError(file);
  }
  if (!where || message.includes(where.split("\n")[0]!)) return message;
  return `${message} (at ${where})`;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}
