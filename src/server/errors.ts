import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { LgDevError } from "../errors.js";
import type { Logger } from "../logger.js";

/** The one table from errors to responses: status + plain-text body (+ headers). */
export function toResponse(err: unknown): { status: number; body: string; headers: Record<string, string>; log: boolean } {
  if (err instanceof LgDevError) return { status: err.status, body: err.message, headers: err.headers, log: false };
  const fe = err as FastifyError & { validationContext?: string };
  if (fe?.validation) return { status: 422, body: fe.message, headers: {}, log: false };
  if (fe?.code === "FST_ERR_CTP_BODY_TOO_LARGE") return { status: 413, body: "Request body is too large", headers: {}, log: false };
  if (fe?.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") return { status: 415, body: fe.message, headers: {}, log: false };
  if (typeof fe?.statusCode === "number" && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, body: fe.message, headers: {}, log: false };
  }
  return { status: 500, body: "Internal Server Error", headers: {}, log: true };
}

/** Fastify error handler: never a stack to the client, always to the log. */
export function createErrorHandler(logger: Logger) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const r = toResponse(err);
    if (r.log) logger.error(`${request.method} ${request.url} failed`, withCauses(err));
    if (reply.sent || reply.raw.headersSent) return;
    return reply.code(r.status).headers(r.headers).type("text/plain; charset=utf-8").send(r.body);
  };
}

/**
 * The error as it is logged: its stack followed by each `cause`'s. Errors from the user's auth module arrive wrapped
 * (the wrapper names the file), and the user's own frames - the line to fix - are in the cause.
 */
function withCauses(err: unknown): unknown {
  if (!(err instanceof Error) || err.cause === undefined) return err;
  let text = err.stack ?? err.message;
  let cause: unknown = err.cause;
  for (let depth = 0; cause !== undefined && depth < 5; depth += 1) {
    text += `\nCaused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`;
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  const logged = new Error(err.message);
  logged.stack = text;
  return logged;
}

/** The answer for a path no route serves (named as the client wrote it, with the mount prefix). */
export async function notFound(req: FastifyRequest, reply: FastifyReply) {
  return reply.code(404).type("text/plain; charset=utf-8").send(`Not Found: ${req.method} ${req.originalUrl.split("?", 1)[0]}`);
}
