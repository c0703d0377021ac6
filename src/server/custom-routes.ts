/**
 * Custom routes from langgraph.json `http.app`: a Fastify plugin (registered beside the API), a Hono app, or any
 * object with `fetch(request) => Response` (itty-router, Elysia…). A fetch-style app is put in front of the API, as
 * the official server mounts it (fetch-front.ts): a Hono app's middleware wraps every request, API routes included,
 * and its routes win over the API's; a plain fetch app answers first and falls through to the API by answering 404.
 * The module is imported through the graphs layer's loader (passed in), so TypeScript works unbuilt.
 * Authentication applies to custom routes unless `http.enable_custom_route_auth` is `false`.
 */
import { stat } from "node:fs/promises";
import { resolve as resolvePath } from "node:path";
import type { FastifyInstance, FastifyPluginAsync, FastifyPluginCallback } from "fastify";
import fp from "fastify-plugin";
import { ConfigError } from "../errors.js";
import { splitExportRef } from "../graphs/ref.js";
import { lookupExport } from "../graphs/resolve.js";
import type { Logger } from "../logger.js";
import { mountFront, type Front, type FrontRequest, type MountFrontOptions } from "./fetch-front.js";

/** A fetch-style handler: a standard Request in, a standard Response out. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/** The parts of a Hono app (any Hono 4 build: hono, hono/tiny, hono/quick, OpenAPIHono…) lg-dev composes with. */
export interface HonoLike {
  fetch(request: Request, env?: unknown): Response | Promise<Response>;
  getPath(request: Request): string;
  router: { match(method: string, path: string): [unknown[], ...unknown[]] };
  route(path: string, app: HonoLike): unknown;
  use(path: string, handler: (c: HonoContextLike, next: () => Promise<void>) => Promise<unknown>): unknown;
  notFound(handler: (c: HonoContextLike) => Response | Promise<Response>): unknown;
  onError(handler: (err: Error, c: HonoContextLike) => Response | Promise<Response>): unknown;
  routes: unknown[];
}

/** The parts of Hono's Context used here. */
interface HonoContextLike {
  req: { raw: Request; bodyCache?: Record<string, unknown>; arrayBuffer(): Promise<ArrayBuffer>; method: string; path: string };
  env: unknown;
  set(key: string, value: unknown): void;
  newResponse(body: ReadableStream | null, init: ResponseInit): Response;
}

/** The user's custom app, recognised by shape. */
export type CustomApp =
  | { kind: "fastify"; plugin: FastifyPluginAsync | FastifyPluginCallback; source: string }
  | { kind: "hono"; app: HonoLike; source: string }
  | { kind: "fetch"; fetch: FetchHandler; source: string };

/** Importing a module by absolute path (the graphs layer's loader). */
export type ImportModule = (absFile: string) => Promise<Record<string, unknown>>;

/** Import `http.app` (`"./src/app.ts:app"`, default export without `:name`) and recognise what it exports. */
export async function loadCustomApp(ref: string, opts: { configDir: string; importModule: ImportModule }): Promise<CustomApp> {
  const { path, exportName } = splitExportRef(ref);
  const file = resolvePath(opts.configDir, path);
  const where = `http.app "${ref}" in langgraph.json`;
  if (!(await stat(file).catch(() => undefined))?.isFile()) throw new ConfigError(`Custom app module not found: ${file} (${where})`);
  let mod: Record<string, unknown>;
  try {
    mod = await opts.importModule(file);
  } catch (err) {
    const error = new ConfigError(`Failed to import custom app module ${file} (${where}): ${(err as Error)?.message ?? String(err)}`);
    error.cause = err;
    throw error;
  }
  const found = lookupExport(mod, exportName);
  if (!found.found) throw new ConfigError(`Custom app module ${file} has no export "${exportName}" (${where})`);
  return resolveCustomApp(found.value, `export "${exportName}" of ${file} (${where})`);
}

/** Classify an exported value (pure); ConfigError when it is neither a Fastify plugin nor a fetch app. */
export function resolveCustomApp(value: unknown, source: string): CustomApp {
  if (value !== null && (typeof value === "object" || typeof value === "function")) {
    if (isHono(value)) return { kind: "hono", app: value, source };
    const fetchFn = (value as { fetch?: unknown }).fetch;
    if (typeof fetchFn === "function") return { kind: "fetch", fetch: (req) => fetchFn.call(value, req), source };
  }
  if (typeof value === "function") {
    const fn = value as { handle?: unknown; use?: unknown };
    if (typeof fn.handle === "function" && typeof fn.use === "function") {
      throw new ConfigError(`${source} looks like an Express/Connect app, which lg-dev cannot mount: export a Fastify plugin or an app with fetch(request) (e.g. Hono)`);
    }
    return { kind: "fastify", plugin: value as FastifyPluginAsync, source };
  }
  const what = value === null ? "null" : typeof value === "object" ? "an object without a fetch(request) method" : typeof value;
  throw new ConfigError(`${source} is ${what}: export a Fastify plugin (async (app) => {...}) or an app with fetch(request) => Response (e.g. new Hono())`);
}


/** A Hono app, recognised by the methods composing it needs (its class may come from any copy of hono). */
function isHono(value: object): value is HonoLike {
  const v = value as Partial<Record<keyof HonoLike, unknown>>;
  return (
    typeof v.fetch === "function" &&
    typeof v.route === "function" &&
    typeof v.use === "function" &&
    typeof v.notFound === "function" &&
    typeof v.onError === "function" &&
    Array.isArray(v.routes)
  );
}

