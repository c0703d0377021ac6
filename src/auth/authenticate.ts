/**
 * Authentication: the studio shortcut, building the standard `Request` the user's function expects, and
 * normalising whatever it returns into an `AuthContext`.
 */
import { isHttpExceptionLike, toHttpError } from "./http-exception.js";
import type { UserFunction } from "./load.js";
import type { AuthContext, AuthRequestInfo, AuthUser } from "./types.js";

/** The identity LangGraph Studio runs as; the SDK's `isStudioUser()` recognises it (and `kind: "StudioUser"`). */
export const STUDIO_USER_IDENTITY = "langgraph-studio-user";

/** A fresh studio user: a new object per request, so a handler that mutates `user` cannot leak into the next one. */
export function createStudioUser(): AuthUser {
  return {
    kind: "StudioUser",
    identity: STUDIO_USER_IDENTITY,
    display_name: STUDIO_USER_IDENTITY,
    permissions: [],
    is_authenticated: true,
  };
}

/** The user of an Auth module without an authenticate function: handlers still run, and can tell it apart. */
export function createAnonymousUser(): AuthUser {
  return { identity: "anonymous", display_name: "anonymous", permissions: [], is_authenticated: false };
}

/** An AuthContext for a user, with its own copy of the permissions. */
export function createAuthContext(user: AuthUser): AuthContext {
  return { user, permissions: [...user.permissions] };
}

/**
 * True when the request claims to come from Studio and may: the header alone is forgeable, so it only counts from
 * this machine (a remote client must not skip authentication by sending it).
 */
export function isStudioRequest(request: AuthRequestInfo, studioAuthDisabled: boolean): boolean {
  if (studioAuthDisabled || !request.peerIsLoopback) return false;
  const raw = request.headers["x-auth-scheme"];
  const scheme = Array.isArray(raw) ? raw[0] : raw;
  return typeof scheme === "string" && scheme.trim().toLowerCase() === "langsmith";
}

const METHODS_WITHOUT_BODY = new Set(["GET", "HEAD"]);

/** The standard `Request` handed to the user's authenticate function. Throws (-> 500) only on an invalid URL/method. */
export function buildRequest(info: AuthRequestInfo): Request {
  const method = info.method.toUpperCase();
  const init: RequestInit = { method, headers: toHeaders(info.headers) };
  // Our own Buffer is copied into the Request, so the user reading (consuming) it leaves the route's copy intact.
  if (info.body !== undefined && !METHODS_WITHOUT_BODY.has(method)) init.body = toBodyInit(info.body);
  return new Request(info.url, init);
}

/** Node's header object as a standard Headers (multi-value headers kept). */
function toHeaders(raw: AuthRequestInfo["headers"]): Headers {
  const headers = new Headers();
  appendNodeHeaders(headers, raw);
  return headers;
}

/** Append every header of Node's header object to `headers` (Headers' own append, even on a subclass). */
function appendNodeHeaders(headers: Headers, raw: AuthRequestInfo["headers"]): void {
  for (const [name, value] of Object.entries(raw)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === undefined) continue;
      // Node already rejected malformed headers on the wire; skipping here keeps one odd header from being a 500.
      try {
        Headers.prototype.append.call(headers, name, item);
      } catch {
        // ignored on purpose
      }
    }
  }
}

/**
 * A `Headers` over Node's header object: `get` and `has` read it directly (what authenticate functions call,
 * ~0.04 µs instead of ~1 µs for copying every header into undici's Headers); any other use copies the headers
 * in first and is then a plain Headers.
 */
const RAW_HEADERS = Symbol("lg-dev.rawHeaders");
class NodeHeaders extends Headers {
  private [RAW_HEADERS]: AuthRequestInfo["headers"] | undefined;

  constructor(raw: AuthRequestInfo["headers"]) {
    super();
    this[RAW_HEADERS] = raw;
  }

  private materialise(): void {
    const raw = this[RAW_HEADERS];
    if (!raw) return;
    this[RAW_HEADERS] = undefined;
    appendNodeHeaders(this, raw);
  }

  override get(name: string): string | null {
    const raw = this[RAW_HEADERS];
    if (!raw) return super.get(name);
    const value = raw[String(name).toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(", ") : value;
  }

  override has(name: string): boolean {
    const raw = this[RAW_HEADERS];
    return raw ? raw[String(name).toLowerCase()] !== undefined : super.has(name);
  }

  override append(name: string, value: string): void {
    this.materialise();
    super.append(name, value);
  }

  override set(name: string, value: string): void {
    this.materialise();
    super.set(name, value);
  }

  override delete(name: string): void {
    this.materialise();
    super.delete(name);
  }

  override getSetCookie(): string[] {
    this.materialise();
    return super.getSetCookie();
  }

  override forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    this.materialise();
    super.forEach(callback, thisArg);
  }

