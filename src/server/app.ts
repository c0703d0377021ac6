import cors from "@fastify/cors";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type RouteOptions } from "fastify";
import { isLocalPeer } from "../auth/index.js";
import type { AuthRequestInfo, AuthService } from "../auth/types.js";
import { LgDevError } from "../errors.js";
import type { CompiledGraphLike } from "../graphs/types.js";
import type { Logger } from "../logger.js";
import type { Ref, RequestContext } from "../services/context.js";
import type { Services } from "../services/index.js";
import { parseBody, RAW_BODY, readBodiesAsJson, UnreadableBody } from "./body.js";
import { serializeListsSafely } from "./serialize.js";
import { mountCustomApp, type CustomApp } from "./custom-routes.js";
import { createErrorHandler } from "./errors.js";
import { hostCheckHook, type AllowedHosts } from "./host-check.js";
import { lazyValidators } from "./lazy-validators.js";
import { assistantRoutes } from "./routes/assistants.js";
import { cronRoutes } from "./routes/crons.js";
import { metaRoutes } from "./routes/meta.js";
import { runRoutes } from "./routes/runs.js";
import { storeRoutes } from "./routes/store.js";
import { threadRoutes } from "./routes/threads.js";
import { uiRoutes } from "./routes/ui.js";
import type { UiFiles } from "../ui/bundles.js";
import { studioRoutes, type StudioOptions } from "./studio.js";
import { guardWebhooks } from "./webhook-guard.js";
import { logRequests } from "./request-log.js";

declare module "fastify" {
  interface FastifyInstance {
    /** Write collected journal records now: before any hijacked (streamed) response writes a byte. */
    flushJournal(): void;
  }
  interface FastifyRequest {
    /** Who is asking (set by the auth hook). */
    ctx: RequestContext;
  }
  interface FastifyContextConfig {
    /** Reachable without authentication. */
    public?: boolean;
  }
  interface FastifyInstance {
    /** Keep-alive comment interval of event streams, in ms. */
    sseKeepAliveMs: number;
  }
}

/** Graph introspection as the assistants routes need it. */
export interface Introspect {
  graphToJson(graph: CompiledGraphLike, opts: { xray?: boolean | number }): Promise<unknown>;
  graphSchemas(graph: CompiledGraphLike, graphId: string): Promise<unknown>;
  listSubgraphs(graph: CompiledGraphLike, opts: { graphId?: string; namespace?: string; recurse?: boolean }): Promise<unknown>;
}

/** CORS as langgraph.json `http.cors` spells it. */
export interface CorsConfig {
  allow_origins?: string[];
  allow_origin_regex?: string;
  allow_methods?: string[];
  allow_headers?: string[];
  allow_credentials?: boolean;
  expose_headers?: string[];
  max_age?: number;
}

/** langgraph.json `http` as buildApp applies it: route groups to leave out, and the user's custom app. */
export interface HttpOptions {
  /** The module of `http.app`, loaded. */
  app?: CustomApp;
  /** Authenticate custom routes (default true; `http.enable_custom_route_auth: false` turns it off). */
  customRouteAuth?: boolean;
  disable_assistants?: boolean;
  disable_threads?: boolean;
  disable_runs?: boolean;
  disable_store?: boolean;
  disable_meta?: boolean;
  disable_ui?: boolean;
}

/** Everything buildApp needs; built by dev/ (or by a test). */
export interface AppDeps {
  services: Services;
  auth: Ref<AuthService>;
  introspect: Introspect;
  logger: Logger;
  info: { version: string; langgraphVersion: string; crons: boolean };
  /** Largest accepted request body, in bytes. */
  bodyLimit?: number;
  cors?: CorsConfig;
  /** `auth.openapi` from langgraph.json: `{securitySchemes, security}` for the OpenAPI document. */
  openapiAuth?: { securitySchemes?: Record<string, unknown>; security?: unknown[] };
  /** Origin of the Studio the banner links to (allowed by the default CORS policy). */
  studioOrigin?: string;
  http?: HttpOptions;
  /** Generative UI bundles (langgraph.json `ui`), served at /ui unless `http.disable_ui`. */
  ui?: UiFiles;
  /** Keep-alive comment interval of idle event streams (default 15 s). */
  sseKeepAliveMs?: number;
  /** The local Studio at /studio (default on, from the package's build); `false` leaves it out. */
  studio?: StudioOptions | false;
  /**
   * DNS rebinding protection (server/host-check.ts): the hosts served besides the loopback names. Undefined or
   * `true`: every host (dev/ leaves it off when listening on a non-loopback address).
   */
  allowedHosts?: AllowedHosts;
  /** Serve HTTPS with this certificate and key (`--ssl-certfile`, `--ssl-keyfile`). */
  https?: { cert: Buffer; key: Buffer };
  /** The HTTP server's own log (`--server-log-level`): one line per request at `info` (request-log.ts). */
  serverLogger?: Logger;
}

