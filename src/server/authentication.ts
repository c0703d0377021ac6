/**
 * Authentication of every request but those of public routes, with the user's `auth.authenticate`, before
 * validation: a client without credentials gets 401 whatever it sent, and learns nothing about the API's shapes.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { isLocalPeer } from "../auth/index.js";
import type { AuthRequestInfo, AuthService } from "../auth/types.js";
import { LgDevError } from "../errors.js";
import type { Ref, RequestContext } from "../services/context.js";
import { rawBodyOf, UnreadableBody } from "./body.js";
import { isDocsRoute } from "./docs.js";
import { protocolOf } from "./protocol.js";

/** Routes reachable without authentication: marked `config.public`, or the docs. */
export const isPublicRoute = (req: FastifyRequest): boolean => req.routeOptions.config?.public === true || isDocsRoute(req.routeOptions.url);

/** Sets `req.ctx` (who is asking) on every request, in a `preValidation` hook. */
export const authentication = fp(async (app: FastifyInstance, { auth }: { auth: Ref<AuthService> }) => {
  app.decorateRequest("ctx", null as unknown as RequestContext);
  app.addHook("preValidation", async (req, reply) => {
    // Already set: the custom app in front of the API (http.app) authenticated this request before passing it on.
    const preset = req.ctx !== null;
    if (!preset) req.ctx = {};
    const service = auth.current;
    if (!preset && !isPublicRoute(req) && service.enabled) {
      try {
        req.ctx = { auth: await service.authenticate(requestInfo(req)) };
      } catch (err) {
        // A refusal (401/403 from the user's HTTPException) is answered here, not through Fastify's error path:
        // refusing unauthenticated traffic is the common case and should cost no more than serving it.
        if (!(err instanceof LgDevError)) throw err;
        return reply.code(err.status).headers(err.headers).type("text/plain; charset=utf-8").send(err.message);
      }
    }
    // A body that could not be read (body.ts) is answered only now, after authentication.
    if (req.body instanceof UnreadableBody) throw req.body.error;
  });
});

/** The standard-Request view of a Fastify request for the user's authenticate(). */
function requestInfo(req: FastifyRequest): AuthRequestInfo {
  const host = req.headers.host ?? "localhost";
  const proto = protocolOf(req);
  const raw = rawBodyOf(req);
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
    // As the client wrote it (with the mount prefix).
    url: `${proto}://${host}${req.originalUrl}`,
    headers: req.headers,
    body,
    peerIsLoopback: isLocalPeer(req.socket.remoteAddress, req.headers),
  };
}