  override entries(): HeadersIterator<[string, string]> {
    this.materialise();
    return super.entries();
  }

  override keys(): HeadersIterator<string> {
    this.materialise();
    return super.keys();
  }

  override values(): HeadersIterator<string> {
    this.materialise();
    return super.values();
  }

  override [Symbol.iterator](): HeadersIterator<[string, string]> {
    this.materialise();
    return super[Symbol.iterator]();
  }
}

function toBodyInit(body: Buffer | string): BodyInit {
  return typeof body === "string" ? body : new Uint8Array(body);
}

const REAL = Symbol("lg-dev.realRequest");
const INFO = Symbol("lg-dev.requestInfo");
const FIELDS = Symbol("lg-dev.requestFields");

/**
 * A prototype between the user's Request objects and Request.prototype whose members (all but method, url and
 * headers, which each instance carries) delegate to a real undici Request built on first use. Defined once, so
 * making a request costs a Headers object and three fields.
 */
const LAZY_PROTO: object = (() => {
  const proto = Object.create(Request.prototype) as Record<PropertyKey, unknown>;
  const realOf = (self: { [REAL]?: Request; [INFO]: AuthRequestInfo }) => (self[REAL] ??= buildRequest(self[INFO]));
  for (const name of Object.getOwnPropertyNames(Request.prototype)) {
    if (name === "constructor" || name === "method" || name === "url" || name === "headers") continue;
    const d = Object.getOwnPropertyDescriptor(Request.prototype, name)!;
    if (d.get) {
      Object.defineProperty(proto, name, {
        get(this: { [REAL]?: Request; [INFO]: AuthRequestInfo }) {
          return Reflect.get(realOf(this), name);
        },
      });
    } else if (typeof d.value === "function") {
      Object.defineProperty(proto, name, {
        value(this: { [REAL]?: Request; [INFO]: AuthRequestInfo }, ...args: unknown[]) {
          const real = realOf(this);
          return (Reflect.get(real, name) as (...a: unknown[]) => unknown).apply(real, args);
        },
      });
    }
  }
  // method, url and headers come from each instance (Request.prototype's own getters would reject our objects).
  for (const name of ["method", "url", "headers"] as const) {
    Object.defineProperty(proto, name, {
      get(this: { [FIELDS]: { method: string; url: string; headers: Headers } }) {
        return this[FIELDS][name];
      },
    });
  }
  return proto;
})();

/**
 * The `Request` handed to the user's authenticate: method, url and headers are ready at once (about 1 µs);
 * the body, signal and the rest are built on first use (a full undici Request costs ~12 µs per request).
 * It is an instance of Request by prototype; passing it to `new Request()` or `fetch()` needs `.clone()` first.
 */
export function createLazyRequest(info: AuthRequestInfo): Request {
  const headers = new NodeHeaders(info.headers);
  const req = Object.create(LAZY_PROTO) as Record<PropertyKey, unknown>;
  req[FIELDS] = { method: info.method.toUpperCase(), url: info.url, headers };
  req[INFO] = info;
  return req as unknown as Request;
}

/**
 * Whether the user's authenticate function may run without stack traces. Refusing a request means it throws an
 * `HTTPException`, and V8 captures a stack trace for every error created: on this 2-core server ~6 µs of a ~25 µs
 * refusal, for a trace nobody reads (a refusal becomes a 4xx answer, never a log line). So after a run of calls that
 * all ended as an answer or a refusal, the synchronous part of each call (up to its first `await`, where a refusal
 * is usually thrown) runs with `Error.stackTraceLimit = 0`. Any other error turns traces back on, and the message of
 * such an error caught without its trace says so: the next one carries it. One per auth service, so a reload of the
 * auth module starts with traces on.
 */
export class AuthenticateTraces {
  /** Calls in a row that ended as an answer or an HTTPException. */
  private clean = 0;
  /** Calls in a row needed before traces are left out. */
  constructor(readonly quietAfter = 64) {}

  get quiet(): boolean {
    return this.clean >= this.quietAfter;
  }

  expected(): void {
    this.clean += 1;
  }

