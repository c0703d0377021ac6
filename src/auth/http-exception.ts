/**
 * Recognising the SDK's `HTTPException` thrown from user code. Duck-typed, never `instanceof`: the user's project
 * may resolve its own copy of @langchain/langgraph-sdk, whose class is not ours.
 */
import { STATUS_CODES } from "node:http";
import { ForbiddenError, UnauthorizedError } from "../errors.js";

/** What the SDK's `HTTPException` looks like: `status`, `message`, and `headers` as a `HeadersInit`. */
export interface HttpExceptionLike {
  status: number;
  message?: unknown;
  headers?: unknown;
}

/**
 * True for anything carrying an HTTP error status we can answer with. 1xx/2xx are excluded: they are not errors,
 * and answering a failed authentication with 200 would be worse than a 500.
 */
export function isHttpExceptionLike(err: unknown): err is HttpExceptionLike {
  if (typeof err !== "object" || err === null) return false;
  const status = (err as { status?: unknown }).status;
  return typeof status === "number" && Number.isInteger(status) && status >= 300 && status <= 599;
}

/** Turn a user's HTTPException into our error class, keeping its status, message and headers. */
export function toHttpError(err: HttpExceptionLike): UnauthorizedError | ForbiddenError {
  const message =
    typeof err.message === "string" && err.message !== "" ? err.message : (STATUS_CODES[err.status] ?? "Error");
  const headers = headersToRecord(err.headers);
  // ForbiddenError keeps `instanceof ForbiddenError` checks working; it cannot carry headers, so only when none.
  // Built without a stack trace: it only becomes a 4xx answer and is never logged, and capturing one cost more than
  // the rest of a rejected request (bench/: 401 capacity).
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    if (err.status === 403 && Object.keys(headers).length === 0) return new ForbiddenError(message);
    return new UnauthorizedError(message, err.status, headers);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Flatten a `HeadersInit` (plain object, `[name, value][]` or a `Headers`) into a record; bad entries are skipped. */
export function headersToRecord(init: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (name: unknown, value: unknown): void => {
    if (typeof name !== "string" || name === "" || name === "__proto__" || value === undefined || value === null) return;
    const text = Array.isArray(value) ? value.map(String).join(", ") : String(value);
    out[name] = Object.hasOwn(out, name) ? `${out[name]}, ${text}` : text;
  };
  if (init === null || typeof init !== "object") return out;
  if (Array.isArray(init)) {
    for (const pair of init) if (Array.isArray(pair)) add(pair[0], pair[1]);
  } else if (typeof (init as Headers).forEach === "function" && typeof (init as Headers).get === "function") {
    (init as Headers).forEach((value, name) => add(name, value));
  } else {
    for (const [name, value] of Object.entries(init)) add(name, value);
  }
  return out;
}