const DEFAULT_BODY_LIMIT = 50 * 1024 * 1024;
const EXPOSED = ["Content-Location", "Location", "X-Pagination-Total", "X-Pagination-Next"];
/** Browser origins allowed when langgraph.json sets no `http.cors`: the hosted Studio and localhost pages. */
const DEFAULT_ORIGINS = [/^https:\/\/([a-z0-9-]+\.)*smith\.langchain\.com$/, /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/];
/** Every method the API uses (the Studio patches and deletes from another origin). */
const METHODS = ["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS"];

/**
 * The docs routes (registered by @fastify/swagger-ui, which cannot mark them `public` itself), recognised by the
 * pattern of the route that matched - never by the raw URL, which may say `/docs/../x` while routing elsewhere.
 * Unknown paths match no route and so are never public.
 */
const isDocsRoute = (routeUrl: string | undefined) => routeUrl === "/docs" || (routeUrl?.startsWith("/docs/") ?? false);

/** Build the HTTP API. It never listens by itself: `app.listen()` or `app.inject()`. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT,
    ajv: { customOptions: { coerceTypes: "array", removeAdditional: false, allErrors: false } },
    forceCloseConnections: true,
    schemaController: { compilersFactory: { buildValidator: lazyValidators() } },
    ...(deps.https ? { https: deps.https } : {}),
  }) as unknown as FastifyInstance;
  if (deps.serverLogger) logRequests(app, deps.serverLogger);
  app.decorateRequest("ctx", null as unknown as RequestContext);
  app.decorateRequest(RAW_BODY, undefined);
  app.decorate("sseKeepAliveMs", deps.sseKeepAliveMs ?? 15_000);
  app.setErrorHandler(createErrorHandler(deps.logger));

  // JSON bodies (for the user's Fastify plugins; API routes read every body as JSON, see body.ts): an empty body is
  // "no body", broken JSON is a 400 that says where.
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (req, body, done) => {
    (req as FastifyRequest & { [RAW_BODY]?: string })[RAW_BODY] = body as string;
    done(null, parseBody(body as string));
  });

  // First of all hooks: a rebinding page gets nothing, not even a CORS preflight or a 401.
  if (deps.allowedHosts !== undefined && deps.allowedHosts !== true) app.addHook("onRequest", hostCheckHook(deps.allowedHosts));
  await app.register(cors, corsOptions(deps.cors, deps.studioOrigin));
  // Chrome's Private Network Access: a public page (the hosted Studio) may reach this local server.
  // Group commit: the journal gets everything a reply acknowledges before the reply leaves. API handlers also wait
  // for the end of the turn (see shareJournalWrites), so replies made in the same turn share one write.
  // (A callback hook, not an async one: this runs on every response.)
  const storage = deps.services.storage;
  app.decorate("flushJournal", () => storage.flushPending());
  app.addHook("onSend", (req, reply, payload, done) => {
    if (req.method === "OPTIONS" && req.headers["access-control-request-private-network"] === "true") {
      reply.header("Access-Control-Allow-Private-Network", "true");
    }
    // Synchronous on purpose: an async onSend would let Fastify send twice for handlers (ours or a user's
    // http.app plugin) that call reply.send() without returning the reply.
    try {
      storage.flushPending();
    } catch (err) {
      done(err as Error);
      return;
    }
    done(null, payload);
  });

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: { title: "lg-dev: LangGraph API", version: deps.info.version, description: "The LangGraph Platform API, served locally by lg-dev." },
      // langgraph.json `auth.openapi`: how clients authenticate, shown in /docs ("Authorize") and /openapi.json.
      ...(deps.openapiAuth?.securitySchemes ? { components: { securitySchemes: deps.openapiAuth.securitySchemes as never } } : {}),
      ...(deps.openapiAuth?.security ? { security: deps.openapiAuth.security as never } : {}),
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs", uiConfig: { docExpansion: "list" } });
  app.get("/openapi.json", { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  const isPublicRoute = (req: FastifyRequest) => req.routeOptions.config?.public === true || isDocsRoute(req.routeOptions.url);
  app.addHook("preValidation", async (req, reply) => {
    // Already set: the custom app in front of the API (http.app) authenticated this request before passing it on.
    const preset = req.ctx !== null;
    if (!preset) req.ctx = {};
    const auth = deps.auth.current;
    if (!preset && !isPublicRoute(req) && auth.enabled) {
      try {
        req.ctx = { auth: await auth.authenticate(requestInfo(req)) };
      } catch (err) {
        // A refusal (401/403 from the user's HTTPException) is answered here, not through Fastify's error path:
        // refusing unauthenticated traffic is the common case and should cost no more than serving it.
        if (!(err instanceof LgDevError)) throw err;
        return reply.code(err.status).headers(err.headers).type("text/plain; charset=utf-8").send(err.message);
      }
    }
    if (req.body instanceof UnreadableBody) throw req.body.error;
  });
  app.setNotFoundHandler(async (req, reply) => {
    return reply.code(404).type("text/plain; charset=utf-8").send(`Not Found: ${req.method} ${req.url.split("?", 1)[0]}`);
  });

  const http = deps.http ?? {};
  await app.register(async (api) => {
    api.addHook("onRoute", (route) => shareJournalWrites(route, storage));
    guardWebhooks(api, deps.services.webhooks);
    readBodiesAsJson(api);
    serializeListsSafely(api, deps.logger);
    if (!http.disable_meta) await metaRoutes(api, deps);
    if (!http.disable_assistants) await assistantRoutes(api, deps);
    if (!http.disable_threads) await threadRoutes(api, deps);
    if (!http.disable_runs) {
      await runRoutes(api, deps);
      await cronRoutes(api, deps);
    }
    if (!http.disable_store) await storeRoutes(api, deps);
    if (!http.disable_ui && deps.ui) await uiRoutes(api, { ...deps, ui: deps.ui });
  });
  if (deps.studio !== false) await app.register(studioRoutes, deps.studio ?? {});
  if (http.app) {
    await mountCustomApp(app, http.app, {
      authenticate: http.customRouteAuth !== false,
      auth: deps.auth,
      isPublic: isPublicRoute,
      bodyLimit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT,
      logger: deps.logger,
    });
  }
  // Webhooks whose URL is a path are delivered to this app, without the network.
  deps.services.webhooks.bindLoopback(async (url, payload, headers) => (await app.inject({ method: "POST", url, payload, headers })).statusCode);
  return app;
}

/**
 * Wrap an API handler so that, when it leaves changes waiting for the journal, its reply waits for the end of the
 * turn: every request handled in that turn then shares one journal write (group commit), instead of one each.
 * Handlers that send the reply themselves are covered by the synchronous flush in onSend.
 */
