import { Command, InvalidArgumentError, Option } from "commander";
import { loadConfig } from "../config/load.js";
import type { DevOptions } from "../dev/index.js";
import { ConfigError } from "../errors.js";
import { createLogger, LOG_LEVELS, type LogLevel } from "../logger.js";
import { checkPeers, packageInfo } from "../version.js";

const parsePort = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("must be an integer from 0 to 65535");
  return n;
};
const parsePositive = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
};
/** `--allowed-host` may repeat and take comma lists; `all` turns the check off. */
const collectHosts = (v: string, previous: string[] = []) => [...previous, ...v.split(",").map((h) => h.trim()).filter(Boolean)];
const parseSeconds = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError("must be a number of seconds, 0 or more");
  return n;
};
/** A log level as lg-dev spells it, or as Python's logging does (`WARNING`, `CRITICAL`…), in any case. */
const parseLevel = (v: string): LogLevel => {
  const level = ({ warning: "warn", critical: "error", fatal: "error" } as Record<string, string>)[v.toLowerCase()] ?? v.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new InvalidArgumentError(`must be one of ${LOG_LEVELS.join(", ")} (or DEBUG, INFO, WARNING, ERROR, CRITICAL)`);
  return level as LogLevel;
};
const isLoopbackHost = (h: string) => h === "localhost" || h === "::1" || h.startsWith("127.");

