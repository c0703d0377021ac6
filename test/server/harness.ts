import { Annotation, MessagesAnnotation, StateGraph, interrupt } from "@langchain/langgraph";
import { AIMessage } from "@langchain/core/messages";
import type { FastifyInstance } from "fastify";
import type { AuthService } from "../../src/auth/types.js";
import type { LoadedGraph } from "../../src/graphs/types.js";
import { createLogger } from "../../src/logger.js";
import { buildApp, type AppDeps, type Introspect } from "../../src/server/app.js";
import { buildServices, type Services } from "../../src/services/index.js";
import { Storage } from "../../src/storage/storage.js";

/** Graphs defined in-process for route tests (no module loading involved). */
export function testGraphs() {
  const echo = new StateGraph(MessagesAnnotation)
    .addNode("respond", (s) => ({ messages: [new AIMessage({ content: `echo: ${String(s.messages.at(-1)?.content)}`, id: `ai-${s.messages.length}` })] }))
    .addEdge("__start__", "respond");
  const State = Annotation.Root({ answer: Annotation<string> });
  const ask = new StateGraph(State).addNode("ask", () => ({ answer: interrupt("q") as string })).addEdge("__start__", "ask");
  return { echo, ask };
}

/** An app over fresh storage with the given auth service; `inject` only, no port. */
export async function makeApp(auth?: AuthService, extra: Partial<AppDeps> = {}): Promise<{ app: FastifyInstance; services: Services; close(): Promise<void> }> {
  const logger = createLogger("silent");
  const storage = new Storage();
  const map = new Map<string, LoadedGraph>();
  const registry = { has: (id: string) => map.has(id), get: (id: string) => map.get(id) };
  const authRef = { current: auth ?? ({ enabled: false, authenticate: async () => undefined, authorize: async () => undefined } as AuthService) };
  const services = buildServices({ storage, auth: authRef, graphs: registry, logger, concurrency: 4 });
  for (const [id, builder] of Object.entries(testGraphs())) {
    const compiled = builder.compile({ checkpointer: services.checkpointer, store: services.graphStore });
    map.set(id, { graphId: id, file: "<test>", exportName: id, kind: "compiled", resolve: async () => compiled as never });
  }
  services.assistants.ensureSystemAssistants([...map.keys()]);
  const introspect: Introspect = {
    graphToJson: async () => ({ nodes: [], edges: [] }),
    graphSchemas: async (_g, graphId) => ({ graph_id: graphId }),
    listSubgraphs: async () => ({}),
  };
  const app = await buildApp({ services, auth: authRef, introspect, logger, info: { version: "test", langgraphVersion: "test", crons: false }, ...extra });
  return {
    app,
    services,
    async close() {
      await services.stop();
      await app.close();
    },
  };
}
