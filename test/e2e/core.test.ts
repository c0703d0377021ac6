import { describe, expect, it } from "vitest";
import { serveFixture } from "../helpers/serve-fixture.js";

/** End-to-end: bin/lg-dev on the echo fixture, driven by the real SDK client. */
describe("lg-dev end to end (SDK client)", () => {
  const served = serveFixture("echo");

  it("serves /ok and /info", async () => {
    expect(await (await fetch(`${served.server.url}/ok`)).json()).toEqual({ ok: true });
    const info = (await (await fetch(`${served.server.url}/info`)).json()) as { context: string; flags: { assistants: boolean } };
    expect(info.context).toBe("js");
    expect(info.flags.assistants).toBe(true);
  });

  it("has one system assistant per graph with the uuid5 id", async () => {
    const found = await served.client.assistants.search({ graphId: "echo" });
    expect(found).toHaveLength(1);
    // Python: uuid.uuid5(UUID('6ba7b821-9dad-11d1-80b4-00c04fd430c8'), 'echo')
    expect(found[0]!.assistant_id).toBe("046b5dc7-2108-582c-9c6c-31d556d138f0");
    expect(found[0]!.metadata).toEqual({ created_by: "system" });
    const byGraph = await served.client.assistants.get("echo");
    expect(byGraph.assistant_id).toBe(found[0]!.assistant_id);
  });

  it("creates a thread, waits on a run and reads the state", async () => {
    const thread = await served.client.threads.create({ metadata: { purpose: "test" } });
    const out = (await served.client.runs.wait(thread.thread_id, "echo", { input: { messages: [{ role: "user", content: "hi" }] } })) as {
      messages: Array<{ type: string; content: string }>;
    };
    expect(out.messages.map((m) => [m.type, m.content])).toEqual([
      ["human", "hi"],
      ["ai", "echo: hi"],
    ]);
    const state = await served.client.threads.getState(thread.thread_id);
    expect((state.values as { messages: unknown[] }).messages).toHaveLength(2);
    expect(state.next).toEqual([]);
    const t = await served.client.threads.get(thread.thread_id);
    expect(t.status).toBe("idle");
    expect(t.metadata).toMatchObject({ purpose: "test", graph_id: "echo" });
    const history = await served.client.threads.getHistory(thread.thread_id);
    expect(history.length).toBeGreaterThanOrEqual(2);
    // As on the platform, checkpoint metadata carries the run's ids, and history filters on it.
    expect(state.metadata).toMatchObject({ graph_id: "echo", thread_id: thread.thread_id, source: "loop" });
    expect(typeof (state.metadata as { run_id?: unknown }).run_id).toBe("string");
    const looped = await served.client.threads.getHistory(thread.thread_id, { metadata: { source: "loop", graph_id: "echo" } });
    expect(looped.length).toBeGreaterThanOrEqual(1);
    expect(looped.every((h) => (h.metadata as { source?: string }).source === "loop")).toBe(true);
    expect(await served.client.threads.getHistory(thread.thread_id, { metadata: { graph_id: "other" } })).toEqual([]);
  });

  it("creates a background run and joins it", async () => {
    const thread = await served.client.threads.create();
    const run = await served.client.runs.create(thread.thread_id, "echo", { input: { messages: [{ role: "user", content: "bg" }] } });
    expect(run.status).toBe("pending");
    const joined = (await served.client.runs.join(thread.thread_id, run.run_id)) as { messages: Array<{ content: string }> };
    expect(joined.messages.at(-1)!.content).toBe("echo: bg");
    const after = await served.client.runs.get(thread.thread_id, run.run_id);
    expect(after.status).toBe("success");
    // Cancelling a run that already ended is a no-op, not an error.
    await served.client.runs.cancel(thread.thread_id, run.run_id, true);
    expect((await served.client.runs.get(thread.thread_id, run.run_id)).status).toBe("success");
    const listed = await served.client.runs.list(thread.thread_id);
    expect(listed.map((r) => r.run_id)).toEqual([run.run_id]);
  });

  it("streams values, updates, messages-tuple and custom events", async () => {
    const thread = await served.client.threads.create();
    const events: Array<{ event: string; data: unknown }> = [];
    for await (const chunk of served.client.runs.stream(thread.thread_id, "echo", {
      input: { messages: [{ role: "user", content: "s" }] },
      streamMode: ["values", "updates", "messages-tuple", "custom"],
    })) {
      events.push(chunk);
    }
    const names = events.map((e) => e.event);
    expect(names[0]).toBe("metadata");
    expect(names).toContain("values");
    expect(names).toContain("updates");
    expect(names).toContain("custom");
    const custom = events.find((e) => e.event === "custom")!;
    expect(custom.data).toEqual({ echoed: "s" });
    const updates = events.find((e) => e.event === "updates")!;
    expect(updates.data).toMatchObject({ respond: { messages: [{ type: "ai", content: "echo: s" }] } });
  });

  it("joining a finished resumable run: Last-Event-ID -1 replays all its events, n what came after n, none nothing", async () => {
    const thread = await served.client.threads.create();
    const run = await served.client.runs.create(thread.thread_id, "echo", { input: { messages: [{ role: "user", content: "r" }] }, streamResumable: true });
    await served.client.runs.join(thread.thread_id, run.run_id);
    const all: Array<{ event: string; id?: string }> = [];
    for await (const e of served.client.runs.joinStream(thread.thread_id, run.run_id, { lastEventId: "-1" })) all.push(e as never);
    expect(all.map((e) => [e.id, e.event])).toEqual([["0", "metadata"], ["1", "values"], ["2", "values"]]);
    const rest: string[] = [];
    for await (const e of served.client.runs.joinStream(thread.thread_id, run.run_id, { lastEventId: "1" })) rest.push(e.event);
    expect(rest).toEqual(["values"]);
    // Without Last-Event-ID a joiner gets live events only, and this run has none left.
    const none: string[] = [];
    for await (const e of served.client.runs.joinStream(thread.thread_id, run.run_id)) none.push(e.event);
    expect(none).toEqual([]);
  });

  it("streams subgraph events with namespaced event names", async () => {
    const names: string[] = [];
    for await (const chunk of served.client.runs.stream(null, "nested", { input: { trail: [] }, streamMode: ["updates"], streamSubgraphs: true })) {
      names.push(chunk.event);
    }
    expect(names.some((n) => n.startsWith("updates|child:"))).toBe(true);
    expect(names).toContain("updates");
  });

  it("stateless runs/wait answers the final values", async () => {
    const out = (await served.client.runs.wait(null, "nested", { input: { trail: ["start"] } })) as { trail: string[]; inner: string };
    expect(out).toEqual({ trail: ["start", "outer"], inner: "done" });
  });

  it("a failing graph ends the run in error with an error event and __error__", async () => {
    const thread = await served.client.threads.create();
    const events: Array<{ event: string; data: unknown }> = [];
    for await (const chunk of served.client.runs.stream(thread.thread_id, "fail", { input: { value: "x" } })) events.push(chunk);
    const err = events.find((e) => e.event === "error");
    expect(err?.data).toEqual({ error: "TypeError", message: "boom: the graph failed on purpose" });
    expect((await served.client.threads.get(thread.thread_id)).status).toBe("error");
    const runs = await served.client.runs.list(thread.thread_id);
    expect(runs[0]!.status).toBe("error");
    // The SDK turns {__error__} into a thrown error; the wire body is checked with fetch.
    await expect(served.client.runs.wait(thread.thread_id, "fail", { input: { value: "y" } })).rejects.toThrow(/boom: the graph failed on purpose/);
    const res = await fetch(`${served.server.url}/runs/wait`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ assistant_id: "fail", input: { value: "z" } }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ __error__: { error: "TypeError", message: "boom: the graph failed on purpose" } });
  });

  it("an interrupt is resumed with a Command", async () => {
    const thread = await served.client.threads.create();
    const first = (await served.client.runs.wait(thread.thread_id, "interrupt", { input: { question: "name?" } })) as Record<string, unknown>;
    expect(first.__interrupt__).toBeDefined();
    const t = await served.client.threads.get(thread.thread_id);
    expect(t.status).toBe("interrupted");
    const state = await served.client.threads.getState(thread.thread_id);
    expect(state.next).toEqual(["ask"]);
    const resumed = (await served.client.runs.wait(thread.thread_id, "interrupt", { command: { resume: "Ada" } })) as { steps: string[]; answer: string };
    expect(resumed.answer).toBe("Ada");
    expect(resumed.steps).toEqual(["ask", "finish:Ada"]);
    expect((await served.client.threads.get(thread.thread_id)).status).toBe("idle");
  });

  it("interrupt_before stops before the node", async () => {
    const thread = await served.client.threads.create();
    await served.client.runs.wait(thread.thread_id, "nested", { input: { trail: [] }, interruptBefore: ["child"] });
    expect((await served.client.threads.get(thread.thread_id)).status).toBe("interrupted");
    const state = await served.client.threads.getState(thread.thread_id);
    expect(state.next).toEqual(["child"]);
    expect((state.values as { inner?: string }).inner).toBeUndefined();
    const done = (await served.client.runs.wait(thread.thread_id, "nested", { input: null })) as { trail: string[]; inner: string };
    expect(done).toEqual({ trail: ["outer"], inner: "done" });
  });

  it("a factory graph is called with the run's config", async () => {
    const out = (await served.client.runs.wait(null, "factory", { input: {}, config: { configurable: { model: "m-42" } } })) as { model: string; user: string };
    expect(out).toEqual({ model: "m-42", user: "anonymous" });
  });

  it("cancels a running run and rejects a second run on a busy thread", async () => {
    const thread = await served.client.threads.create();
    const run = await served.client.runs.create(thread.thread_id, "slow", { input: { ms: 400 } });
    await expect(served.client.runs.create(thread.thread_id, "slow", { input: { ms: 1 } })).rejects.toThrow(/409/);
    await served.client.runs.cancel(thread.thread_id, run.run_id, true);
    const after = await served.client.runs.get(thread.thread_id, run.run_id);
    expect(after.status).toBe("interrupted");
    expect((await served.client.threads.get(thread.thread_id)).status).toBe("idle");
  });

  it("enqueue runs one after another on the same thread", async () => {
    const thread = await served.client.threads.create();
    const a = await served.client.runs.create(thread.thread_id, "slow", { input: { ms: 20 } });
    const b = await served.client.runs.create(thread.thread_id, "slow", { input: { ms: 20 }, multitaskStrategy: "enqueue" });
    const out = (await served.client.runs.join(thread.thread_id, b.run_id)) as { ticks: number[] };
    expect(out.ticks).toEqual([1, 2, 3, 1, 2, 3]);
    expect((await served.client.runs.get(thread.thread_id, a.run_id)).status).toBe("success");
  });

  /** Wait until a run is running (bounded). */
  const untilRunning = async (threadId: string, runId: string) => {
    for (let i = 0; i < 200; i += 1) {
      if ((await served.client.runs.get(threadId, runId)).status === "running") return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error("run never started");
  };

  it("multitask interrupt: the running run is interrupted, the new one runs on the same state", async () => {
    const thread = await served.client.threads.create();
    const a = await served.client.runs.create(thread.thread_id, "slow", { input: { ms: 300 } });
    await untilRunning(thread.thread_id, a.run_id);
    const b = await served.client.runs.create(thread.thread_id, "slow", { input: { ms: 1 }, multitaskStrategy: "interrupt" });
    const out = (await served.client.runs.join(thread.thread_id, b.run_id)) as { ticks: number[] };
    expect((await served.client.runs.get(thread.thread_id, a.run_id)).status).toBe("interrupted");
    expect((await served.client.runs.get(thread.thread_id, b.run_id)).status).toBe("success");
    expect(out.ticks.slice(-3)).toEqual([1, 2, 3]);
  });

  it("multitask rollback: the running run and its checkpoints are gone, as if it never ran", async () => {
    const thread = await served.client.threads.create();
    const a = await served.client.runs.create(thread.thread_id, "slow", { input: { ms: 150 } });
    await untilRunning(thread.thread_id, a.run_id);
    await new Promise((r) => setTimeout(r, 200)); // let it write a checkpoint or two
    const b = await served.client.runs.create(thread.thread_id, "slow", { input: { ms: 1 }, multitaskStrategy: "rollback" });
    const out = (await served.client.runs.join(thread.thread_id, b.run_id)) as { ticks: number[] };
    await expect(served.client.runs.get(thread.thread_id, a.run_id)).rejects.toThrow(/404/);
    expect(out.ticks).toEqual([1, 2, 3]);
    expect((await served.client.runs.list(thread.thread_id)).map((r) => r.run_id)).toEqual([b.run_id]);
  });

  it("cancel with action rollback deletes the run and what it wrote", async () => {
    const thread = await served.client.threads.create();
    const a = await served.client.runs.create(thread.thread_id, "slow", { input: { ms: 150 } });
    await untilRunning(thread.thread_id, a.run_id);
    await new Promise((r) => setTimeout(r, 200));
    await served.client.runs.cancel(thread.thread_id, a.run_id, true, "rollback");
    await expect(served.client.runs.get(thread.thread_id, a.run_id)).rejects.toThrow(/404/);
    const state = await served.client.threads.getState(thread.thread_id);
    expect(state.values).toEqual({});
    expect((await served.client.threads.get(thread.thread_id)).status).toBe("idle");
  });

  it("answers errors the SDK reads well", async () => {
    await expect(served.client.threads.get("00000000-0000-4000-8000-000000000000")).rejects.toThrow(
      /404.*Thread with ID 00000000-0000-4000-8000-000000000000 not found/,
    );
    await expect(served.client.runs.wait(null, "no-such-graph", { input: {} })).rejects.toThrow(/404.*No assistant found for "no-such-graph"/);
    const res = await fetch(`${served.server.url}/threads/not-a-uuid`);
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/thread_id/);
    const bad = await fetch(`${served.server.url}/threads`, { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" });
    expect(bad.status).toBe(400);
    const limit = await fetch(`${served.server.url}/threads/search`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ limit: 5000 }) });
    expect(limit.status).toBe(422);
    expect(await limit.text()).toBe("body/limit must be <= 1000");
  });
});
