import { Command, Option } from "commander";
import type { DevOptions } from "../dev/index.js";
import { createLogger, LOG_LEVELS, type LogLevel } from "../logger.js";
import { packageInfo } from "../version.js";
import { handleShutdownSignals, launch } from "./lifecycle.js";
import { collectHosts, isLoopbackHost, parsePort, parsePositive, parseLevel, parseSeconds } from "./parse.js";

/** `lg-dev`: flags -> DevOptions -> startDev; prints the banner, handles signals. */
export async function main(argv: string[] = process.argv): Promise<void> {
  // `lg-dev serve`: the production command, with its own flags (src/cli/serve.ts).
  if (argv[2] === "serve") return (await import("./serve.js")).serveMain(argv.slice(3));
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
    .option("--postgres <url>", "keep everything in this PostgreSQL database instead of .langgraph_api/ (default: $POSTGRES_URI)")
    .option("--fsync", "also fsync the journal (grouped), so acknowledged data survives a power loss", false)
    .option("--n-jobs-per-worker <n>", "runs executed at once", parsePositive, 10)
    .option("--no-studio", "do not serve the local Studio at /studio")
    .option("--studio-url <url>", "hosted LangGraph Studio base URL", "https://smith.langchain.com")
    .option("--allow-blocking", "do not warn when graph code blocks the event loop", false)
    .option("--shutdown-grace <seconds>", "on SIGTERM/SIGINT, how long running runs get to finish before they end as errors", parseSeconds, 10)
    .addOption(new Option("--log-level <level>", "log verbosity").choices([...LOG_LEVELS]).default("info"))
    .addHelpText("after", "\nCommands:\n  serve  the production server: no file watching, JSON logs, PORT, --postgres (lg-dev serve --help)")
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
    postgres?: string;
  }>();
  if (o.waitForClient && o.debugPort === undefined) program.error("error: --wait-for-client needs --debug-port <port>");
  if ((o.sslCertfile === undefined) !== (o.sslKeyfile === undefined)) program.error("error: --ssl-certfile and --ssl-keyfile go together");

  const postgres = o.postgres ?? (process.env.POSTGRES_URI?.trim() || undefined);
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
    ...(postgres ? { postgres } : {}),
  };
  const logger = createLogger(options.logLevel);
  const t0 = performance.now();
  const server = await launch(options, logger, (message) => process.stderr.write(`lg-dev: ${message}\n`));
  handleShutdownSignals(server, logger, options.shutdownGraceMs ?? 0);

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