function shareJournalWrites(route: RouteOptions, storage: Services["storage"]): void {
  const handler = route.handler as (this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) => unknown;
  route.handler = async function (this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) {
    const out = await handler.call(this, req, reply);
    if (storage.hasPending && !reply.sent) await storage.whenFlushed();
    return out;
  };
}

/** The standard-Request view of a Fastify request for the user's authenticate(). */
function requestInfo(req: FastifyRequest): AuthRequestInfo {
  const host = req.headers.host ?? "localhost";
  const tls = (req.socket as { encrypted?: boolean }).encrypted === true;
  const proto = tls || (req.headers["x-forwarded-proto"] as string | undefined) === "https" ? "https" : "http";
  const raw = (req as FastifyRequest & { [RAW_BODY]?: string })[RAW_BODY];
  const body =
    req.body === undefined
      ? undefined
      : raw !== undefined
        ? raw
        : typeof req.body === "string" || Buffer.isBuffer(req.body)
          ? req.body
          : JSON.stringify(req.body);
  return {
    method: req.method,
    url: `${proto}://${host}${req.url}`,
    headers: req.headers,
    body,
    peerIsLoopback: isLocalPeer(req.socket.remoteAddress, req.headers),
  };
}

function corsOptions(c: CorsConfig | undefined, studioOrigin?: string) {
  if (!c) {
    // By default only the hosted Studio and local pages may call the API from a browser: a random website
    // must not drive a developer's local server.
    return { origin: studioOrigin ? [...DEFAULT_ORIGINS, studioOrigin] : DEFAULT_ORIGINS, methods: METHODS, credentials: true, exposedHeaders: EXPOSED, maxAge: 600 };
  }
  const origins: Array<string | RegExp> = [...(c.allow_origins ?? [])];
  if (c.allow_origin_regex) origins.push(new RegExp(c.allow_origin_regex));
  return {
    origin: origins.includes("*") ? true : origins,
    methods: !c.allow_methods || c.allow_methods.includes("*") ? METHODS : c.allow_methods,
    allowedHeaders: c.allow_headers?.includes("*") ? undefined : c.allow_headers,
    credentials: c.allow_credentials ?? false,
    exposedHeaders: [...new Set([...EXPOSED, ...(c.expose_headers ?? [])])],
    maxAge: c.max_age ?? 600,
  };
}
