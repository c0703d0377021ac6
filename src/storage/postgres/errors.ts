import { ServiceUnavailableError } from "../../errors.js";

/**
 * The database cannot be reached (refused, dropped, restarting, timed out): a 503 for clients, never a 500.
 * The process reconnects by itself; `cause` keeps the driver's error for logs.
 */
export class DatabaseUnavailableError extends ServiceUnavailableError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`The database is unavailable: ${reason}. lg-dev reconnects by itself; retry shortly.`);
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** Socket-level error codes that mean "no usable connection", not "this statement failed". */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOENT"]);

/**
 * SQLSTATEs of a lost or refused connection: class 08 (connection exception), the server shutting down or crashing
 * (57P01 admin_shutdown, 57P02 crash_shutdown), starting up (57P03 cannot_connect_now), out of connection slots
 * (53300). A statement error (syntax, constraint, serialization) is not one of them.
 */
const UNAVAILABLE_SQLSTATES = /^(08...|57P0[123]|53300)$/;

/** pg's own messages for a connection it lost or could not make in time (they carry no code). */
const DRIVER_MESSAGES = [
  "Connection terminated",
  "connection timeout",
  "timeout exceeded when trying to connect",
  "Client has encountered a connection error and is not queryable",
];

/** True when `err` says the database is unreachable (so the request deserves a 503 and the health turns down). */
export function isConnectionError(err: unknown): boolean {
  if (err instanceof DatabaseUnavailableError) return true;
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.test(code))) return true;
  if (DRIVER_MESSAGES.some((m) => err.message.includes(m))) return true;
  // Node's AggregateError from a dual-stack connect (ECONNREFUSED on ::1 and 127.0.0.1) keeps the codes inside.
  const inner = (err as { errors?: unknown }).errors;
  return Array.isArray(inner) && inner.length > 0 && inner.every(isConnectionError);
}

/** A short reason for logs and 503 bodies: the driver's message, or the socket code when the message is empty. */
export function describeConnectionError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.message) return err.message;
  const code = (err as { code?: unknown }).code;
  const inner = (err as { errors?: unknown }).errors;
  if (Array.isArray(inner) && inner.length > 0) return inner.map(describeConnectionError).join("; ");
  return typeof code === "string" ? code : err.name;
}
