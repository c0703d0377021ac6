/**
 * The route-test harness: buildApp over fresh storage (or the storage given), with in-process graphs, the auth
 * service and the buildApp options a test names; `inject` only, no port. `close()` stops the services and the app.
 */
import { AIMessage } from "@langchain/core/messages";
import { Annotation, MessagesAnnotation, StateGraph, interrupt } from "@langchain/langgraph";
import type { FastifyInstance } from "fastify";
import type { AuthService } from "../../src/auth/types.js";
import type { CompiledGraphLike, LoadedGraph } from "../../src/graphs/types.js";
import { createLogger, type Logger } from "../../src/logger.js";
import { buildApp, type AppDeps, type Introspect } from "../../src/server/app.js";
import { buildServices, type Services, type ServicesOptions } from "../../src/services/index.js";
import { EmbeddedBackend } from "../../src/storage/embedded/backend.js";
import { Storage } from "../../src/storage/embedded/storage.js";

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      reject(new Error("aborted"));
    });
  });

/** Answers `echo: <last message>`. */
export function echoGraph() {
  return new StateGraph(MessagesAnnotation)
    .addNode("respond", (s) => ({ messages: [new AIMessage({ content: `echo: ${String(s.messages.at(-1)?.content)}`, id: `ai-${s.messages.length}` })] }))
    .addEdge("__start__", "respond");
}

/** Interrupts at once, asking "q". */
export function askGraph() {
  const State = Annotation.Root({ answer: Annotation<string> });
  return new StateGraph(State).addNode("ask", () => ({ answer: interrupt("q") as string })).addEdge("__start__", "ask");
}

/** The graphs a test app serves by default: `echo`, `ask` and `slow`. */
export function testGraphs(): Record<string, unknown> {
  return { echo: echoGraph(), ask: askGraph(), slow: slowGraph() };
}

/** Two ticks of `ms` each (default 100). */
export function slowGraph() {
  const State = Annotation.Root({ ms: Annotation<number>, ticks: Annotation<number[]>({ reducer: (a, b) => a.concat(b), default: () => [] }) });
  return new StateGraph(State)
    .addNode("tick1", async (s, c) => (await sleep(s.ms ?? 100, c.signal), { ticks: [1] }))
    .addNode("tick2", async (s, c) => (await sleep(s.ms ?? 100, c.signal), { ticks: [2] }))
    .addEdge("__start__", "tick1")
    .addEdge("tick1", "tick2");
}

/** Options of {@link makeTestApp}. */
export interface TestAppOptions {
  /** The user's auth (default: none). */
  auth?: AuthService;
  /** Default: silent. */
  logger?: Logger;
  /** buildApp's options beyond the services: http, CORS, keep-alive, UI, body limit, Studio, allowed hosts… */
  deps?: Partial<Omit<AppDeps, "services" | "auth" | "logger" | "introspect">>;
  webhooks?: ServicesOptions["webhooks"];
  /** Storage to serve (default: fresh memory-only storage). */
  storage?: Storage;
  /** The graphs served, as uncompiled builders by graph id (default: {@link testGraphs}). */
  graphs?: Record<string, unknown>;
  /** langgraph.json's TTLs and store index, and the clock TTLs read. */
  services?: Pick<ServicesOptions, "ttl" | "storeIndex" | "clock">;
}

/** An app under test. */
export interface TestApp {
  app: FastifyInstance;
  services: Services;
  /** The embedded store's collections under the app (for tests that look at what is stored). */
  storage: Storage;
  inject: FastifyInstance["inject"];
  close(): Promise<void>;
}

const NO_AUTH: AuthService = { enabled: false, authenticate: async () => undefined, authorize: async () => undefined };

/** Graph introspection without the graphs layer: fixed answers. */
const introspect: Introspect = {
  graphToJson: async () => ({ nodes: [], edges: [] }),
  graphSchemas: async (_g, graphId) => ({ graph_id: graphId }),
  listSubgraphs: async () => ({}),
  subgraphAt: async () => undefined,
};

/** Build an app over fresh storage serving the test graphs. */
export async function makeTestApp(o: TestAppOptions = {}): Promise<TestApp> {
  const logger = o.logger ?? createLogger("silent");
  const storage = o.storage ?? new Storage();
  const map = new Map<string, LoadedGraph>();
  const registry = { has: (id: string) => map.has(id), get: (id: string) => map.get(id) };
  const auth = { current: o.auth ?? NO_AUTH };
  const services = buildServices({ backend: new EmbeddedBackend(storage), auth, graphs: registry, logger, concurrency: 4, webhooks: o.webhooks, ...o.services });
  for (const [id, builder] of Object.entries(o.graphs ?? testGraphs())) {
    const compiled = (builder as { compile(o: unknown): unknown }).compile({ checkpointer: services.checkpointer, store: services.graphStore });
    map.set(id, { graphId: id, file: "<test>", exportName: id, kind: "compiled", resolve: async () => compiled as CompiledGraphLike });
  }
  await services.assistants.ensureSystemAssistants([...map.keys()]);
  const app = await buildApp({ services, auth, introspect, logger, info: { version: "test", langgraphVersion: "test", crons: true }, ...o.deps });
  return {
    app,
    services,
    storage,
    inject: app.inject.bind(app),
    async close() {
      await services.stop();
      await app.close();
    },
  };
}
