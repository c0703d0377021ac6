/**
 * What the HTTP layer is given: the dependencies of buildApp (built by dev/ or by a test), and of each route group,
 * which receives only the services it uses. Types only, so that no file of server/ needs to import the composition
 * root (app.ts): it imports them all, and none imports it.
 */
import type { FastifyDynamicSwaggerOptions } from "@fastify/swagger";
import type { FastifyPluginAsyncJsonSchemaToTs } from "@fastify/type-provider-json-schema-to-ts";
import type { AuthService } from "../auth/types.js";
import type { LanggraphConfig } from "../config/index.js";
import type { CompiledGraphLike } from "../graphs/types.js";
import type { Logger } from "../logger.js";
import type { Ref, RequestContext } from "../services/context.js";
import type { Services } from "../services/index.js";
import type { DurabilityPort } from "../storage/backend.js";
import type { UiFiles } from "../ui/bundles.js";
import type { CustomApp } from "./custom-routes.js";
import type { HeaderFilter } from "./header-patterns.js";
import type { AllowedHosts } from "./host-check.js";
import type { StudioOptions } from "./studio.js";

declare module "fastify" {
  interface FastifyInstance {
    /** Write collected journal records now: before any hijacked (streamed) response writes a byte. */
    flushJournal(): void;
  }
  interface FastifyRequest {
    /** Who is asking (set by the authentication hook). */
    ctx: RequestContext;
  }
  interface FastifyContextConfig {
    /** Reachable without authentication. */
    public?: boolean;
  }
}

/** Graph introspection as the assistants routes need it. */
export interface Introspect {
  graphToJson(graph: CompiledGraphLike, opts: { xray?: boolean | number }): Promise<unknown>;
  graphSchemas(graph: CompiledGraphLike, graphId: string): Promise<unknown>;
  listSubgraphs(graph: CompiledGraphLike, opts: { graphId?: string; namespace?: string; recurse?: boolean }): Promise<unknown>;
  /** The subgraph at a `/subgraphs` namespace (`child|grandchild`), undefined when there is none. */
  subgraphAt(graph: CompiledGraphLike, namespace: string): Promise<CompiledGraphLike | undefined>;
}

/** CORS as langgraph.json `http.cors` spells it. */
export type CorsConfig = NonNullable<NonNullable<LanggraphConfig["http"]>["cors"]>;

/** langgraph.json `http` as buildApp applies it: route groups to leave out, and the user's custom app. */
export interface HttpOptions
  extends Pick<
    NonNullable<LanggraphConfig["http"]>,
    | "disable_assistants"
    | "disable_threads"
    | "disable_runs"
    | "disable_store"
    | "disable_meta"
    | "disable_ui"
    | "configurable_headers"
    | "logging_headers"
    | "mount_prefix"
  > {
  /** The module of `http.app`, loaded. */
  app?: CustomApp;
  /** Authenticate custom routes (default true; `http.enable_custom_route_auth: false` turns it off). */
  customRouteAuth?: boolean;
}

/** What /info reports. */
export interface ServerInfo {
  version: string;
  langgraphVersion: string;
  crons: boolean;
}

/** The OpenAPI document, as @fastify/swagger takes it. */
type OpenApiDocument = NonNullable<FastifyDynamicSwaggerOptions["openapi"]>;

/** `auth.openapi` from langgraph.json: `{securitySchemes, security}` for the OpenAPI document. */
export interface OpenApiAuth {
  securitySchemes?: NonNullable<OpenApiDocument["components"]>["securitySchemes"];
  security?: OpenApiDocument["security"];
}

/** Everything buildApp needs; built by dev/ (or by a test). */
export interface AppDeps {
  services: Services;
  auth: Ref<AuthService>;
  introspect: Introspect;
  logger: Logger;
  info: ServerInfo;
  /** Largest accepted request body, in bytes. */
  bodyLimit?: number;
  cors?: CorsConfig;
  openapiAuth?: OpenApiAuth;
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

/**
 * The storage's durability as the HTTP layer sees it (nothing else of the storage reaches it): writes collected in
 * this turn, written before a reply leaves.
 */
export type Journal = Pick<DurabilityPort, "flushPending" | "hasPending" | "whenFlushed">;

/** A route group: a Fastify plugin whose route schemas type its handlers' requests, given `Deps`. */
export type RoutePlugin<Deps extends object> = FastifyPluginAsyncJsonSchemaToTs<{ Options: Deps }>;

export type AssistantRoutesDeps = Pick<Services, "assistants" | "graphs" | "deleteThreadsOfAssistant"> & { introspect: Introspect };
export type ThreadRoutesDeps = Pick<Services, "threads" | "streams">;
export type RunRoutesDeps = Pick<Services, "runs" | "threads" | "streams"> & {
  /** Keep-alive comment interval of idle event streams, in ms. */
  keepAliveMs: number;
  /** Which request headers a run's graph sees in `config.configurable` (`http.configurable_headers`). */
  configurableHeaders: HeaderFilter;
  /** `http.mount_prefix` ("" for none): the start of the paths the routes' Location headers name. */
  mountPrefix: string;
};
export type CronRoutesDeps = Pick<Services, "crons">;
export type StoreRoutesDeps = Pick<Services, "store">;
export type MetaRoutesDeps = Pick<Services, "truncate"> & { info: ServerInfo };
export type UiRoutesDeps = Pick<Services, "assistants"> & {
  ui: UiFiles;
  /** `http.mount_prefix` ("" for none): the snippet's links to the built files start with it. */
  mountPrefix: string;
};