  unexpected(): void {
    this.clean = 0;
  }
}

/** Call the user's authenticate function and normalise its answer; see `normaliseAuthResult` for the rules. */
export async function runAuthenticate(fn: UserFunction, request: AuthRequestInfo, file: string, traces?: AuthenticateTraces): Promise<AuthContext> {
  const req = createLazyRequest(request);
  const quiet = traces?.quiet ?? false;
  let result: unknown;
  try {
    result = await callShallow(fn as (req: Request) => unknown, req, quiet);
  } catch (err) {
    if (isHttpExceptionLike(err)) {
      traces?.expected();
      throw toHttpError(err);
    }
    traces?.unexpected();
    const lost = quiet && err instanceof Error && !err.stack?.includes("\n    at ");
    const note = lost ? " (thrown before the function's first await while stack traces were off after a run of refusals; they are on again for the next call)" : "";
    // Wrapped so that the server never mistakes user errors for its own (or for an HTTP status), and logs the cause.
    throw new Error(`The authenticate function of ${file} threw: ${errorMessage(err)}${note}`, { cause: err });
  }
  traces?.expected();
  return createAuthContext(normaliseAuthResult(result, file));
}

const NORMALISED_FIELDS = new Set(["identity", "display_name", "is_authenticated", "permissions"]);

/**
 * Call `fn(arg)` from a fresh microtask, so that it runs on a shallow stack. Refusing a request means the user's
 * function throws (an `HTTPException`), and V8 captures up to 10 stack frames for every error it creates: here
 * those would be Fastify's hook chain and ours, which say nothing to the user and cost ~4.5 µs per refusal on a
 * 2-core server (a seventh of all the work of a 401), against ~2.5 µs from a fresh microtask. `withoutTraces`: its
 * synchronous part runs with `Error.stackTraceLimit = 0` (see AuthenticateTraces).
 */
function callShallow<A>(fn: (arg: A) => unknown, arg: A, withoutTraces: boolean): Promise<unknown> {
  return new Promise((resolve, reject) => {
    queueMicrotask(() => {
      const limit = Error.stackTraceLimit;
      if (withoutTraces) Error.stackTraceLimit = 0;
      try {
        resolve(fn(arg));
      } catch (err) {
        reject(err);
      } finally {
        if (withoutTraces) Error.stackTraceLimit = limit;
      }
    });
  });
}

/**
 * A string is the identity; an object needs a non-empty string `identity` and keeps its extra fields, with
 * `display_name` defaulting to the identity, `is_authenticated` to true and `permissions` to [] (strings only).
 * Anything else is a bug in the user's module: a plain Error (500) naming the file.
 */
export function normaliseAuthResult(result: unknown, file: string): AuthUser {
  if (typeof result === "string" && result !== "") {
    return { identity: result, display_name: result, is_authenticated: true, permissions: [] };
  }
  if (typeof result === "object" && result !== null && !Array.isArray(result)) {
    const fields = result as Record<string, unknown>;
    const identity = fields.identity;
    if (typeof identity === "string" && identity !== "") {
      const permissions = Array.isArray(fields.permissions)
        ? fields.permissions.filter((p): p is string => typeof p === "string")
        : [];
      // Extra fields first, then the four normalised ones (as an object spread would, at a tenth of its cost:
      // this runs on every authenticated request).
      const user: Record<string, unknown> = {};
      for (const key of Object.keys(fields)) {
        if (!NORMALISED_FIELDS.has(key) && key !== "__proto__") user[key] = fields[key];
      }
      user.identity = identity;
      user.display_name = typeof fields.display_name === "string" ? fields.display_name : identity;
      user.is_authenticated = typeof fields.is_authenticated === "boolean" ? fields.is_authenticated : true;
      user.permissions = permissions;
      return user as unknown as AuthUser;
    }
  }
  throw new Error(
    `The authenticate function of ${file} returned ${describeResult(result)}; ` +
      "return a non-empty string identity or an object with a string `identity`, or throw an HTTPException.",
  );
}

function describeResult(result: unknown): string {
  if (result === undefined || result === null) return String(result);
  if (typeof result === "string") return "an empty string";
  if (Array.isArray(result)) return "an array";
  if (typeof result === "object") return "an object without a string `identity`";
  return `a ${typeof result}`;
}

/** The message of anything thrown, for wrapping. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  try {
    return typeof err === "string" ? err : JSON.stringify(err);
  } catch {
    return String(err);
  }
}
