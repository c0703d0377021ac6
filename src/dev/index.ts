import type { FastifyInstance } from "fastify";
import type { AuthService } from "../auth/types.js";
import { parseAssistantDefaults } from "../config/assistant-defaults.js";
import { applyEnv, loadConfig, type LoadedConfig } from "../config/index.js";
import { resolveMountPrefix } from "../config/mount-prefix.js";
import { ConfigError } from "../errors.js";
import { graphSchemas, graphToJson, listSubgraphs, subgraphAt } from "../graphs/introspect.js";
import { createStaticSchemaService, defaultCacheDir, SchemaCache, type StaticSchemaService } from "../graphs/static-schema/index.js";
import type { LoadedGraph } from "../graphs/types.js";
import { createModuleLoader } from "../graphs/loader.js";
import { GraphRegistry } from "../graphs/registry.js";
import { createLogger, type Logger, type LogLevel } from "../logger.js";
import { registerSdkLogger } from "../sdk-logger.js";
import { flushStoresOnDemand } from "../runs/store-flush-on-demand.js";
import { resolveWebhookConfig } from "../runs/webhook-config.js";
import { buildApp, type AppDeps, type Introspect } from "../server/app.js";
import { loadCustomApp } from "../server/custom-routes.js";
import { resolveAllowedHosts, type AllowedHosts } from "../server/host-check.js";
import type { Ref } from "../services/context.js";
import { buildServices, type Services } from "../services/index.js";
import type { StorageBackend } from "../storage/backend.js";
import { openBackend } from "./storage.js";
import { resolveCheckpointerTtl, resolveStoreTtl } from "../services/ttl.js";
import { loadSemanticIndex } from "../graphs/embeddings.js";
import { UiBundles, uiSettingsOf } from "../ui/bundles.js";
import { packageInfo, resolvedVersion } from "../version.js";
import { closeDebugger, openDebugger, type DebuggerOptions } from "./debugger.js";
import { bindInProcessClient } from "./in-process-client.js";
import { readTlsFiles, type TlsFiles } from "./tls.js";
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
  /** Keep data in `.langgraph_api/` beside langgraph.json (false: memory only). */
  persist?: boolean;
  /** Also fsync the journal (grouped), for power-loss durability. */
  fsync?: boolean;
  /** Working directory that relative paths start from. */
  cwd?: string;
  /** Serve the local Studio at /studio (default true; `http.disable_studio` also turns it off). */
  studio?: boolean;
  /**
   * On close, how long running runs get to finish before they are ended as errors (default 0; the CLI's
   * `--shutdown-grace` defaults to 10 s). Pending runs stay pending either way.
   */
  shutdownGraceMs?: number;
  /** `--allow-blocking`: do not warn about graph code that blocks the event loop. */
  allowBlocking?: boolean;
  /** `--allowed-host`: hosts served besides the loopback names when listening on loopback (`true`: any). */
  allowedHosts?: AllowedHosts;
  /** `--postgres` / POSTGRES_URI (lg-dev serve): the PostgreSQL database to use. */
  postgres?: string;
  /** `--server-log-level`: the HTTP server's own log (a line per request at `info`); default `warn`. */
  serverLogLevel?: LogLevel;
  /** `--ssl-certfile` / `--ssl-keyfile`: serve HTTPS. */
  tls?: TlsFiles;
  /** `--debug-port` / `--wait-for-client`: open the Node inspector (and wait for a debugger) before loading graphs. */
  debug?: DebuggerOptions;
}

/** A running dev server. */
export interface DevServer {
  url: string;
  /** The local Studio's URL, or undefined when it is turned off. */
  studioUrl?: string;
  /** The inspector's WebSocket URL, with `--debug-port`. */
  debuggerUrl?: string;
  app: FastifyInstance;
  services: Services;
  /** The storage backend the services run on (tools and benchmarks look inside it). */
  backend: StorageBackend;
  config: LoadedConfig;
  close(): Promise<void>;
}

const NO_AUTH: AuthService = { enabled: false, authenticate: async () => undefined, authorize: async () => undefined };

/** Defaults for system assistants from LANGGRAPH_CONFIG (JSON keyed by graph id), as the official servers read it. */
function assistantDefaults(logger: Logger): Record<string, { config?: Record<string, unknown>; context?: Record<string, unknown> }> {
  const { defaults, warnings } = parseAssistantDefaults(process.env.LANGGRAPH_CONFIG);
  for (const w of warnings) logger.warn(w);
  return defaults;
}

/** The origin of a URL, or undefined when it is not one. */
function safeOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * Schemas from the graphs' TypeScript types, unless `LG_DEV_STATIC_SCHEMAS=0` (then /schemas answers what the
 * graphs tell at run time). `LANGGRAPH_SCHEMA_RESOLVE_TIMEOUT_MS` bounds one extraction, as in the official server.
 */
