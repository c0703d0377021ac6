/**
 * The lazy `Request` handed to the user's authenticate function: a speed trick, switched off by
 * `LG_DEV_NO_LAZY_REQUEST=1`. Every authenticated request builds one, and a full undici Request costs ~12 µs (its
 * Headers copy alone ~1 µs), while authenticate functions mostly read a header or two. So method, url and headers
 * are ready at once (~1 µs; `headers.get`/`has` read Node's own header object), and the body, signal and the rest
 * are built on first use. Switched off, each call gets a full Request built up front, as a plain server would.
 */
import type { AuthRequestInfo } from "./types.js";

/** Set to `1` to hand authenticate a full Request built up front (to compare, or to rule this trick out). */
export const NO_LAZY_REQUEST = "LG_DEV_NO_LAZY_REQUEST";

/** How an auth service makes the Request for each call: lazily unless the environment switches it off. */
export function requestMaker(env: NodeJS.ProcessEnv = process.env): (info: AuthRequestInfo) => Request {
  return env[NO_LAZY_REQUEST] === "1" ? buildRequest : createLazyRequest;
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
