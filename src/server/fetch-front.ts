/**
 * A fetch-style `http.app` (Hono, or any object with `fetch(request)`) in front of the API, as the official server
 * mounts it: the user's app sees every request first. Its middleware wraps the API, its routes win over the API's,
 * and what it does not answer reaches the API through a `next()`-like fall-through (custom-front.ts builds that).
 *
 * On Fastify this is one `onRequest` hook. The request, as received, is handed to the user's app as a standard
 * Request; when the app falls through, the (possibly rewritten) request goes to the API as an in-process request
 * through the same Fastify instance (`inject`, streamed), and the API's answer comes back to the app as a standard
 * Response, which it may still change. The hook recognises those inner requests by a single-use ticket that only
 * this process knows, and lets them through to the API with the caller already authenticated. Nothing a remote
 * client sends can pass for a ticket: the header is stripped, and an unknown ticket counts for nothing.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isLocalPeer } from "../auth/index.js";
import type { AuthContext, AuthRequestInfo, AuthService } from "../auth/types.js";
import { LgDevError } from "../errors.js";
import { protocolOf } from "./protocol.js";
import type { Ref, RequestContext } from "../services/context.js";

/** One request as the user's app gets it, and the way on into the API. */
export interface FrontRequest {
  /** The request as received (body already read: `body`). */
  request: Request;
  body: Uint8Array | undefined;
  /** Who is asking, when custom routes are authenticated. */
  auth: AuthContext | undefined;
  /** The Node request and response (Hono's `c.env.incoming` / `c.env.outgoing`, as @hono/node-server gives them). */
  incoming: IncomingMessage;
  outgoing: FastifyReply["raw"];
  /** Send a request on to lg-dev's API (its routes, then its 404) and get its answer. */
  toApi(request: Request, body: Uint8Array | undefined): Promise<Response>;
}

/** The user's app seen from here. */
export interface Front {
  /** A request in, a response out. */
  handle(front: FrontRequest): Promise<Response>;
  /**
   * False when nothing of the app (no middleware, no route) applies to `method` `url`: the request then goes
   * straight to the API, as if there were no custom app. Absent: the app sees every request.
   */
  applies?(method: string, url: string): boolean;
}

/** Options of {@link mountFront}. */
export interface MountFrontOptions {
  auth: Ref<AuthService>;
  /** Authenticate requests before the user's app sees them (`http.enable_custom_route_auth`, default on). */
  authenticate: boolean;
  /** Routes of lg-dev's that need no authentication (/ok, /info, /docs…), judged by the route Fastify matched. */
  isPublic(req: FastifyRequest): boolean;
  bodyLimit: number;
  /** `http.mount_prefix`: the app sees paths without it; requests it passes on to the API get it back. */
  mountPrefix?: string;
}

/** What an inner request carries from the front to the API. */
interface Ticket {
  /** The caller, when the front authenticated the request; null: the API authenticates it. */
  ctx: RequestContext | null;
  /** Aborted when the real client goes away. */
  gone: AbortSignal;
}

/** The header naming an inner request's ticket. */
const TICKET = "x-lg-dev-front-ticket";
/** Hop-by-hop headers: they describe one connection, never copied from one message to another. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", TICKET]);
/** Statuses whose responses have no body. */
const NULL_BODY = new Set([101, 204, 205, 304]);
/** Methods the fetch standard forbids in a Request. */
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);
/** What @hono/node-server's RESPONSE_ALREADY_SENT carries: the app wrote to `outgoing` itself. */
const ALREADY_SENT = "x-hono-already-sent";

