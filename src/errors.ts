/**
 * Error classes shared by every layer below the HTTP server. Each carries the HTTP status it maps to,
 * so `server/errors.ts` can turn any of them into a response in one place; none of them knows Fastify.
 */

/** Base class: a message meant for the client, a status, and optional response headers. */
export class LgDevError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly code: string;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** 404: an unknown (or filtered-out) resource. `NotFoundError("thread", id)` reads `Thread with ID <id> not found`. */
export class NotFoundError extends LgDevError {
  constructor(resource: string, id?: string, message?: string) {
    const label = resource.charAt(0).toUpperCase() + resource.slice(1);
    super(404, "NOT_FOUND", message ?? (id === undefined ? `${label} not found` : `${label} with ID ${id} not found`));
  }
}

/** 409: already exists, busy thread, rejected multitask. */
export class ConflictError extends LgDevError {
  constructor(message: string) {
    super(409, "CONFLICT", message);
  }
}

/** 422: a request that parsed but breaks a rule; the message names the field. */
export class ValidationError extends LgDevError {
  constructor(message: string) {
    super(422, "VALIDATION", message);
  }
}

/** 400: a request that could not be parsed at all. */
export class BadRequestError extends LgDevError {
  constructor(message: string) {
    super(400, "BAD_REQUEST", message);
  }
}

/** 401 (or another status chosen by the user's auth module), with headers such as WWW-Authenticate. */
export class UnauthorizedError extends LgDevError {
  constructor(message = "Unauthorized", status = 401, headers: Record<string, string> = {}) {
    super(status, "UNAUTHORIZED", message, headers);
  }
}

/** 403: authenticated, but an authorization handler said no. */
export class ForbiddenError extends LgDevError {
  constructor(message = "Forbidden") {
    super(403, "FORBIDDEN", message);
  }
}

/** 503: a dependency (the database) is unreachable for now; clients may retry after `Retry-After` seconds. */
export class ServiceUnavailableError extends LgDevError {
  constructor(message: string, retryAfterSeconds = 1) {
    super(503, "SERVICE_UNAVAILABLE", message, { "retry-after": String(retryAfterSeconds) });
  }
}

/** A user-facing start-up problem (bad config, missing graph export, bad auth module): printed without a stack. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}
