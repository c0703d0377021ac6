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

  it("bodies are JSON whatever the Content-Type, and broken JSON says where", async () => {
    for (const type of ["text/plain;charset=UTF-8", "application/json; charset=utf-8", undefined]) {
      const res = await fetch(`${server.url}/threads`, {
        method: "POST",
        headers: type ? { "content-type": type } : {},
        body: new TextEncoder().encode(JSON.stringify({ metadata: { sent_as: type ?? "none" } })),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { metadata: unknown }).metadata).toEqual({ sent_as: type ?? "none" });
    }
    const broken = await fetch(`${server.url}/threads/search`, { method: "POST", headers: { "content-type": "text/plain" }, body: '{"limit": 1,\n "offset": }' });
    expect(broken.status).toBe(400);
    expect(await broken.text()).toBe("Malformed JSON body: Unexpected token \"}\" at line 2, column 12 (position 24)");
  });

  it("a body nested 5,000 levels deep is a 422 naming the limit; nothing is stored and searches keep working (--no-persist)", async () => {
    const before = await client.threads.count();
    const deep = `{"metadata":${'{"a":'.repeat(5000)}1${"}".repeat(5000)}}`;
    const res = await fetch(`${server.url}/threads`, { method: "POST", headers: { "content-type": "application/json" }, body: deep });
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/^body\/metadata\/a nests deeper than 100 levels of objects and arrays/);
    expect(await client.threads.count()).toBe(before);
    expect((await client.threads.search({ limit: 100 })).length).toBe(before);
  });

  it("a run on an idle thread stores the merged config there; state reads and updates build factory graphs with it", async () => {
    const assistant = await client.assistants.create({ graphId: "factory", config: { configurable: { node_name: "from_assistant", a: 1 } } });
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, assistant.assistant_id, { input: {}, config: { configurable: { b: 2 }, recursion_limit: 30 } });
    expect((await client.threads.get(thread.thread_id)).config).toEqual({
      // The request's user-agent (and x-* headers) reach configurable, as on the official server.
      configurable: { node_name: "from_assistant", a: 1, b: 2, "user-agent": expect.any(String) },
      recursion_limit: 30,
    });
    // The node exists only in the graph built with that config.
    await client.threads.updateState(thread.thread_id, { values: { seen: "updated" }, asNode: "from_assistant" });
    const state = await client.threads.getState(thread.thread_id);
    expect(state.values).toEqual({ seen: "updated" });
    expect(state.next).toEqual([]);
    const history = await client.threads.getHistory(thread.thread_id);
    expect(history.map((h) => h.values)).toEqual([{ seen: "updated" }, { seen: "from_assistant" }, {}, {}]);
    const at = await client.threads.getState(thread.thread_id, history[1]!.checkpoint.checkpoint_id!);
    expect(at.values).toEqual({ seen: "from_assistant" });
    // POST /threads/{id}/state/checkpoint (the SDK sends a checkpoint object there).
    const byObject = await client.threads.getState(thread.thread_id, { checkpoint_id: history[1]!.checkpoint.checkpoint_id!, checkpoint_ns: "" } as never);
    expect(byObject.values).toEqual({ seen: "from_assistant" });
    // The next run on the idle thread merges its config over the thread's.
    await client.runs.wait(thread.thread_id, assistant.assistant_id, { input: {}, config: { configurable: { b: 3, c: 4 } } });
    expect((await client.threads.get(thread.thread_id)).config).toEqual({
      configurable: { node_name: "from_assistant", a: 1, b: 3, c: 4, "user-agent": expect.any(String) },
      recursion_limit: 30,
    });
    // A node the graph does not have is the client's mistake, named.
    await expect(client.threads.updateState(thread.thread_id, { values: { seen: "x" }, asNode: "default_node" })).rejects.toThrow(
      /HTTP 422: Node "default_node" does not exist/,
    );
  });
});