/** Put `front` in front of every route of `app` (register it after the API routes). */
export function mountFront(app: FastifyInstance, front: Front, opts: MountFrontOptions): void {
  // Tickets of inner requests in flight: this app's own, so nothing is shared between instances.
  const tickets = new Map<string, Ticket>();

  app.addHook("onRequest", async (req, reply) => {
    const id = req.headers[TICKET];
    if (id !== undefined) {
      delete req.headers[TICKET];
      const ticket = typeof id === "string" ? tickets.get(id) : undefined;
      if (ticket !== undefined) {
        tickets.delete(id as string);
        // The API's own hook authenticates when the front did not (ctx null).
        if (ticket.ctx !== null) req.ctx = ticket.ctx;
        // The real client went away: the API's handlers see their response close, as they would without a front.
        const close = () => reply.raw.destroy();
        if (ticket.gone.aborted) close();
        else ticket.gone.addEventListener("abort", close, { once: true });
        return;
      }
    }
    // Methods no standard Request can carry (TRACE, CONNECT…) never reach a fetch app: lg-dev answers them.
    if (FORBIDDEN_METHODS.has(req.method) || front.applies?.(req.method, urlOf(req)) === false) return;
    await serveThroughFront(req, reply);
  });

  async function serveThroughFront(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const body = hasBody(req.method) ? await readBody(req.raw, opts.bodyLimit) : undefined;
    if (body === "too large") {
      reply.code(413).type("text/plain; charset=utf-8").send("Request body is too large");
      return;
    }
    let auth: AuthContext | undefined;
    const service = opts.auth.current;
    if (opts.authenticate && service.enabled && !opts.isPublic(req)) {
      try {
        auth = await service.authenticate(authInfo(req, body));
      } catch (err) {
        if (!(err instanceof LgDevError)) throw err;
        reply.code(err.status).headers(err.headers).type("text/plain; charset=utf-8").send(err.message);
        return;
      }
    }
    // The client going away ends the user's work and the API's (an event stream's on_disconnect).
    const gone = new AbortController();
    let finished = false;
    reply.raw.once("finish", () => (finished = true));
    reply.raw.once("close", () => {
      if (!finished) gone.abort();
    });
    const remoteAddress = req.socket.remoteAddress;
    const request = new Request(urlOf(req), { method: req.method, headers: headersOf(req), signal: gone.signal, ...(body ? { body: body as unknown as BodyInit } : {}) });
    const response = await front.handle({
      request,
      body,
      auth,
      incoming: req.raw,
      outgoing: reply.raw,
      toApi: (next, nextBody) => toApi(next, nextBody, { ctx: auth ? { auth } : null, gone: gone.signal }, remoteAddress),
    });
    await writeResponse(req, reply, response);
  }

  /** Run `request` through this Fastify instance as an inner request; its answer streams back as a Response. */
  async function toApi(request: Request, body: Uint8Array | undefined, ticket: Ticket, remoteAddress: string | undefined): Promise<Response> {
    const id = randomUUID();
    tickets.set(id, ticket);
    const headers: Record<string, string | undefined> = { "user-agent": undefined };
    request.headers.forEach((value, name) => {
      if (name !== "content-length" && !HOP_BY_HOP.has(name)) headers[name] = value;
    });
    headers[TICKET] = id;
    if (body) headers["content-length"] = String(body.byteLength);
    const url = new URL(request.url);
    try {
      const res = await app.inject({
        method: request.method as "GET",
        url: (opts.mountPrefix ?? "") + url.pathname + url.search,
        headers: headers as Record<string, string>,
        ...(body ? { payload: Buffer.from(body.buffer, body.byteOffset, body.byteLength) } : {}),
        // Never the inject default (127.0.0.1): only a real loopback peer may count as one.
        remoteAddress: remoteAddress || "unknown",
        payloadAsStream: true,
      });
      const out = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (value === undefined || HOP_BY_HOP.has(name)) continue;
        for (const v of Array.isArray(value) ? value : [value]) out.append(name, String(v));
      }
      const stream = res.stream();
      if (request.method === "HEAD" || NULL_BODY.has(res.statusCode)) {
        stream.resume();
        return new Response(null, { status: res.statusCode, headers: out });
      }
      // An event stream flows as it is written; every other answer of the API is complete once its head is, and a
      // buffer is much cheaper to hand over than a stream.
      if (isEventStream(out)) return new Response(Readable.toWeb(stream) as ReadableStream, { status: res.statusCode, headers: out });
      return new Response((await collect(stream)) as unknown as BodyInit, { status: res.statusCode, headers: out });
    } finally {
      tickets.delete(id);
    }
  }
}

