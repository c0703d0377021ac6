import { describe, expect, it } from "vitest";
import { serveFixture } from "../helpers/serve-fixture.js";

/** Every stream mode through the SDK, on deterministic graphs. */
describe("stream modes", () => {
  const served = serveFixture("echo");

  const collect = async (graph: string, streamMode: string[], input: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const events: Array<{ event: string; data: any }> = [];
    for await (const e of served.client.runs.stream(null, graph, { input, streamMode: streamMode as never, ...extra })) events.push(e);
    return events;
  };
  const chatInput = { messages: [{ role: "user", content: "hi" }] };

  it("messages-tuple: token chunks with metadata", async () => {
    const events = await collect("chat", ["messages-tuple"], chatInput);
    const tuples = events.filter((e) => e.event === "messages");
    expect(tuples.length).toBeGreaterThan(1);
    const [chunk, metadata] = tuples[0]!.data;
    // Serialised with toDict(), as the official JS server does.
    expect(chunk.type).toMatch(/^(ai|AIMessageChunk)$/);
    expect(metadata.langgraph_node).toBe("chat");
    expect(tuples.map((t) => t.data[0].content).join("")).toBe("hello there, friend");
  });

  it("messages: metadata, growing partials and complete messages", async () => {
    const events = await collect("chat", ["messages"], chatInput);
    const names = events.map((e) => e.event);
    expect(names).toContain("messages/metadata");
    const partials = events.filter((e) => e.event === "messages/partial");
    expect(partials.length).toBeGreaterThan(1);
    expect(partials.at(-1)!.data[0].content).toBe("hello there, friend");
    const complete = events.filter((e) => e.event === "messages/complete").flatMap((e) => e.data);
    expect(complete.map((m: { type: string }) => m.type)).toContain("ai");
  });

  it("events: LangChain callback events", async () => {
    const events = await collect("chat", ["events"], chatInput);
    const kinds = new Set(events.filter((e) => e.event === "events").map((e) => e.data.event));
    expect(kinds.has("on_chain_start")).toBe(true);
    expect(kinds.has("on_chat_model_stream")).toBe(true);
  });

  it("debug, tasks and checkpoints", async () => {
    const events = await collect("nested", ["debug", "tasks", "checkpoints"], { trail: [] });
    const names = new Set(events.map((e) => e.event));
    expect(names.has("debug")).toBe(true);
    expect(names.has("tasks")).toBe(true);
    expect(names.has("checkpoints")).toBe(true);
    const task = events.find((e) => e.event === "tasks" && e.data.name === "outer");
    expect(task).toBeDefined();
    const cp = events.find((e) => e.event === "checkpoints");
    expect(cp!.data).toHaveProperty("values");
  });

  it("a single string stream mode and the default (values)", async () => {
    const one = await collect("echo", ["updates"], chatInput);
    expect(one.map((e) => e.event)).toEqual(["metadata", "updates"]);
    const dflt: string[] = [];
    for await (const e of served.client.runs.stream(null, "echo", { input: chatInput })) dflt.push(e.event);
    expect(dflt[0]).toBe("metadata");
    expect(dflt.slice(1).every((n) => n === "values")).toBe(true);
  });
});
