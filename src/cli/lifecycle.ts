import { loadConfig } from "../config/load.js";
import type { DevOptions, DevServer } from "../dev/index.js";
import { ConfigError } from "../errors.js";
import type { Logger } from "../logger.js";
import { checkPeers } from "../version.js";

/**
 * Check the project's LangGraph packages, then start the server. A user mistake (ConfigError) goes to
 * `failConfig` (one line, no stack); anything else is logged with its stack; both exit 1.
 */
export async function launch(options: DevOptions, logger: Logger, failConfig: (message: string) => void): Promise<DevServer> {
  try {
    // The project's LangGraph packages are checked before anything imports them (dev/ and what it loads do, and an
    // old copy fails there with a bare SyntaxError): so dev/ is imported only once they passed.
    const peers = checkPeers((await loadConfig(options.config)).configDir);
    if (peers.error) throw new ConfigError(peers.error);
    for (const warning of peers.warnings) logger.warn(warning);
    const { startDev } = await import("../dev/index.js");
    return await startDev(options, logger);
  } catch (err) {
    if (err instanceof ConfigError) failConfig(err.message);
    else logger.error("lg-dev failed to start", err);
    process.exit(1);
  }
}

/**
 * SIGTERM/SIGINT: stop taking new runs, let running ones finish within the grace period (the API keeps serving
 * meanwhile), then exit 0. A second signal stops waiting. Install before announcing readiness: whoever reads the
 * announcement may signal at once, and an unhandled SIGTERM kills outright.
 */
export function handleShutdownSignals(server: DevServer, logger: Logger, graceMs: number): void {
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
    const force = setTimeout(() => process.exit(0), graceMs + 5000);
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
}