/** Options of {@link mountCustomApp}. */
export interface MountCustomAppOptions extends Omit<MountFrontOptions, "authenticate"> {
  /** Authenticate custom routes (`http.enable_custom_route_auth`, default true). */
  authenticate: boolean;
  logger: Logger;
}

/** The custom app as a plugin. Register it after the API routes (a Fastify plugin's clashes are then reported). */
export const customApp = fp(async (app: FastifyInstance, { custom, ...opts }: MountCustomAppOptions & { custom: CustomApp }) => {
  await mountCustomApp(app, custom, opts);
});

/** Mount the custom app on the server. Call after the API routes (a Fastify plugin's clashes are then reported). */
export async function mountCustomApp(app: FastifyInstance, custom: CustomApp, opts: MountCustomAppOptions): Promise<void> {
  try {
    if (custom.kind === "fastify") {
      await app.register(async (scope) => {
        if (!opts.authenticate) {
          scope.addHook("onRoute", (route) => {
            route.config = { ...route.config, public: true };
          });
        }
        await scope.register(custom.plugin as FastifyPluginAsync);
      });
      return;
    }
    const front = custom.kind === "hono" ? honoFront(custom.app, opts.logger) : fetchFront(custom.fetch);
    mountFront(app, front, opts);
  } catch (err) {
    const error = new ConfigError(`Could not mount the custom app (${custom.source}): ${(err as Error).message}`);
    error.cause = err;
    throw error;
  }
}

/** A plain fetch app answers first; its 404 means "not mine", and the request goes on to the API. */
function fetchFront(fetch: FetchHandler): Front {
  return {
    async handle(front) {
      const response = await fetch(front.request);
      if (!(response instanceof Response) || response.status !== 404) return response;
      await response.body?.cancel().catch(() => undefined);
      const { request, body } = front;
      return front.toApi(new Request(request.url, { method: request.method, headers: request.headers }), body);
    },
  };
}

/** Where the per-request state travels inside Hono: on `c.env`, beside @hono/node-server's incoming/outgoing. */
const FRONT = Symbol("lg-dev.front");

/**
 * The user's Hono app composed with lg-dev's API as the official server composes it with its own routes
 * (`app.route("/", userApp)`): a new app of the user's Hono class holds the user's middleware and routes in their
 * order, and lg-dev's API is its not-found handler. A middleware's `await next()` with no route of the user's left
 * thus reaches the API (or lg-dev's 404), and the middleware sees the API's Response after it.
 */
function honoFront(user: HonoLike, logger: Logger): Front {
  const HonoClass = user.constructor as new () => HonoLike;
  const composed = new HonoClass();
  // Custom routes see the caller as the official server shows it: c.get("auth") -> {user, scopes}.
  composed.use("*", async (c, next) => {
    const auth = stateOf(c).auth;
    if (auth) c.set("auth", { user: auth.user, scopes: auth.permissions });
    await next();
  });
  composed.route("/", user);
  composed.notFound(async (c) => {
    const front = stateOf(c);
    const request = c.req.raw;
    return front.toApi(request, await bodyForApi(c, front));
  });
  composed.onError((err, c) => {
    // Hono's HTTPException carries its own response.
    const withResponse = err as Error & { getResponse?: () => Response };
    if (typeof withResponse.getResponse === "function") {
      const res = withResponse.getResponse();
      return c.newResponse(res.body, res);
    }
    logger.error(`${c.req.method} ${c.req.path} failed in the custom app (http.app)`, err);
    return new Response("Internal Server Error", { status: 500, headers: { "content-type": "text/plain; charset=utf-8" } });
  });
  return {
    handle: (front) => Promise.resolve(composed.fetch(front.request, { incoming: front.incoming, outgoing: front.outgoing, [FRONT]: front })),
    // Requests none of the user's middleware or routes match (an app that only adds routes of its own, or
    // middleware on some paths) skip the composition: the API serves them at no extra cost.
    applies(method, url) {
      try {
        const path = composed.getPath({ url } as Request);
        return user.router.match(method === "HEAD" ? "GET" : method, path)[0].length > 0;
      } catch {
        return true;
      }
    },
  };
}

function stateOf(c: HonoContextLike): FrontRequest {
  return (c.env as { [FRONT]: FrontRequest })[FRONT];
}

/**
 * The body the API gets after the user's middleware: the body of a request it put in place of the received one
 * (`c.req.raw = new Request(…)`, whether or not it read the old body first); else what Hono's body cache holds
 * (older Hono versions cache the parsed JSON, so a middleware may have changed it in place); else the bytes as
 * received.
 */
async function bodyForApi(c: HonoContextLike, front: FrontRequest): Promise<Uint8Array | undefined> {
  const request = c.req.raw;
  if (request.method === "GET" || request.method === "HEAD") return undefined;
  const nonEmpty = (buffer: ArrayBuffer) => (buffer.byteLength > 0 ? new Uint8Array(buffer) : undefined);
  if (request !== front.request && !request.bodyUsed) return nonEmpty(await request.arrayBuffer());
  if (c.req.bodyCache !== undefined && Object.keys(c.req.bodyCache).length > 0) {
    try {
      return nonEmpty(await c.req.arrayBuffer());
    } catch {
      // Nothing readable left (the middleware consumed the raw body itself): the bytes as received.
    }
  }
  return front.body;
}
