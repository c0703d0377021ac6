/**
 * Wire details SDK users and browser code rely on, end to end through bin/lg-dev: getLogger() in graph code, bodies
 * whatever their Content-Type, and a factory graph's thread config.
 */
import { Client } from "@langchain/langgraph-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkNodeModules, makeTempDir, startServer, writeFiles, type RunningServer } from "../helpers/spawn.js";

const FILES = {
  "langgraph.json": JSON.stringify({ graphs: { logs: "./src/logs.ts:graph", factory: "./src/factory.ts:makeGraph" } }),
  "src/logs.ts": `
import { getLogger } from "@langchain/langgraph-sdk/logging";
import { Annotation, StateGraph } from "@langchain/langgraph";

// At import time, as graphs often do: this must not throw.
const logger = getLogger();
logger.info("logs graph module loaded");

const State = Annotation.Root({ text: Annotation<string> });
export const graph = new StateGraph(State)
  .addNode("shout", (s) => {
    logger.info("shouting", { text: s.text });
    getLogger().warn("careful");
    return { text: s.text.toUpperCase() };
  })
  .addEdge("__start__", "shout")
  .compile();
`,
  "src/factory.ts": `
import { Annotation, StateGraph, type LangGraphRunnableConfig } from "@langchain/langgraph";

const State = Annotation.Root({ seen: Annotation<string>, note: Annotation<string> });

/** A factory graph: its node names depend on the config it is built with. */
export function makeGraph(config: LangGraphRunnableConfig) {
  const node = (config.configurable?.node_name as string | undefined) ?? "default_node";
  return new StateGraph(State)
    .addNode(node, () => ({ seen: node }))
    .addEdge("__start__", node)
    .compile();
}
`,
};

describe("wire details end to end", () => {
  let server: RunningServer;
  let client: Client;
  let project: { dir: string; cleanup(): void };

  beforeAll(async () => {
    project = makeTempDir("lg-dev-wire-");
    writeFiles(project.dir, FILES);
    linkNodeModules(project.dir);
    server = await startServer(project.dir, { args: ["--no-reload", "--no-persist"] });
    client = new Client({ apiUrl: server.url });
  });

  afterAll(async () => {
    const code = await server?.stop();
    project?.cleanup();
    expect(code).toBe(0);
  });

  it("getLogger() works at import time and in nodes, tagged with the run and node", async () => {
    expect(server.output()).toContain("logs graph module loaded");
    const thread = await client.threads.create();
    const run = await client.runs.create(thread.thread_id, "logs", { input: { text: "hi" } });
    await client.runs.join(thread.thread_id, run.run_id);
    const out = server.output();
    expect(out).toMatch(new RegExp(`info  run ${run.run_id} \\(graph logs, node shout\\): shouting \\{ text: 'hi' \\}`));
    expect(out).toMatch(new RegExp(`warn  run ${run.run_id} \\(graph logs, node shout\\): careful`));
  });
});
