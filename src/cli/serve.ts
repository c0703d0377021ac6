import { Command, InvalidArgumentError, Option } from "commander";
import type { DevOptions } from "../dev/index.js";
import { createLogger, LOG_LEVELS, type LogFormat, type LogLevel } from "../logger.js";
import { packageInfo } from "../version.js";
import { handleShutdownSignals, launch } from "./lifecycle.js";
import { collectHosts, parsePort, parsePositive, parseSeconds } from "./parse.js";

/** The port the LangGraph platform's API image listens on: serve uses it when neither --port nor PORT says. */
const DEFAULT_PORT = 8000;

/** An environment variable read as a flag would be, with an error that names the variable. */
function fromEnv<T>(name: string, parse: (v: string) => T): T | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  try {
    return parse(raw.trim());
  } catch (err) {
    throw new InvalidArgumentError(`${name}=${raw}: ${(err as Error).message}`);
  }
}

/**
 * `lg-dev serve`: the production command. The same server as `lg-dev` without file watching or a browser, with
 * JSON logs, the address from --host/--port or PORT (0.0.0.0:8000 by default, as in a container), and --postgres
 * or POSTGRES_URI. `argv` is what follows `serve`.
 */
export async function serveMain(argv: string[]): Promise<void> {
  const program = new Command()
    .name("lg-dev serve")
    .description("Serve a langgraph.json project in production: no file watching, no browser, JSON logs, graceful SIGTERM.")
    .option("-c, --config <path>", "langgraph.json, or the directory that holds it", "langgraph.json")
    .option("-p, --port <port>", `port to listen on (default: $PORT, else ${DEFAULT_PORT})`, parsePort)
    .option("--host <host>", "interface to bind", "0.0.0.0")
    .option("--postgres <url>", "PostgreSQL URL (default: $POSTGRES_URI)")
    .option("--allowed-host <host>", "serve this Host besides localhost when listening on loopback (repeatable; .example.com for subdomains; all: any)", collectHosts)
    .option("--no-persist", "keep data in memory only: nothing is read from or written to .langgraph_api/")
    .option("--no-fsync", "do not fsync the journal (acknowledged data then survives a crash, not a power loss)")
    .option("--n-jobs-per-worker <n>", "runs executed at once (default: $N_JOBS_PER_WORKER, else 10)", parsePositive)
    .option("--no-studio", "do not serve the local Studio at /studio")
    .option("--allow-blocking", "do not warn when graph code blocks the event loop", false)
    .option("--shutdown-grace <seconds>", "on SIGTERM/SIGINT, how long running runs get to finish before they end as errors", parseSeconds, 10)
    .addOption(new Option("--log-level <level>", "log verbosity (default: $LOG_LEVEL, else info)").choices([...LOG_LEVELS]))
    .addOption(new Option("--log-format <format>", "json: one JSON object per line; text: for a terminal").choices(["json", "text"]).default("json"))
    .showHelpAfterError();
  program.parse(argv, { from: "user" });
  const o = program.opts<{
    config: string;
    port?: number;
    host: string;
    postgres?: string;
    allowedHost?: string[];
    persist: boolean;
    fsync: boolean;
    nJobsPerWorker?: number;
    studio: boolean;
    allowBlocking: boolean;
    shutdownGrace: number;
    logLevel?: LogLevel;
    logFormat: LogFormat;
  }>();

  const envLevel = process.env.LOG_LEVEL?.trim().toLowerCase();
  const level = o.logLevel ?? ((LOG_LEVELS as readonly string[]).includes(envLevel ?? "") ? (envLevel as LogLevel) : "info");
  const logger = createLogger(level, undefined, o.logFormat);
  let options: DevOptions;
  try {
    const postgres = o.postgres ?? process.env.POSTGRES_URI?.trim();
    options = {
      config: o.config,
      port: o.port ?? fromEnv("PORT", parsePort) ?? DEFAULT_PORT,
      host: o.host,
      ...(o.allowedHost ? { allowedHosts: o.allowedHost.includes("all") ? (true as const) : o.allowedHost } : {}),
      browser: false,
      reload: false,
      persist: o.persist,
      fsync: o.fsync,
      jobsPerWorker: o.nJobsPerWorker ?? fromEnv("N_JOBS_PER_WORKER", parsePositive) ?? 10,
      studio: o.studio,
      shutdownGraceMs: Math.round(o.shutdownGrace * 1000),
      allowBlocking: o.allowBlocking,
      studioUrl: "https://smith.langchain.com",
      logLevel: level,
      ...(postgres ? { postgres } : {}),
    };
  } catch (err) {
    logger.error(`lg-dev serve: ${(err as Error).message}`);
    process.exit(1);
  }

  const t0 = performance.now();
  const server = await launch(options, logger, (message) => logger.error(message));
  handleShutdownSignals(server, logger, options.shutdownGraceMs ?? 0);
  logger.info("lg-dev ready", {
    url: server.url,
    host: options.host,
    port: Number(new URL(server.url).port),
    version: packageInfo().version,
    ready_ms: Math.round(performance.now() - t0),
    storage: options.postgres ? "postgres" : options.persist ? "embedded (.langgraph_api/)" : "memory",
    ...(server.studioUrl ? { studio: server.studioUrl } : {}),
  });
}
