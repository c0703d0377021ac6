/**
 * Which browser pages may call the API: langgraph.json `http.cors`, or by default the hosted Studio and local pages
 * only (a random website must not drive a developer's local server).
 */
import cors, { type FastifyCorsOptions } from "@fastify/cors";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { ReplyStep } from "./before-reply.js";
import type { CorsConfig } from "./deps.js";

const EXPOSED = ["Content-Location", "Location", "X-Pagination-Total", "X-Pagination-Next"];
/** Browser origins allowed when langgraph.json sets no `http.cors`: the hosted Studio and localhost pages. */
const DEFAULT_ORIGINS = [/^https:\/\/([a-z0-9-]+\.)*smith\.langchain\.com$/, /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/];
/** Every method the API uses (the Studio patches and deletes from another origin). */
const METHODS = ["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS"];

/** Options of {@link corsPolicy}. */
export interface CorsPolicyOptions {
  cors?: CorsConfig;
  /** Origin of the Studio the banner links to (allowed by the default policy). */
  studioOrigin?: string;
}

/** CORS for every route (preflights are answered in its onRequest hook, before authentication). */
export const corsPolicy = fp(async (app: FastifyInstance, { cors: config, studioOrigin }: CorsPolicyOptions) => {
  await app.register(cors, corsOptions(config, studioOrigin));
});

/** Chrome's Private Network Access: a public page (the hosted Studio) may reach this local server. A reply step. */
export const allowPrivateNetwork: ReplyStep = (req, reply) => {
  if (req.method === "OPTIONS" && req.headers["access-control-request-private-network"] === "true") {
    reply.header("Access-Control-Allow-Private-Network", "true");
  }
};

function corsOptions(c: CorsConfig | undefined, studioOrigin?: string): FastifyCorsOptions {
  if (!c) {
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
