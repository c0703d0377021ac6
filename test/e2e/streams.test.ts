import { describe, expect, it } from "vitest";
import { serveFixture } from "../helpers/serve-fixture.js";

/**
 * Streams event for event as the official server sends them (bench/compare/streams.mjs checks the same fixture
 * against the official server itself), through the real SDK client.
 */
type Ev = { id?: string; event: string; data: any };
const chatInput = { messages: [{ role: "user", content: "what is the weather?" }] };
const ANSWER = "It is sunny today";

async function collect(stream: AsyncIterable<unknown>): Promise<Ev[]> {
  const out: Ev[] = [];
  for await (const e of stream) out.push(e as Ev);
  return out;
}

describe("streams as the official server sends them", () => {
  const served = serveFixture("streams");
  const client = () => served.client;
  const run = async (graph: string, payload: Record<string, unknown>, threadId?: string) => {
    const thread = threadId ?? (await client().threads.create()).thread_id;
    return { thread, events: await collect(client().runs.stream(thread, graph, { input: chatInput, ...payload } as never)) };
  };

  it("messages: values first, then messages/complete; partials only from chat model tokens, none for nostream", async () => {
    const { events } = await run("agent", { streamMode: ["values", "messages"] });
    const partials = Array(ANSWER.length).fill("messages/partial");
    const completeAfterValues = ["values", "messages/complete"];
    expect(events.map((e) => e.event)).toEqual([
      "metadata",
      ...completeAfterValues, // the input
      ...completeAfterValues, // plan: a message the node returns itself
      ...completeAfterValues, // tools: the tool message
      "messages/metadata",
      ...partials, // model: its tokens
      ...completeAfterValues,
      ...completeAfterValues, // quiet: a nostream model, no partials
    ]);
    // Ids count the run's events from 0 (the metadata event).
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => String(i)));
    const p = events.filter((e) => e.event === "messages/partial").map((e) => e.data[0]);
    expect(p.map((m) => m.content)).toEqual([...ANSWER].map((_, i) => ANSWER.slice(0, i + 1)));
    expect(new Set(p.map((m) => m.id)).size).toBe(1);
    const meta = events.find((e) => e.event === "messages/metadata")!.data;
    expect(Object.keys(meta)).toEqual([p[0].id]);
    expect(meta[p[0].id].metadata).toMatchObject({ langgraph_node: "model", created_by: "system", langgraph_version: expect.any(String) });
    const complete = events.filter((e) => e.event === "messages/complete").map((e) => e.data);
    expect(complete.map((msgs) => msgs.map((m: { type: string }) => m.type))).toEqual([["human"], ["ai"], ["tool"], ["ai"], ["ai"]]);
    expect(complete[1][0].tool_calls[0]).toMatchObject({ name: "lookup", id: "call_1" });
    expect(complete[3][0]).toMatchObject({ id: p[0].id, content: ANSWER });
    expect(complete[4][0].content).toBe("quiet note");
  });

  it("messages without values: the same messages events, and a child graph's tokens reach them without stream_subgraphs", async () => {
    const { events } = await run("sub", { streamMode: ["messages"] });
    const names = events.map((e) => e.event);
    expect(names.filter((n) => n === "values")).toEqual([]);
    expect(names).toContain("messages/metadata");
    const last = events.filter((e) => e.event === "messages/partial").at(-1)!.data[0];
    expect(last.content).toBe("from the child");
  });

  it("messages-tuple: [chunk, metadata] pairs of the model's tokens and of the messages nodes return", async () => {
    const { events } = await run("agent", { streamMode: ["messages-tuple"] });
    const tuples = events.filter((e) => e.event === "messages").map((e) => e.data);
    const byNode = (node: string) => tuples.filter(([, m]) => m.langgraph_node === node);
    expect(byNode("model").map(([c]) => c.content).join("")).toBe(ANSWER);
    expect(byNode("plan")).toHaveLength(1);
    expect(byNode("tools")[0][0]).toMatchObject({ type: "tool", tool_call_id: "call_1", content: "sunny (weather)" });
    expect(byNode("quiet")).toHaveLength(1); // its whole answer, as the node returned it: no tokens
    expect(tuples[0][1]).toMatchObject({ created_by: "system", langgraph_version: expect.any(String), langgraph_plan: "developer" });
  });

  it("a stateless stream's events carry no ids, as on the official server", async () => {
    const events = await collect(client().runs.stream(null, "agent", { input: chatInput, streamMode: ["updates"] }));
    expect(events[0]!.event).toBe("metadata");
    expect(events.every((e) => e.id === undefined)).toBe(true);
  });

  it("debug: checkpoints with checkpoint, parent_checkpoint and parent_config; configs without internals", async () => {
    const { thread, events } = await run("sub", { streamMode: ["debug"] });
    const checkpoints = events.filter((e) => e.event === "debug" && e.data.type === "checkpoint").map((e) => e.data.payload);
    expect(checkpoints.length).toBeGreaterThan(2);
    const [first, second] = checkpoints;
    expect(first.parent_checkpoint).toBeNull();
    expect(first).not.toHaveProperty("parentConfig");
    expect(second.parent_checkpoint).toEqual(first.checkpoint);
    expect(second.checkpoint).toEqual({ thread_id: thread, checkpoint_id: second.config.configurable.checkpoint_id, checkpoint_ns: "", checkpoint_map: null });
    expect(second.parent_config.configurable.checkpoint_id).toBe(first.checkpoint.checkpoint_id);
    for (const c of checkpoints) {
      for (const cfg of [c.config, c.parent_config].filter(Boolean)) {
        expect(cfg).not.toHaveProperty("callbacks");
        expect(Object.keys(cfg.configurable).filter((k) => k.startsWith("__"))).toEqual([]);
      }
    }
    // The checkpoint before the child runs: its task names the child's checkpoint instead of carrying a config.
    const before = checkpoints.find((c) => c.next.includes("child"))!;
    const task = before.tasks.find((t: { name: string }) => t.name === "child");
    expect(task).not.toHaveProperty("state");
    expect(task.checkpoint).toEqual({ thread_id: thread, checkpoint_id: null, checkpoint_ns: expect.stringMatching(/^child:/), checkpoint_map: null });
  });

  it("checkpoints and tasks modes, and subgraph namespaces (mode|ns)", async () => {
    const { events } = await run("sub", { streamMode: ["checkpoints", "tasks", "updates", "custom"], streamSubgraphs: true });
    const cp = events.find((e) => e.event === "checkpoints")!;
    expect(Object.keys(cp.data).sort()).toEqual(["metadata", "next", "values"]);
    const names = new Set(events.map((e) => e.event.replace(/\|child:[^|]+$/, "|child")));
    for (const n of ["checkpoints|child", "tasks|child", "updates|child", "custom|child"]) expect(names).toContain(n);
    expect(events.find((e) => e.event.startsWith("custom|"))!.data).toEqual({ step: "inner" });
    const childTask = events.find((e) => e.event === "tasks" && e.data.name === "child" && "input" in e.data)!;
    expect(childTask.data).not.toHaveProperty("state");
  });

  it("stream_subgraphs with values: the checkpoint envelopes the official server forwards as checkpoints events", async () => {
    const { events } = await run("sub", { streamMode: ["values"], streamSubgraphs: true });
    const envelopes = events.filter((e) => e.event.startsWith("checkpoints"));
    expect(envelopes.length).toBeGreaterThan(0);
    for (const e of envelopes) expect(Object.keys(e.data).sort()).toEqual(expect.arrayContaining(["id", "source", "step"]));
    // Each comes right before the values chunk it belongs to.
    const i = events.indexOf(envelopes[0]!);
    expect(events[i + 1]!.event.startsWith("values")).toBe(true);
  });

  it("tools: tool call events", async () => {
    const { events } = await run("agent", { streamMode: ["tools"] });
    expect(events.filter((e) => e.event === "tools").map((e) => e.data.event)).toEqual(["on_tool_start", "on_tool_end"]);
  });

  it("a failing node: its task result, then the error event", async () => {
    for (const streamMode of [["tasks"], ["values", "updates", "debug"], ["tasks", "values"]]) {
      const { events } = await run("fail", { streamMode });
      expect(events.at(-1)).toMatchObject({ event: "error", data: { error: "LookupFailed", message: "the lookup failed" } });
      const result = events.at(-2)!.data;
      expect(result.payload ?? result, streamMode.join()).toMatchObject({ name: "boom", error: { message: "the lookup failed" } });
    }
  });
});
