/** An inject-only app like harness.ts `makeApp`, with the knobs the surface tests turn (http, CORS, keep-alive, webhooks). */
import { Annotation, StateGraph } from "@langchain/langgraph";
import type { FastifyInstance } from "fastify";
import type { AuthService } from "../../src/auth/types.js";
import type { LoadedGraph } from "../../src/graphs/types.js";
import { createLogger, type Logger } from "../../src/logger.js";
import { buildApp, type AppDeps, type Introspect } from "../../src/server/app.js";
import { buildServices, type Services, type ServicesOptions } from "../../src/services/index.js";
import { Storage } from "../../src/storage/storage.js";
import { testGraphs } from "./harness.js";

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      reject(new Error("aborted"));
    });
  });

/** Two ticks of `ms` each (default 100). */
export function slowGraph() {
  const State = Annotation.Root({ ms: Annotation<number>, ticks: Annotation<number[]>({ reducer: (a, b) => a.concat(b), default: () => [] }) });
  return new StateGraph(State)
    .addNode("tick1", async (s, c) => (await sleep(s.ms ?? 100, c.signal), { ticks: [1] }))
    .addNode("tick2", async (s, c) => (await sleep(s.ms ?? 100, c.signal), { ticks: [2] }))
    .addEdge("__start__", "tick1")
    .addEdge("tick1", "tick2");
}

export interface TestAppOptions {
  auth?: AuthService;
  logger?: Logger;
  deps?: Partial<Pick<AppDeps, "http" | "cors" | "sseKeepAliveMs" | "studioOrigin" | "openapiAuth" | "ui" | "bodyLimit" | "studio" | "serverLogger">>;
  webhooks?: ServicesOptions["webhooks"];
  /** Storage to serve (default: fresh memory-only storage). */
  storage?: Storage;
  /** More graphs (uncompiled builders) beside echo, ask and slow. */
  graphs?: Record<string, unknown>;
}

/** Graphs echo, ask (interrupt) and slow over fresh storage; `inject` only, no port. */
export async function makeTestApp(o: TestAppOptions = {}): Promise<{ app: FastifyInstance; services: Services; close(): Promise<void> }> {
  const logger = o.logger ?? createLogger("silent");
  const storage = o.storage ?? new Storage();
  const map = new Map<string, LoadedGraph>();
  const registry = { has: (id: string) => map.has(id), get: (id: string) => map.get(id) };
  const authRef = { current: o.auth ?? ({ enabled: false, authenticate: async () => undefined, authorize: async () => undefined } as AuthService) };
  const services = buildServices({ storage, auth: authRef, graphs: registry, logger, concurrency: 4, webhooks: o.webhooks });
  for (const [id, builder] of Object.entries({ ...testGraphs(), slow: slowGraph(), ...o.graphs })) {
    const compiled = (builder as { compile(o: unknown): unknown }).compile({ checkpointer: services.checkpointer, store: services.graphStore });
    map.set(id, { graphId: id, file: "<test>", exportName: id, kind: "compiled", resolve: async () => compiled as never });
  }
  services.assistants.ensureSystemAssistants([...map.keys()]);
  const introspect: Introspect = {
    graphToJson: async () => ({ nodes: [], edges: [] }),
    graphSchemas: async (_g, graphId) => ({ graph_id: graphId }),
    listSubgraphs: async () => ({}),
  };
  const app = await buildApp({ services, auth: authRef, introspect, logger, info: { version: "test", langgraphVersion: "test", crons: true }, ...o.deps });
  return {
    app,
    services,
    async close() {
      await services.stop();
      await app.close();
    },
  };
}
