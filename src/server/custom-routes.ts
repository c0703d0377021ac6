/**
 * Custom routes from langgraph.json `http.app`: a Fastify plugin (registered beside the API), or any object with
 * `fetch(request) => Response` (Hono, itty-router, Elysia…), mounted as the fallback for paths the API does not
 * serve. The module is imported through the graphs layer's loader (passed in), so TypeScript works unbuilt.
 * Authentication applies to custom routes unless `http.enable_custom_route_auth` is `false`.
 */
import { stat } from "node:fs/promises";
import { resolve as resolvePath } from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { FastifyInstance, FastifyPluginAsync, FastifyPluginCallback, FastifyReply, FastifyRequest } from "fastify";
import { ConfigError } from "../errors.js";
import { splitExportRef } from "../graphs/ref.js";
import { lookupExport } from "../graphs/resolve.js";

/** A fetch-style handler: a standard Request in, a standard Response out. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/** The user's custom app, recognised by shape. */
export type CustomApp =
  | { kind: "fastify"; plugin: FastifyPluginAsync | FastifyPluginCallback; source: string }
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

/** Mount the custom app on the server. Call after the API routes so route clashes are reported clearly. */
export async function mountCustomApp(app: FastifyInstance, custom: CustomApp, opts: { authenticate: boolean }): Promise<void> {
  try {
    await app.register(async (scope) => {
      if (!opts.authenticate) {
        scope.addHook("onRoute", (route) => {
          route.config = { ...(route.config as object), public: true } as never;
        });
      }
      if (custom.kind === "fastify") {
        await scope.register(custom.plugin as FastifyPluginAsync);
        return;
      }
      // The fetch app reads the body itself: hand it the raw bytes, whatever the content type.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));
      scope.route({
        method: ["GET", "POST", "PUT", "PATCH", "DELETE"],
        url: "/*",
        schema: { hide: true },
        config: opts.authenticate ? {} : { public: true },
        handler: (req, reply) => forward(req, reply, custom.fetch),
      });
    });
  } catch (err) {
    const error = new ConfigError(`Could not mount the custom app (${custom.source}): ${(err as Error).message}`);
    error.cause = err;
    throw error;
  }
}

/** Fastify request -> standard Request -> the user's fetch -> Fastify reply (streamed). */
async function forward(req: FastifyRequest, reply: FastifyReply, handler: FetchHandler): Promise<FastifyReply> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const proto = req.headers["x-forwarded-proto"] === "https" ? "https" : "http";
  const aborted = new AbortController();
  reply.raw.on("close", () => {
    if (!reply.raw.writableFinished) aborted.abort();
  });
  const hasBody = req.method !== "GET" && req.method !== "HEAD" && Buffer.isBuffer(req.body) && req.body.length > 0;
  const request = new Request(`${proto}://${req.headers.host ?? "localhost"}${req.url}`, {
    method: req.method,
    headers,
    signal: aborted.signal,
    ...(hasBody ? { body: req.body as unknown as BodyInit } : {}),
  });
  const response = await handler(request);
  if (!(response instanceof Response) && typeof (response as { status?: unknown })?.status !== "number") {
    throw new Error(`the custom app's fetch returned ${typeof response}, not a Response`);
  }
  reply.code(response.status);
  response.headers.forEach((v, k) => {
    if (k !== "set-cookie") reply.header(k, v);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) reply.header("set-cookie", cookies);
  if (!response.body || req.method === "HEAD") return reply.send();
  return reply.send(Readable.fromWeb(response.body as unknown as WebReadableStream));
}