function startStaticSchemas(projectDir: string, logger: Logger): StaticSchemaService | undefined {
  if (process.env.LG_DEV_STATIC_SCHEMAS === "0") return undefined;
  const timeoutMs = Number.parseInt(process.env.LANGGRAPH_SCHEMA_RESOLVE_TIMEOUT_MS ?? "", 10);
  return createStaticSchemaService({
    logger,
    cache: new SchemaCache(defaultCacheDir(projectDir), packageInfo().version),
    timeoutMs: timeoutMs > 0 ? timeoutMs : undefined,
  });
}

function staticTargets(graphs: ReadonlyMap<string, LoadedGraph>) {
  return [...graphs.values()].map((g) => ({ graphId: g.graphId, file: g.file, exportName: g.exportName }));
}

/** config -> env -> storage -> graphs -> auth -> app -> listen. Throws ConfigError for user mistakes. */
export async function startDev(opts: DevOptions, logger: Logger = createLogger(opts.logLevel)): Promise<DevServer> {
  const started = performance.now();
  const loaded = await loadConfig(opts.config, opts.cwd);
  for (const w of loaded.warnings) logger.warn(w);
  applyEnv(loaded);

  const backend = await openBackend({ configDir: loaded.configDir, persist: opts.persist, fsync: opts.fsync, postgres: opts.postgres, logger });
  // getLogger() from @langchain/langgraph-sdk/logging may run at a graph module's top level: register it before
  // any project module is imported.
  const unregisterSdkLogger = registerSdkLogger(logger);
  const staticSchemas = startStaticSchemas(loaded.configDir, logger);
  try {
    return await startWithStorage(opts, logger, loaded, backend, started, unregisterSdkLogger, staticSchemas);
  } catch (err) {
    unregisterSdkLogger();
    staticSchemas?.close();
    // Release the lock (and flush) so a corrected retry can open the same data.
    await backend.close().catch(() => undefined);
    throw err;
  }
}