/** `lg-dev`: flags -> DevOptions -> startDev; prints the banner, handles signals. */
export async function main(argv: string[] = process.argv): Promise<void> {
  const program = new Command()
    .name("lg-dev")
    .description("Serve a langgraph.json project over the LangGraph API, with hot reload.")
    .version(packageInfo().version, "-v, --version")
    .option("-c, --config <path>", "langgraph.json, or the directory that holds it", "langgraph.json")
    .option("-p, --port <port>", "port to listen on (0 picks a free one)", parsePort, 2024)
    .option("--host <host>", "interface to bind", "127.0.0.1")
    .option("--allowed-host <host>", "serve this Host besides localhost when listening on loopback (repeatable; .example.com for subdomains; all: any)", collectHosts)
    .option("--no-browser", "do not open the Studio in a browser")
    .option("--no-reload", "do not watch files for changes")
    .option("--no-persist", "keep data in memory only: nothing is read from or written to .langgraph_api/")
    .option("--fsync", "also fsync the journal (grouped), so acknowledged data survives a power loss", false)
    .option("--n-jobs-per-worker <n>", "runs executed at once", parsePositive, 10)
    .option("--no-studio", "do not serve the local Studio at /studio")
    .option("--studio-url <url>", "hosted LangGraph Studio base URL", "https://smith.langchain.com")
    .option("--allow-blocking", "do not warn when graph code blocks the event loop", false)
    .option("--shutdown-grace <seconds>", "on SIGTERM/SIGINT, how long running runs get to finish before they end as errors", parseSeconds, 10)
    .addOption(new Option("--log-level <level>", "log verbosity").choices([...LOG_LEVELS]).default("info"))
    .option("--server-log-level <level>", "the HTTP server's own log, a line per request at info (also DEBUG, INFO, WARNING, ERROR)", parseLevel, "warn" as LogLevel)
    .option("--debug-port <port>", "open the Node inspector on this port of 127.0.0.1 (VS Code, chrome://inspect)", parsePort)
    .option("--wait-for-client", "with --debug-port: wait for a debugger to attach before loading graphs", false)
    .option("--ssl-certfile <path>", "serve HTTPS with this certificate (PEM; with --ssl-keyfile)")
    .option("--ssl-keyfile <path>", "the private key of --ssl-certfile (PEM)")
    .showHelpAfterError();
  program.parse(argv);
  const o = program.opts<{
    config: string;
    port: number;
    host: string;
    allowedHost?: string[];
    browser: boolean;
    reload: boolean;
    persist: boolean;
    fsync: boolean;
    nJobsPerWorker: number;
    studio: boolean;
    shutdownGrace: number;
    allowBlocking: boolean;
    studioUrl: string;
    logLevel: LogLevel;
    serverLogLevel: LogLevel;
    debugPort?: number;
    waitForClient: boolean;
    sslCertfile?: string;
    sslKeyfile?: string;
  }>();
  if (o.waitForClient && o.debugPort === undefined) program.error("error: --wait-for-client needs --debug-port <port>");
  if ((o.sslCertfile === undefined) !== (o.sslKeyfile === undefined)) program.error("error: --ssl-certfile and --ssl-keyfile go together");

  const options: DevOptions = {
    config: o.config,
    port: o.port,
    host: o.host,
    ...(o.allowedHost ? { allowedHosts: o.allowedHost.includes("all") ? (true as const) : o.allowedHost } : {}),
    browser: o.browser && process.env.BROWSER !== "none",
    reload: o.reload,
    persist: o.persist,
    fsync: o.fsync,
    jobsPerWorker: o.nJobsPerWorker,
    studio: o.studio,
    shutdownGraceMs: Math.round(o.shutdownGrace * 1000),
    allowBlocking: o.allowBlocking,
    studioUrl: o.studioUrl.replace(/\/+$/, ""),
    logLevel: o.logLevel,
    serverLogLevel: o.serverLogLevel,
    ...(o.debugPort !== undefined ? { debug: { port: o.debugPort, waitForClient: o.waitForClient } } : {}),
    ...(o.sslCertfile && o.sslKeyfile ? { tls: { certFile: o.sslCertfile, keyFile: o.sslKeyfile } } : {}),
  };
  const logger = createLogger(options.logLevel);
  const t0 = performance.now();
  let server;
  try {
    // The project's LangGraph packages are checked before anything imports them (dev/ and what it loads do, and an
    // old copy fails there with a bare SyntaxError): so dev/ is imported only once they passed.
    const peers = checkPeers((await loadConfig(options.config)).configDir);
    if (peers.error) throw new ConfigError(peers.error);
    for (const warning of peers.warnings) logger.warn(warning);
    const { startDev } = await import("../dev/index.js");
    server = await startDev(options, logger);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`lg-dev: ${err.message}\n`);
      process.exit(1);
    }
    logger.error("lg-dev failed to start", err);
    process.exit(1);
  }

  // Handlers before the banner: whoever reads the banner may signal at once, and an unhandled SIGTERM kills outright.
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      // A second signal: stop waiting for running runs (they end as errors, recorded before exit).
      void server.services.executor.stop(0);
      return;
    }
    stopping = true;
    logger.info(`${signal}: shutting down${server.services.executor.runningCount > 0 ? " (again to stop running runs now)" : ""}`);
    // The last resort if closing hangs: what was acknowledged is in the journal already, and runs left
    // `running` are recorded as errors at the next start.
    const force = setTimeout(() => process.exit(0), (options.shutdownGraceMs ?? 0) + 5000);
    force.unref();
    server.close().then(
      () => process.exit(0),
      (err) => {
        logger.error("error while shutting down", err);
        process.exit(0);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));

  const hosted = `${options.studioUrl}/studio/?baseUrl=${encodeURIComponent(server.url)}`;
  // The local Studio comes first: it works offline and in every browser (the hosted one needs a login and a
  // browser that lets a public page reach localhost).
  const studioLines = server.studioUrl ? [`  - Studio: ${server.studioUrl}`, `  - Hosted Studio: ${hosted}`] : [`  - Studio: ${hosted}`];
  const ms = Math.round(performance.now() - t0);
  process.stdout.write(
    [
      "",
      `  lg-dev ${packageInfo().version}  ready in ${ms} ms`,
      "",
      `  - API:    ${server.url}`,
      ...studioLines,
      `  - Docs:   ${server.url}/docs`,
      ...(server.debuggerUrl ? [`  - Debugger: ${server.debuggerUrl}`] : []),
      "",
      ...(isLoopbackHost(options.host)
        ? []
        : [`  ! Listening on ${options.host}: reachable from the network. The Studio header bypass is honoured only from loopback peers.`, ""]),
      "",
    ].join("\n"),
  );

  if (options.browser) {
    try {
      const { default: open } = await import("open");
      await open(server.studioUrl ?? hosted);
    } catch (err) {
      logger.warn(`could not open a browser: ${(err as Error).message}`);
    }
  }
}
