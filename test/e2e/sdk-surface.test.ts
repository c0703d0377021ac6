/**
 * The SDK surface beyond the core: bin/lg-dev on the echo fixture plus a few graphs written here (a graph calling its
 * own server through a URL-less Client, a Zod state, a store writer) and an `http.app`, driven by the real SDK Client.
 */
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@langchain/langgraph-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFixture, startServer, writeFiles, type RunningServer } from "../helpers/spawn.js";

const EXTRA_FILES = {
  "src/selfcall.ts": `
import { Client } from "@langchain/langgraph-sdk";
import { Annotation, StateGraph } from "@langchain/langgraph";

const State = Annotation.Root({ made: Annotation<string>, assistants: Annotation<number>, seen_run: Annotation<boolean> });

/** Calls the server it runs in through a Client built without a URL (as RemoteGraph and sub-agents do). */
export const graph = new StateGraph(State)
  .addNode("call", async (_s, config) => {
    const client = new Client();
    const thread = await client.threads.create({ metadata: { made_by: "selfcall" } });
    const found = await client.assistants.search({ graphId: "echo" });
    const runs = await client.runs.list(config.configurable!.thread_id as string);
    return { made: thread.thread_id, assistants: found.length, seen_run: runs.some((r) => r.run_id === config.configurable!.run_id) };
  })
  .addEdge("__start__", "call")
  .compile();
`,
  "src/zod.ts": `
import { StateGraph, START } from "@langchain/langgraph";
import { z } from "zod";

const State = z.object({ question: z.string().describe("What to ask"), count: z.number().default(0) });
export const graph = new StateGraph(State).addNode("answer", (s: z.infer<typeof State>) => ({ count: s.count + 1 })).addEdge(START, "answer").compile();
`,
  "src/memory.ts": `
import { Annotation, StateGraph, type LangGraphRunnableConfig } from "@langchain/langgraph";

const State = Annotation.Root({ note: Annotation<string>, read: Annotation<unknown> });

/** Writes the note to the store and reads back what the API put there. */
export const graph = new StateGraph(State)
  .addNode("remember", async (s, config: LangGraphRunnableConfig) => {
    await config.store!.put(["memories", "graph"], "note", { text: s.note });
    const fromApi = await config.store!.get(["memories", "api"], "seed");
    return { read: fromApi?.value ?? null };
  })
  .addEdge("__start__", "remember")
  .compile();
`,
  "src/deep.ts": `
import { Annotation, StateGraph } from "@langchain/langgraph";

const Child = Annotation.Root({ steps: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }) });
const child = new StateGraph(Child)
  .addNode("first", () => ({ steps: ["first"] }))
  .addNode("second", () => ({ steps: ["second"] }))
  .addEdge("__start__", "first")
  .addEdge("first", "second")
  .compile();

/** A parent with a two-node subgraph (LangGraph's xray expands only subgraphs of more than one node). */
export const graph = new StateGraph(Child).addNode("prepare", () => ({ steps: ["prepare"] })).addNode("child", child).addEdge("__start__", "prepare").addEdge("prepare", "child").compile();
`,
  "src/app.ts": `
/** A Hono-style custom app: an object with fetch(request) => Response. */
const received: unknown[] = [];
export const app = {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/custom/hello") return Response.json({ hello: url.searchParams.get("name") ?? "world" });
    if (url.pathname === "/hooks/done" && request.method === "POST") {
      received.push(await request.json());
      return new Response(null, { status: 204 });
    }
    if (url.pathname === "/hooks/received") return Response.json(received);
    return new Response("not here", { status: 404 });
  },
};
`,
};

const LANGGRAPH_CONFIG = JSON.stringify({
  factory: { configurable: { model: "model-from-env" }, recursion_limit: 33, context: { tone: "dry" } },
});

