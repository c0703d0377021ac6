import { AIMessage, AIMessageChunk, HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { ChunkMapper, eventStreamModes, libStreamModes, wantsCheckpointEnvelopes } from "../../src/runs/modes.js";
import { checkpointPayload, taskPayload } from "../../src/runs/payloads.js";

const names = (out: Array<{ event: string }>) => out.map((o) => o.event);
const config = (id: string, extra: Record<string, unknown> = {}) => ({ configurable: { thread_id: "t", checkpoint_ns: "", checkpoint_id: id, ...extra } });

describe("ChunkMapper", () => {
  it("messages: values first, then messages/complete with the messages not completed before", () => {
    const m = new ChunkMapper(["values", "messages"], false);
    const h = new HumanMessage({ content: "hi", id: "h" });
    const a = new AIMessage({ content: "yo", id: "a" });
    expect(names(m.map(["values", { messages: [h] }]))).toEqual(["values", "messages/complete"]);
    const out = m.map(["values", { messages: [h, a] }]);
    expect(names(out)).toEqual(["values", "messages/complete"]);
    expect((out[1]!.data as AIMessage[]).map((x) => x.id)).toEqual(["a"]);
    expect(m.map(["values", { messages: [h, a] }])).toHaveLength(1);
    // A messages mode without values: the completions only.
    const only = new ChunkMapper(["messages"], false);
    expect(names(only.map(["values", { messages: [h] }]))).toEqual(["messages/complete"]);
  });

  it("messages: metadata then growing partials from chat model token events; nostream and id-less chunks skipped", () => {
    const m = new ChunkMapper(["messages"], false);
    const token = (content: string, tags: string[] = []) => ({ event: "on_chat_model_stream", tags, metadata: { langgraph_node: "model" }, data: { chunk: new AIMessageChunk({ content, id: "c" }) } });
    const first = m.mapEvent(token("It"));
    expect(first).toEqual([
      { event: "messages/metadata", data: { c: { metadata: { langgraph_node: "model" } } } },
      { event: "messages/partial", data: [expect.objectContaining({ content: "It" })] },
    ]);
    expect((m.mapEvent(token(" is"))[0]!.data as AIMessageChunk[])[0]!.content).toBe("It is");
    expect(m.mapEvent(token("x", ["nostream"]))).toEqual([]);
    expect(m.mapEvent({ event: "on_chat_model_stream", data: { chunk: new AIMessageChunk({ content: "n" }) } })).toEqual([]);
    expect(m.mapEvent({ event: "on_chain_start", data: {} })).toEqual([]);
    expect(new ChunkMapper(["messages-tuple"], false).mapEvent(token("It"))).toEqual([]);
  });

  it("names subgraph events mode|ns with stream_subgraphs, and sends messages-tuple chunks as messages", () => {
    const m = new ChunkMapper(["updates", "messages-tuple"], true);
    expect(names(m.map([["child:1"], "updates", { x: 1 }]))).toEqual(["updates|child:1"]);
    expect(names(m.map([[], "messages", [{}, {}]]))).toEqual(["messages"]);
    expect(names(m.map([["child:1"], "messages", [{}, {}]]))).toEqual(["messages|child:1"]);
  });

  it("checkpoint envelopes: sent only with stream_subgraphs, values or messages, and no checkpoints mode", () => {
    const envelope = { id: "c1", step: 1, source: "loop" };
    expect(names(new ChunkMapper(["values"], true).map([[], "checkpoints", envelope]))).toEqual(["checkpoints"]);
    expect(names(new ChunkMapper(["values"], true).map([["a:1"], "checkpoints", envelope]))).toEqual(["checkpoints|a:1"]);
    expect(new ChunkMapper(["values", "checkpoints"], true).map([[], "checkpoints", envelope])).toEqual([]);
    expect(new ChunkMapper(["values"], false).map(["checkpoints", envelope])).toEqual([]);
    expect(wantsCheckpointEnvelopes(["messages"], true)).toBe(true);
    expect(wantsCheckpointEnvelopes(["updates"], true)).toBe(false);
  });

  it("checkpoints events carry values, metadata and next; tasks events a task's checkpoint instead of its config state", () => {
    const m = new ChunkMapper(["checkpoints", "tasks"], false);
    const cp = { config: config("2"), parentConfig: config("1"), values: { a: 1 }, metadata: { step: 1 }, next: ["n"], tasks: [] };
    expect(m.map(["checkpoints", cp])[0]!.data).toEqual({ values: { a: 1 }, metadata: { step: 1 }, next: ["n"] });
    const task = { id: "x", name: "child", input: {}, triggers: [], state: { configurable: { thread_id: "t", checkpoint_ns: "child:x" } } };
    expect(m.map(["tasks", task])[0]!.data).toEqual({ id: "x", name: "child", input: {}, triggers: [], checkpoint: { thread_id: "t", checkpoint_id: null, checkpoint_ns: "child:x", checkpoint_map: null } });
  });

  it("keeps the run's last values (interrupts added to them) for wait and join", () => {
    const m = new ChunkMapper([], false);
    m.map(["values", { a: 1 }]);
    m.map(["values", { __interrupt__: [{ value: "q" }] }]);
    expect(m.lastValues).toEqual({ a: 1, __interrupt__: [{ value: "q" }] });
  });
});

describe("payloads", () => {
  it("a debug checkpoint: checkpoint references, snake_case parent_config, configs without internals", () => {
    const out = checkpointPayload({
      config: { ...config("2", { __pregel_checkpointer: {}, checkpoint_map: { "": "1" } }), callbacks: [{}] },
      parentConfig: config("1"),
      values: {},
      next: [],
      tasks: [{ id: "x", name: "n", state: { configurable: { thread_id: "t", checkpoint_ns: "n:x" } } }, { id: "y", name: "m", state: null }],
    });
    expect(out.checkpoint).toEqual({ thread_id: "t", checkpoint_id: "2", checkpoint_ns: "", checkpoint_map: { "": "1" } });
    expect(out.parent_checkpoint).toEqual({ thread_id: "t", checkpoint_id: "1", checkpoint_ns: "", checkpoint_map: null });
    expect(out).not.toHaveProperty("parentConfig");
    expect(out.parent_config).toEqual(config("1"));
    expect(out.config).toEqual(config("2", { checkpoint_map: { "": "1" } }));
    expect(out.tasks).toEqual([
      { id: "x", name: "n", checkpoint: { thread_id: "t", checkpoint_id: null, checkpoint_ns: "n:x", checkpoint_map: null } },
      { id: "y", name: "m", state: null },
    ]);
  });

  it("a first checkpoint has no parent", () => {
    const out = checkpointPayload({ config: config("1"), values: {}, next: [], tasks: [] });
    expect(out.parent_checkpoint).toBeNull();
    expect(out.parent_config).toBeUndefined();
    expect(taskPayload({ id: "z", state: { values: {}, next: [] } })).toEqual({ id: "z", state: { values: {}, next: [] } });
  });

  it("asks LangGraph for the official server's modes", () => {
    expect(libStreamModes(["messages-tuple", "events"])).toEqual(["values", "messages"]);
    expect(libStreamModes(["messages", "updates"])).toEqual(["values", "messages", "updates"]);
    expect(eventStreamModes(["events"])).toEqual(["debug"]);
    expect(eventStreamModes(["messages", "messages-tuple"])).toEqual(["messages", "values", "debug"]);
  });
});