async function startWithStorage(
  opts: DevOptions,
  logger: Logger,
  loaded: LoadedConfig,
  backend: StorageBackend,
  started: number,
  unregisterSdkLogger: () => void,
  staticSchemas: StaticSchemaService | undefined,
): Promise<DevServer> {
  const authRef: Ref<AuthService> = { current: NO_AUTH };
  const registry = new GraphRegistry(new Map());
  const http = loaded.config.http ?? {};
  // LANGGRAPH_MOUNT_PREFIX wins over http.mount_prefix, as in Python's `langgraph dev`.
  const mount = resolveMountPrefix(http.mount_prefix);
  if (mount.problem) throw new ConfigError(mount.problem);
  const mountPrefix = mount.prefix;
  const services = buildServices({
    backend,
    auth: authRef,
    graphs: registry,
    logger,
    concurrency: opts.jobsPerWorker,
    // Header templates read the environment langgraph.json's `env` was applied to; a change needs a restart.
    webhooks: { enabled: http.disable_webhooks !== true, config: resolveWebhookConfig(loaded.config.webhooks) },
    allowBlocking: opts.allowBlocking,
    ttl: { checkpointer: resolveCheckpointerTtl(loaded.config.checkpointer), store: resolveStoreTtl(loaded.config.store) },
  });

  const ui = http.disable_ui ? undefined : new UiBundles({ projectDir: loaded.configDir, logger });

  // Graphs + auth are loaded (and on hot reload rebuilt, then swapped into registry/authRef) by the reloader;
  // each served version has its schemas read from its types in the background.
  const https = opts.tls ? await readTlsFiles(opts.tls, opts.cwd) : undefined;
  // The debugger comes first: with --wait-for-client, no project module runs before it is attached.
  const debuggerUrl = opts.debug ? openDebugger(opts.debug, (line) => process.stderr.write(`${line}\n`)) : undefined;
  const loader = createModuleLoader({ projectDir: loaded.configDir });
  const reloader = createReloader({
    loaded,
    loader,
    registry,
    authRef,
    checkpointer: services.checkpointer,
    store: services.graphStore,
    ensureSystemAssistants: (ids) => services.assistants.ensureSystemAssistants(ids, assistantDefaults(logger)),
    ui,
    onGraphsServed: (graphs) => staticSchemas?.update(staticTargets(graphs)),
    logger,
  });
  await reloader.load();
  // store.index's embedding function is project code too, imported at the served generation; changing it needs a
  // restart (items already stored keep the vectors they were put with).
  services.store.setIndex(
    await loadSemanticIndex(loaded.config.store, {
      configDir: loaded.configDir,
      importModule: (file) => loader.importModule(file, registry.generation),
      importPackage: (specifier) => loader.importPackage(specifier),
    }),
  );
  await flushStoresOnDemand({ importProjectPackage: (specifier) => loader.importPackage(specifier), logger });
  const recovered = await services.executor.recover();
  if (recovered.requeued + recovered.failed > 0) {
    logger.info(`after restart: ${recovered.requeued} pending runs queued again, ${recovered.failed} interrupted runs marked as errors`);
  }
  // http.app is imported at the served generation, so it shares project modules with the graphs.
  const customApp = http.app
    ? await loadCustomApp(http.app, { configDir: loaded.configDir, importModule: (file) => loader.importModule(file, registry.generation) })
    : undefined;

  const studioOn = opts.studio !== false && http.disable_studio !== true;
  const introspect: Introspect = {
    graphToJson,
    subgraphAt,
    graphSchemas: (graph, graphId) => graphSchemas(graph, graphId, staticSchemas && (async () => (await staticSchemas.get(graphId))?.root)),
    listSubgraphs: (graph, o) => listSubgraphs(graph, { ...o, fromTypes: staticSchemas && o.graphId !== undefined ? () => staticSchemas.get(o.graphId!) : undefined }),
  };
  const app = await buildApp({
    services,
    auth: authRef,
    introspect,
    logger,
    info: {
      version: packageInfo().version,
      langgraphVersion: resolvedVersion("@langchain/langgraph", loaded.configDir) ?? "unknown",
      crons: !http.disable_runs,
    },
    cors: loaded.config.http?.cors,
    studioOrigin: safeOrigin(opts.studioUrl),
    openapiAuth: loaded.config.auth?.openapi as AppDeps["openapiAuth"],
    ui,
    allowedHosts: resolveAllowedHosts(opts.host, opts.allowedHosts, http.allowed_hosts),
    http: {
      app: customApp,
      customRouteAuth: http.enable_custom_route_auth !== false,
      disable_assistants: http.disable_assistants,
      disable_threads: http.disable_threads,
      disable_runs: http.disable_runs,
      disable_store: http.disable_store,
      disable_meta: http.disable_meta,
      disable_ui: http.disable_ui,
      configurable_headers: http.configurable_headers,
      logging_headers: http.logging_headers,
      mount_prefix: mountPrefix,
    },
    studio: studioOn ? {} : false,
    https,
    serverLogger: createLogger(opts.serverLogLevel ?? "warn"),
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
  // The API's URL, as the banner, the Studio link and in-process SDK clients use it: under the mount prefix.
  const url = `${https ? "https" : "http"}://${hostForUrl}:${port}${mountPrefix}`;
  logger.debug(`ready in ${Math.round(performance.now() - started)} ms`);
  // Generative UI bundles build in the background: a request for one waits for its build, start-up does not.
  void ui?.configure(uiSettingsOf(loaded.config));
  const unbindClient = bindInProcessClient(url);
  // Every run's metadata names the LangGraph version and the server's URL, as the official dev server's do.
  services.executor.setRunMetadata({ langgraph_version: resolvedVersion("@langchain/langgraph", loaded.configDir) ?? "0.0.0", langgraph_api_url: url });
  services.cronScheduler.start();
  services.ttlSweeper.start();
  // The initial scan runs in the background: the ready banner does not wait for it. Files saved since start-up
  // began (when langgraph.json, env and code were read) and before the scan is done reload once it is.
  const watcher = opts.reload ? startHotReload(reloader, logger, undefined, performance.timeOrigin + started) : undefined;

  let closing: Promise<void> | undefined;
  return {
    url,
    studioUrl: studioOn ? `${url}/studio/` : undefined,
    debuggerUrl,
    app,
    services,
    backend,
    config: loaded,
    close() {
      closing ??= (async () => {
        await watcher?.close();
        staticSchemas?.close();
        // The API keeps serving while runs finish: clients waiting on them get their answers.
        const grace = opts.shutdownGraceMs ?? 0;
        const running = services.executor.runningCount;
        if (running > 0 && grace > 0) logger.info(`waiting up to ${grace / 1000} s for ${running} running run${running === 1 ? "" : "s"} to finish`);
        const tooLong = new Promise<undefined>((r) => {
          setTimeout(() => r(undefined), grace + 1000).unref();
        });
        const stopped = await Promise.race([services.stop(grace), tooLong]);
        if (stopped && stopped.ended > 0) logger.warn(`${stopped.ended} run${stopped.ended === 1 ? "" : "s"} did not finish in time and ended as errors`);
        if (stopped && stopped.requeued > 0) {
          logger.warn(`${stopped.requeued} run${stopped.requeued === 1 ? "" : "s"} did not finish in time and went back to the queue (resumed from the last checkpoint by another process, or by this one after a restart)`);
        }
        await app.close();
        await ui?.close();
        unbindClient();
        unregisterSdkLogger();
        if (debuggerUrl) closeDebugger();
        await backend.close();
      })();
      return closing;
    },
  };
}

export { ConfigError };