describe("SDK surface end to end", () => {
  let server: RunningServer;
  let client: Client;
  let fixture: { dir: string; cleanup(): void };
  let graphCount = 0;
  let graphIds: string[] = [];

  beforeAll(async () => {
    fixture = copyFixture("echo");
    writeFiles(fixture.dir, EXTRA_FILES);
    const configPath = join(fixture.dir, "langgraph.json");
    const config = JSON.parse(readFileSync(configPath, "utf8")) as { graphs: Record<string, string>; http?: unknown };
    config.graphs.selfcall = "./src/selfcall.ts:graph";
    config.graphs.zod = "./src/zod.ts:graph";
    config.graphs.memory = "./src/memory.ts:graph";
    config.graphs.deep = "./src/deep.ts:graph";
    graphIds = Object.keys(config.graphs);
    graphCount = graphIds.length;
    config.http = { app: "./src/app.ts:app" };
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    server = await startServer(fixture.dir, { args: ["--no-reload"], env: { LANGGRAPH_CONFIG } });
    client = new Client({ apiUrl: server.url });
  });

  afterAll(async () => {
    const code = await server?.stop();
    fixture?.cleanup();
    expect(code).toBe(0);
  });

  describe("meta, assistants and graphs", () => {
    it("/info reports crons as available", async () => {
      const info = (await (await fetch(`${server.url}/info`)).json()) as { flags: Record<string, boolean> };
      expect(info.flags).toEqual({ assistants: true, crons: true });
    });

    it("system assistants take config and context from LANGGRAPH_CONFIG, and runs use them", async () => {
      const a = await client.assistants.get("factory");
      expect(a.config).toEqual({ configurable: { model: "model-from-env" }, recursion_limit: 33 });
      expect(a.context).toEqual({ tone: "dry" });
      expect((await client.assistants.get("echo")).config).toEqual({});
      const out = (await client.runs.wait(null, "factory", { input: {} })) as { model: string };
      expect(out.model).toBe("model-from-env");
    });

    it("draws subgraphs with xray", async () => {
      // The drawing is the project's LangGraph's own (getGraphAsync): before 1.4 it expands no subgraph here and
      // adds no __end__ after a node without edges (the "lowest" test project runs 1.0.0).
      const { langgraph_js_version: version } = (await (await fetch(`${server.url}/info`)).json()) as { langgraph_js_version: string };
      const [major, minor] = version.split(".").map(Number) as [number, number];
      const flat = await client.assistants.getGraph("deep");
      expect(flat.nodes.map((n) => n.id).filter((id) => id !== "__end__")).toEqual(["__start__", "prepare", "child"]);
      if (major === 1 && minor < 4) {
        expect((await client.assistants.getGraph("deep", { xray: true })).nodes.map((n) => n.id)).toEqual(["__start__", "prepare", "child"]);
        return;
      }
      const xray = await client.assistants.getGraph("deep", { xray: true });
      const ids = xray.nodes.map((n) => n.id);
      expect(ids).toEqual(expect.arrayContaining(["prepare", "child:first", "child:second"]));
      expect(ids).not.toContain("child");
      expect(xray.edges).toContainEqual(expect.objectContaining({ source: "prepare", target: "child:first" }));
      expect(xray.edges).toContainEqual(expect.objectContaining({ source: "child:first", target: "child:second" }));
      const depth = await client.assistants.getGraph("deep", { xray: 1 });
      expect(depth.nodes.map((n) => n.id)).toContain("child:second");
      // A one-node subgraph stays one node (LangGraph's own drawing rule), as on the platform.
      expect((await client.assistants.getGraph("nested", { xray: true })).nodes.map((n) => n.id)).toContain("child");
    });

    it("schemas for Annotation and Zod states, and subgraphs", async () => {
      const ann = await client.assistants.getSchemas("interrupt");
      expect(Object.keys((ann.state_schema as { properties: object }).properties)).toEqual(["question", "answer", "steps"]);
      expect(ann.graph_id).toBe("interrupt");
      const zod = await client.assistants.getSchemas("zod");
      const props = (zod.input_schema as { properties: Record<string, { type?: string; description?: string }> }).properties;
      expect(props.question).toMatchObject({ type: "string", description: "What to ask" });
      expect(props.count).toMatchObject({ type: "number" });
      // Subgraphs in the official server's shape, {state, input, output, config} (not the SDK's declared type).
      const subgraphs = (await client.assistants.getSubgraphs("nested")) as unknown as Record<string, { state: { properties: object } }>;
      expect(Object.keys(subgraphs)).toEqual(["child"]);
      expect(Object.keys(subgraphs.child!.state.properties)).toEqual(["inner"]);
    });

    it("assistants.count, search with select, sort and the pagination header", async () => {
      const total = await client.assistants.count();
      expect(total).toBe(graphCount);
      expect(await client.assistants.count({ graphId: "echo" })).toBe(1);
      const page = await client.assistants.search({ limit: 3, sortBy: "name", sortOrder: "asc", select: ["assistant_id", "name"] });
      expect(page.map((a) => a.name)).toEqual([...graphIds].sort().slice(0, 3));
      expect(Object.keys(page[0]!).sort()).toEqual(["assistant_id", "name"]);
      const res = await fetch(`${server.url}/assistants/search`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ limit: 2 }) });
      expect(res.headers.get("x-pagination-total")).toBe(String(graphCount));
    });
  });

  describe("a Client without a URL, inside the server", () => {
    it("reaches this server from a graph node", async () => {
      const thread = await client.threads.create();
      const out = (await client.runs.wait(thread.thread_id, "selfcall", { input: {} })) as { made: string; assistants: number; seen_run: boolean };
      expect(out.assistants).toBe(1);
      expect(out.seen_run).toBe(true);
      const made = await client.threads.get(out.made);
      expect(made.metadata).toMatchObject({ made_by: "selfcall" });
    });
  });

  describe("store", () => {
    it("put/get/search (query, filter, paging)/delete and namespaces (prefix, suffix, max_depth)", async () => {
      await client.store.putItem(["docs", "en", "a"], "k1", { text: "The quick brown fox", lang: "en", n: 1 });
      await client.store.putItem(["docs", "en", "b"], "k2", { text: "lazy dogs sleep", lang: "en", n: 2 });
      await client.store.putItem(["docs", "fr", "a"], "k3", { text: "le renard brun", lang: "fr", n: 3 });
      expect((await client.store.getItem(["docs", "en", "a"], "k1"))?.value).toMatchObject({ n: 1 });
      expect(await client.store.getItem(["docs", "en", "a"], "missing")).toBeNull();

      const byQuery = await client.store.searchItems(["docs"], { query: "brown" });
      expect(byQuery.items.map((i) => i.key).sort()).toEqual(["k1"]);
      const byFilter = await client.store.searchItems(["docs"], { filter: { lang: "en" }, limit: 10 });
      expect(byFilter.items.map((i) => i.key).sort()).toEqual(["k1", "k2"]);
      const paged = await client.store.searchItems(["docs"], { limit: 1, offset: 1 });
      expect(paged.items).toHaveLength(1);

      const all = await client.store.listNamespaces({ prefix: ["docs"] });
      expect(all.namespaces).toEqual(expect.arrayContaining([["docs", "en", "a"], ["docs", "en", "b"], ["docs", "fr", "a"]]));
      const suffix = await client.store.listNamespaces({ prefix: ["docs"], suffix: ["a"] });
      expect(suffix.namespaces.sort()).toEqual([["docs", "en", "a"], ["docs", "fr", "a"]]);
      const shallow = await client.store.listNamespaces({ prefix: ["docs"], maxDepth: 2 });
      expect(shallow.namespaces.sort()).toEqual([["docs", "en"], ["docs", "fr"]]);

      await client.store.deleteItem(["docs", "fr", "a"], "k3");
      expect(await client.store.getItem(["docs", "fr", "a"], "k3")).toBeNull();
      // The SDK checks labels itself; the server says the same to any other client.
      const bad = await fetch(`${server.url}/store/items`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ namespace: ["bad.label"], key: "k", value: {} }) });
      expect(bad.status).toBe(422);
      expect(await bad.text()).toMatch(/namespace\[0\] must not contain periods/);
    });

    it("graphs see the same store as the API", async () => {
      await client.store.putItem(["memories", "api"], "seed", { from: "api" });
      const out = (await client.runs.wait(null, "memory", { input: { note: "from the graph" } })) as { read: unknown };
      expect(out.read).toEqual({ from: "api" });
      expect((await client.store.getItem(["memories", "graph"], "note"))?.value).toEqual({ text: "from the graph" });
    });
  });

  describe("streams", () => {
    it("stream_resumable: joinStream with lastEventId replays what came after it", async () => {
      const thread = await client.threads.create();
      const run = await client.runs.create(thread.thread_id, "slow", { input: { ms: 30 }, streamResumable: true, streamMode: ["values", "updates"] });
      await client.runs.join(thread.thread_id, run.run_id);
      const all: Array<{ event: string; id?: string }> = [];
      for await (const e of client.runs.joinStream(thread.thread_id, run.run_id, { lastEventId: "-1" })) all.push(e);
      expect(all[0]!.event).toBe("metadata");
      expect(all.filter((e) => e.event === "updates")).toHaveLength(3);
      const ids = all.map((e) => Number(e.id));
      expect(ids).toEqual(ids.map((_, i) => i));
      const tail: Array<{ event: string; id?: string }> = [];
      for await (const e of client.runs.joinStream(thread.thread_id, run.run_id, { lastEventId: String(ids[3]) })) tail.push(e);
      expect(tail.map((e) => e.id)).toEqual(all.slice(4).map((e) => e.id));
      // Joining by run id alone works too.
      const byRun: unknown[] = [];
      for await (const e of client.runs.joinStream(null, run.run_id, { lastEventId: String(ids.at(-2)) })) byRun.push(e);
      expect(byRun).toHaveLength(1);
    });

    it("several clients joining one run all get every live event; the events nobody read yet go to the first", async () => {
      const thread = await client.threads.create();
      const run = await client.runs.create(thread.thread_id, "slow", { input: { ms: 800 }, streamMode: "values" });
      while ((await client.runs.get(thread.thread_id, run.run_id)).status !== "running") await new Promise((r) => setTimeout(r, 10));
      const join = async () => {
        const got: unknown[] = [];
        for await (const e of new Client({ apiUrl: server.url }).runs.joinStream(thread.thread_id, run.run_id, { streamMode: "values" })) {
          if (e.event === "values") got.push((e.data as { ticks: number[] }).ticks);
        }
        return got;
      };
      const results = await Promise.all([join(), join(), join()]);
      for (const r of results) expect(r.slice(-3)).toEqual([[1], [1, 2], [1, 2, 3]]);
      // The run's first values (its input) were published before anyone joined: one joiner gets them, as on the
      // official server, where a non-resumable run's events go to whoever reads them first.
      expect(results.filter((r) => r.length === 4)).toHaveLength(1);
    });

    it("threads.joinStream follows the thread's runs", async () => {
      const thread = await client.threads.create();
      const controller = new AbortController();
      const events: Array<{ event: string; data: unknown }> = [];
      const following = (async () => {
        try {
          for await (const e of client.threads.joinStream(thread.thread_id, { signal: controller.signal, streamMode: "run_modes" })) {
            if (e.event !== "values" && e.event !== "metadata") continue;
            events.push(e);
            if (e.event === "values" && (e.data as { messages?: unknown[] }).messages?.length === 4) controller.abort();
          }
        } catch (err) {
          if (!controller.signal.aborted) throw err;
        }
      })();
      await new Promise((r) => setTimeout(r, 150));
      await client.runs.wait(thread.thread_id, "echo", { input: { messages: [{ role: "user", content: "one" }] } });
      await client.runs.wait(thread.thread_id, "echo", { input: { messages: [{ role: "user", content: "two" }] } });
      await Promise.race([following, new Promise((_, rej) => setTimeout(() => rej(new Error("thread stream did not see both runs")), 5000))]);
      expect(events.filter((e) => e.event === "metadata")).toHaveLength(2);
      expect(events.filter((e) => e.event === "values").length).toBeGreaterThanOrEqual(4);
    });

    it("on_disconnect: cancel interrupts the run when the streaming client goes away", async () => {
      const thread = await client.threads.create();
      const controller = new AbortController();
      let runId = "";
      try {
        for await (const e of client.runs.stream(thread.thread_id, "slow", { input: { ms: 400 }, onDisconnect: "cancel", signal: controller.signal })) {
          if (e.event === "metadata") {
            runId = (e.data as { run_id: string }).run_id;
            controller.abort();
          }
        }
      } catch {
        // the abort ends the iteration with an AbortError
      }
      expect(runId).not.toBe("");
      await client.runs.join(thread.thread_id, runId);
      expect((await client.runs.get(thread.thread_id, runId)).status).toBe("interrupted");
      const state = await client.threads.getState(thread.thread_id);
      expect((state.values as { ticks?: number[] }).ticks ?? []).not.toContain(3);
    });
  });

  describe("runs", () => {
    it("createBatch starts several stateless runs", async () => {
      const runs = await client.runs.createBatch([
        // The SDK types name other values, but the server (like the platform) takes "delete" | "keep".
        { assistantId: "echo", input: { messages: [{ role: "user", content: "a" }] }, onCompletion: "keep" as never },
        { assistantId: "echo", input: { messages: [{ role: "user", content: "b" }] }, onCompletion: "keep" as never },
      ]);
      expect(runs).toHaveLength(2);
      const outs = await Promise.all(runs.map((r) => client.runs.join(r.thread_id, r.run_id))) as Array<{ messages: Array<{ content: string }> }>;
      expect(outs.map((o) => o.messages.at(-1)!.content).sort()).toEqual(["echo: a", "echo: b"]);
    });

    it("runs.list pages, filters by status and selects fields", async () => {
      const thread = await client.threads.create();
      for (const text of ["1", "2", "3"]) await client.runs.wait(thread.thread_id, "echo", { input: { messages: [{ role: "user", content: text }] } });
      const all = await client.runs.list(thread.thread_id);
      expect(all).toHaveLength(3);
      expect(await client.runs.list(thread.thread_id, { status: "error" })).toEqual([]);
      expect((await client.runs.list(thread.thread_id, { limit: 1, offset: 2 })).map((r) => r.run_id)).toEqual([all[2]!.run_id]);
      const slim = await client.runs.list(thread.thread_id, { select: ["run_id", "status"] });
      expect(slim[0]).toEqual({ run_id: all[0]!.run_id, status: "success" });
    });

    it("cancelMany by ids and by status", async () => {
      const t1 = await client.threads.create();
      const t2 = await client.threads.create();
      const r1 = await client.runs.create(t1.thread_id, "slow", { input: { ms: 2000 } });
      const r2 = await client.runs.create(t2.thread_id, "slow", { input: { ms: 2000 } });
      await client.runs.cancelMany({ threadId: t1.thread_id, runIds: [r1.run_id] });
      await client.runs.join(t1.thread_id, r1.run_id);
      expect((await client.runs.get(t1.thread_id, r1.run_id)).status).toBe("interrupted");
      expect(["pending", "running"]).toContain((await client.runs.get(t2.thread_id, r2.run_id)).status);
      await client.runs.cancelMany({ status: "all" });
      await client.runs.join(t2.thread_id, r2.run_id);
      expect((await client.runs.get(t2.thread_id, r2.run_id)).status).toBe("interrupted");
    });

    it("after_seconds delays the start", async () => {
      const thread = await client.threads.create();
      const t0 = Date.now();
      const run = await client.runs.create(thread.thread_id, "echo", { input: { messages: [{ role: "user", content: "later" }] }, afterSeconds: 1 });
      await new Promise((r) => setTimeout(r, 300));
      expect((await client.runs.get(thread.thread_id, run.run_id)).status).toBe("pending");
      await client.runs.join(thread.thread_id, run.run_id);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
      expect((await client.runs.get(thread.thread_id, run.run_id)).status).toBe("success");
    });

    it("if_not_exists: create makes the thread; the default rejects", async () => {
      const id = randomUUID();
      await expect(client.runs.wait(id, "echo", { input: { messages: [] } })).rejects.toThrow(/404/);
      await client.runs.wait(id, "echo", { input: { messages: [{ role: "user", content: "x" }] }, ifNotExists: "create" });
      expect((await client.threads.get(id)).status).toBe("idle");
    });

    it("webhooks: a run POSTs its payload to a path of this server (here the custom app)", async () => {
      const thread = await client.threads.create();
      await client.runs.wait(thread.thread_id, "echo", { input: { messages: [{ role: "user", content: "hooked" }] }, webhook: "/hooks/done" });
      await client.runs.wait(thread.thread_id, "fail", { input: {}, webhook: "/hooks/done", raiseError: false });
      let received: Array<{ status: string; thread_id: string; error?: string }> = [];
      for (let i = 0; i < 100 && received.length < 2; i++) {
        received = (await (await fetch(`${server.url}/hooks/received`)).json()) as typeof received;
        if (received.length < 2) await new Promise((r) => setTimeout(r, 20));
      }
      expect(received.map((r) => r.status).sort()).toEqual(["error", "success"]);
      expect(received.every((r) => r.thread_id === thread.thread_id)).toBe(true);
      expect(received.find((r) => r.status === "error")!.error).toMatch(/boom/);
    });
  });

  describe("threads", () => {
    it("count, search with select and sort, pagination header", async () => {
      const tag = randomUUID();
      const made = [];
      for (let i = 0; i < 3; i++) made.push(await client.threads.create({ metadata: { tag, i } }));
      expect(await client.threads.count({ metadata: { tag } })).toBe(3);
      const asc = await client.threads.search({ metadata: { tag }, sortBy: "created_at", sortOrder: "asc", select: ["thread_id", "metadata"] });
      expect(asc.map((t) => t.thread_id)).toEqual(made.map((t) => t.thread_id));
      expect(Object.keys(asc[0]!).sort()).toEqual(["metadata", "thread_id"]);
      const res = await fetch(`${server.url}/threads/search`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ metadata: { tag }, limit: 1 }) });
      expect(res.headers.get("x-pagination-total")).toBe("3");
    });

    it("patchState changes the latest checkpoint's metadata", async () => {
      const thread = await client.threads.create();
      await client.runs.wait(thread.thread_id, "echo", { input: { messages: [{ role: "user", content: "hi" }] } });
      await client.threads.patchState(thread.thread_id, { reviewed: true });
      const state = await client.threads.getState(thread.thread_id);
      expect(state.metadata).toMatchObject({ reviewed: true });
      expect((state.values as { messages: unknown[] }).messages).toHaveLength(2);
    });

    it("prune: delete, or keep only the latest checkpoint", async () => {
      const gone = await client.threads.create();
      const kept = await client.threads.create();
      await client.runs.wait(kept.thread_id, "echo", { input: { messages: [{ role: "user", content: "1" }] } });
      await client.runs.wait(kept.thread_id, "echo", { input: { messages: [{ role: "user", content: "2" }] } });
      expect((await client.threads.getHistory(kept.thread_id, { limit: 20 })).length).toBeGreaterThan(1);
      expect(await client.threads.prune([gone.thread_id])).toEqual({ pruned_count: 1 });
      await expect(client.threads.get(gone.thread_id)).rejects.toThrow(/404/);
      expect(await client.threads.prune([kept.thread_id], { strategy: "keep_latest" })).toEqual({ pruned_count: 1 });
      const history = await client.threads.getHistory(kept.thread_id, { limit: 20 });
      expect(history).toHaveLength(1);
      expect((history[0]!.values as { messages: unknown[] }).messages).toHaveLength(4);
    });
  });

  describe("http.app", () => {
    it("serves the custom app's routes beside the API", async () => {
      const res = await fetch(`${server.url}/custom/hello?name=lg`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ hello: "lg" });
      expect((await fetch(`${server.url}/ok`)).status).toBe(200);
    });
  });
});