/** Write the user's app's Response as this request's reply (headers Fastify already set, e.g. CORS, kept). */
async function writeResponse(req: FastifyRequest, reply: FastifyReply, response: Response): Promise<void> {
  if (!(response instanceof Response)) throw new Error(`the custom app answered ${describe(response)}, not a Response`);
  reply.hijack();
  const raw = reply.raw;
  if (response.headers.has(ALREADY_SENT)) return;
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = value as string | string[];
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie" && !HOP_BY_HOP.has(name)) headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  raw.writeHead(response.status, headers);
  if (!response.body || req.method === "HEAD") {
    raw.end();
    return;
  }
  // An event stream may stay silent for a while: its client must see the headers now, not with the first event.
  if (isEventStream(response.headers)) raw.flushHeaders();
  await copyBody(response.body, raw);
}

/** Write a web stream to a Node response, at the pace the client reads; stops reading when the client is gone. */
async function copyBody(body: ReadableStream<Uint8Array>, raw: FastifyReply["raw"]): Promise<void> {
  const reader = body.getReader();
  const onClose = () => void reader.cancel().catch(() => undefined);
  raw.once("close", onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (raw.destroyed) return;
      if (!raw.write(value)) await new Promise<void>((resolve) => {
        const go = () => {
          raw.off("drain", go);
          raw.off("close", go);
          resolve();
        };
        raw.on("drain", go);
        raw.on("close", go);
      });
    }
    raw.end();
  } catch {
    // The body failed midway (or the client went away): end the connection; there is nobody left to tell.
    raw.destroy();
  } finally {
    raw.off("close", onClose);
  }
}

function isEventStream(headers: Headers): boolean {
  return headers.get("content-type")?.startsWith("text/event-stream") ?? false;
}

/** A whole Node stream as one buffer. */
function collect(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.once("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    stream.once("error", reject);
  });
}

function hasBody(method: string): boolean {
  return method !== "GET" && method !== "HEAD";
}

/** The whole body, or "too large" past `limit` bytes (Fastify's bodyLimit, which the API would apply). */
async function readBody(raw: IncomingMessage, limit: number): Promise<Uint8Array | undefined | "too large"> {
  const declared = Number(raw.headers["content-length"]);
  if (declared > limit) return "too large";
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else {
        raw.off("data", onData);
        raw.resume(); // read the rest and let it go: the answer is a 413
        resolve("too large");
      }
    };
    raw.on("data", onData);
    raw.once("end", () => resolve(size === 0 ? undefined : size > limit ? "too large" : Buffer.concat(chunks, size)));
    raw.once("error", reject);
  });
}

/** The request's URL: by default as the user's app routes it (without the mount prefix). */
function urlOf(req: FastifyRequest, path = req.url): string {
  const proto = protocolOf(req);
  const host = req.headers.host ?? "localhost";
  try {
    return new URL(path, `${proto}://${host}`).href;
  } catch {
    // A Host that is no host name (the Host check, when on, refuses these earlier).
    return new URL(path, `${proto}://localhost`).href;
  }
}

function headersOf(req: FastifyRequest): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === "transfer-encoding" || name === TICKET) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return headers;
}

/** What the user's authenticate() gets for a request the front authenticates (as app.ts builds it for the API). */
function authInfo(req: FastifyRequest, body: Uint8Array | undefined): AuthRequestInfo {
  return {
    method: req.method,
    url: urlOf(req, req.originalUrl),
    headers: req.headers,
    body: body ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : undefined,
    peerIsLoopback: isLocalPeer(req.socket.remoteAddress, req.headers),
  };
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return `an object (${Object.prototype.toString.call(value)})`;
  return typeof value;
}
