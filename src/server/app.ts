/**
 * buildApp: the HTTP API as a Fastify instance that never listens by itself (`app.listen()` or `app.inject()`).
 * The composition root of server/: it registers each concern as a plugin, in the order the hooks must run, and
 * hands each route group its services. Nothing here handles a request.
 */
import Fastify, { type FastifyInstance } from "fastify";
import { authentication, isPublicRoute } from "./authentication.js";
import { jsonBodies } from "./body.js";
import { beforeReply } from "./before-reply.js";
import { allowPrivateNetwork, corsPolicy } from "./cors.js";
import { customApp } from "./custom-routes.js";
import type { AppDeps } from "./deps.js";
import { openApiDocs } from "./docs.js";
import { createErrorHandler, notFound } from "./errors.js";
import { flushJournalStep, groupCommit } from "./group-commit.js";
import { hostCheck } from "./host-check.js";
import { lazyValidators } from "./lazy-validators.js";
import { guardMount, rewriteForMount } from "./mount.js";
import { logRequests } from "./request-log.js";
import { apiRoutes } from "./routes/index.js";
import { studioRoutes } from "./studio.js";

export type { AppDeps, CorsConfig, HttpOptions, Introspect } from "./deps.js";

const DEFAULT_BODY_LIMIT = 50 * 1024 * 1024;

/** Build the HTTP API. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const bodyLimit = deps.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const http = deps.http ?? {};
  const journal = deps.services.durability;
  const prefix = http.mount_prefix ?? "";
  const app = Fastify({
    logger: false,
    bodyLimit,
    ajv: { customOptions: { coerceTypes: "array", removeAdditional: false, allErrors: false } },
    forceCloseConnections: true,
    schemaController: { compilersFactory: { buildValidator: lazyValidators() } },
    ...(deps.https ? { https: deps.https } : {}),
    ...(prefix ? { rewriteUrl: rewriteForMount(prefix) } : {}),
    // (With `https` Fastify types the instance over https.Server; the routes and hooks are the same.)
  }) as unknown as FastifyInstance;
  if (deps.serverLogger) logRequests(app, deps.serverLogger, http.logging_headers ?? undefined);
  app.setErrorHandler(createErrorHandler(deps.logger));
  app.setNotFoundHandler(notFound);

  // Hooks run in the order they are added here: the host check first, then the mount prefix's guard, then CORS
  // (preflights answered before authentication); authentication in preValidation; before every reply, the PNA
  // header and the journal flush.
  await app.register(jsonBodies);
  if (deps.allowedHosts !== undefined && deps.allowedHosts !== true) await app.register(hostCheck, { allowed: deps.allowedHosts });
  if (prefix) guardMount(app, prefix);
  await app.register(corsPolicy, { cors: deps.cors, studioOrigin: deps.studioOrigin });
  await app.register(groupCommit, { journal });
  await app.register(beforeReply, { steps: [allowPrivateNetwork, flushJournalStep(journal)] });
  await app.register(openApiDocs, { version: deps.info.version, auth: deps.openapiAuth, mountPrefix: prefix });
  await app.register(authentication, { auth: deps.auth });

  await app.register(apiRoutes, {
    services: deps.services,
    journal,
    introspect: deps.introspect,
    info: deps.info,
    logger: deps.logger,
    http,
    ui: deps.ui,
    keepAliveMs: deps.sseKeepAliveMs ?? 15_000,
  });
  if (deps.studio !== false) await app.register(studioRoutes, { ...deps.studio, mountPrefix: prefix });
  // http.app: after the API, so that a Fastify plugin's clashing routes are reported, and a fetch app's front
  // (an onRequest hook) sees requests after the host check and CORS.
  if (http.app) {
    await app.register(customApp, {
      custom: http.app,
      authenticate: http.customRouteAuth !== false,
      auth: deps.auth,
      isPublic: isPublicRoute,
      bodyLimit,
      logger: deps.logger,
      mountPrefix: prefix,
    });
  }
  // Webhooks whose URL is a path are delivered to this app, without the network.
  deps.services.webhooks.bindLoopback(async (url, payload, headers) => (await app.inject({ method: "POST", url, payload, headers })).statusCode);
  return app;
}
