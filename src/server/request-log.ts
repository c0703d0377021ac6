/**
 * The HTTP server's own log, whose level `--server-log-level` sets apart from `--log-level` (lg-dev's messages and
 * the graphs' logs), as Python's `langgraph dev` keeps its server log apart. At `info` or `debug` every answered
 * request is one line: method, path, status and time. Below `info` (the default, `warn`, as Python's WARNING) no
 * hook is installed at all, so requests pay nothing for it.
 *
 * langgraph.json `http.logging_headers` (`{includes, excludes}`, header-patterns.ts) adds the request headers it
 * includes to the line, as a `headers` field; by default none, and credentials only when named exactly.
 */
import type { FastifyInstance } from "fastify";
import { LOG_LEVELS, type Logger } from "../logger.js";
import { loggingHeaderFilter, pickHeaders, type HeaderPatterns } from "./header-patterns.js";

/** Log one line per answered request on `logger`, when its level shows `info`. */
export function logRequests(app: FastifyInstance, logger: Logger, loggingHeaders?: HeaderPatterns): void {
  if (LOG_LEVELS.indexOf(logger.level) < LOG_LEVELS.indexOf("info")) return;
  const filter = loggingHeaders ? loggingHeaderFilter(loggingHeaders) : undefined;
  app.addHook("onResponse", (req, reply, done) => {
    // The query string is left out: it may carry tokens (and lists of ids nobody reads). The path is the one the
    // client asked for (with the mount prefix).
    const path = req.originalUrl.split("?", 1)[0];
    const headers = filter && pickHeaders(req.headers, filter);
    const line = `${req.method} ${path} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)} ms`;
    if (headers && Object.keys(headers).length > 0) logger.info(line, { headers });
    else logger.info(line);
    done();
  });
}
