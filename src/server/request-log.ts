/**
 * The HTTP server's own log, whose level `--server-log-level` sets apart from `--log-level` (lg-dev's messages and
 * the graphs' logs), as Python's `langgraph dev` keeps its server log apart. At `info` or `debug` every answered
 * request is one line: method, path, status and time. Below `info` (the default, `warn`, as Python's WARNING) no
 * hook is installed at all, so requests pay nothing for it.
 */
import type { FastifyInstance } from "fastify";
import { LOG_LEVELS, type Logger } from "../logger.js";

/** Log one line per answered request on `logger`, when its level shows `info`. */
export function logRequests(app: FastifyInstance, logger: Logger): void {
  if (LOG_LEVELS.indexOf(logger.level) < LOG_LEVELS.indexOf("info")) return;
  app.addHook("onResponse", (req, reply, done) => {
    // The query string is left out: it may carry tokens (and lists of ids nobody reads).
    const path = req.url.split("?", 1)[0];
    logger.info(`${req.method} ${path} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)} ms`);
    done();
  });
}
