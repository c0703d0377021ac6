/** The API's documentation: /openapi.json, generated from the route schemas, and the Swagger UI at /docs. */
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { OpenApiAuth } from "./deps.js";

/**
 * The docs routes (registered by @fastify/swagger-ui, which cannot mark them `public` itself), recognised by the
 * pattern of the route that matched - never by the raw URL, which may say `/docs/../x` while routing elsewhere.
 * Unknown paths match no route and so are never public.
 */
export const isDocsRoute = (routeUrl: string | undefined): boolean => routeUrl === "/docs" || (routeUrl?.startsWith("/docs/") ?? false);

/** Options of {@link openApiDocs}. */
export interface OpenApiDocsOptions {
  version: string;
  /** langgraph.json `auth.openapi`: how clients authenticate, shown in /docs ("Authorize") and /openapi.json. */
  auth?: OpenApiAuth;
  /** `http.mount_prefix`: the document's server, so that /docs' "Try it out" calls the API where it is. */
  mountPrefix?: string;
}

/** Register before the routes: @fastify/swagger collects the schemas of the routes registered after it. */
export const openApiDocs = fp(async (app: FastifyInstance, { version, auth, mountPrefix }: OpenApiDocsOptions) => {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      ...(mountPrefix ? { servers: [{ url: mountPrefix }] } : {}),
      info: { title: "lg-dev: LangGraph API", version, description: "The LangGraph Platform API, served locally by lg-dev." },
      ...(auth?.securitySchemes ? { components: { securitySchemes: auth.securitySchemes } } : {}),
      ...(auth?.security ? { security: auth.security } : {}),
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs", uiConfig: { docExpansion: "list" } });
  app.get("/openapi.json", { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
});
