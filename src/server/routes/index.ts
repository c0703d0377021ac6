/**
 * The API: every route group, each given only the services it uses, in one scope that reads every body as JSON,
 * shares journal writes among the replies of a turn, and serialises lists safely. (The custom app's routes, the
 * Studio and the docs live outside this scope.)
 */
import type { FastifyInstance } from "fastify";
import type { Logger } from "../../logger.js";
import type { Services } from "../../services/index.js";
import type { UiFiles } from "../../ui/bundles.js";
import { readBodiesAsJson } from "../body.js";
import type { HttpOptions, Introspect, Journal, ServerInfo } from "../deps.js";
import { shareJournalWrites } from "../group-commit.js";
import { serializeListsSafely } from "../serialize.js";
import { configurableHeaderFilter } from "../header-patterns.js";
import { guardWebhooks } from "../webhook-guard.js";
import { assistantRoutes } from "./assistants.js";
import { cronRoutes } from "./crons.js";
import { metaRoutes } from "./meta.js";
import { runRoutes } from "./runs.js";
import { storeRoutes } from "./store.js";
import { threadRoutes } from "./threads.js";
import { uiRoutes } from "./ui.js";

/** Options of {@link apiRoutes}. */
export interface ApiOptions {
  services: Services;
  journal: Journal;
  introspect: Introspect;
  info: ServerInfo;
  logger: Logger;
  /** Which route groups to leave out (langgraph.json `http.disable_*`). */
  http: HttpOptions;
  /** Generative UI bundles, served at /ui when given. */
  ui?: UiFiles;
  /** Keep-alive comment interval of idle event streams, in ms. */
  keepAliveMs: number;
}

/** The API scope: its body parsing, journal sharing and serialiser, then each route group not turned off. */
export async function apiRoutes(api: FastifyInstance, o: ApiOptions): Promise<void> {
  const { services: s, http } = o;
  api.addHook("onRoute", (route) => shareJournalWrites(route, o.journal));
  guardWebhooks(api, s.webhooks);
  readBodiesAsJson(api);
  serializeListsSafely(api, o.logger);
  if (!http.disable_meta) await api.register(metaRoutes, { info: o.info, truncate: (t, ctx) => s.truncate(t, ctx) });
  if (!http.disable_assistants) {
    await api.register(assistantRoutes, {
      assistants: s.assistants,
      graphs: s.graphs,
      introspect: o.introspect,
      deleteThreadsOfAssistant: (ctx, id) => s.deleteThreadsOfAssistant(ctx, id),
    });
  }
  if (!http.disable_threads) await api.register(threadRoutes, { threads: s.threads, streams: s.streams });
  if (!http.disable_runs) {
    await api.register(runRoutes, {
      runs: s.runs,
      threads: s.threads,
      streams: s.streams,
      keepAliveMs: o.keepAliveMs,
      configurableHeaders: configurableHeaderFilter(http.configurable_headers),
      mountPrefix: http.mount_prefix ?? "",
    });
    await api.register(cronRoutes, { crons: s.crons });
  }
  if (!http.disable_store) await api.register(storeRoutes, { store: s.store });
  if (!http.disable_ui && o.ui) await api.register(uiRoutes, { ui: o.ui, assistants: s.assistants, mountPrefix: http.mount_prefix ?? "" });
}
