import { Client } from "@langchain/langgraph-sdk";
import { describe, expect, it } from "vitest";
import { serveFixture } from "../helpers/serve-fixture.js";

/** Joining streams, thread streams and the thread state of an interrupted subgraph, through the real SDK client. */
type Ev = { id?: string; event: string; data: any };
const chatInput = { messages: [{ role: "user", content: "what is the weather?" }] };

async function collect(stream: AsyncIterable<unknown>, until?: (e: Ev) => boolean): Promise<Ev[]> {
  const out: Ev[] = [];
  for await (const e of stream) {
    out.push(e as Ev);
    if (until?.(e as Ev)) break;
  }
  return out;
}

describe("joining run streams", () => {
  const served = serveFixture("streams");
  const client = () => served.client;
  const settled = async (thread: string, run: string) => {
    for (let i = 0; i < 400; i++) {
      const { status } = await client().runs.get(thread, run);
      if (status !== "pending" && status !== "running") return status;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error("run did not end");
  };

  it("a resumable run: Last-Event-ID -1 replays it from its first event, n after n, none only what is live", async () => {
    const { thread_id: thread } = await client().threads.create();
    const run = await client().runs.create(thread, "agent", { input: chatInput, streamMode: ["values", "updates"], streamResumable: true });
    await settled(thread, run.run_id);
    const all = await collect(client().runs.joinStream(thread, run.run_id, { lastEventId: "-1" }));
    expect(all[0]).toMatchObject({ id: "0", event: "metadata", data: { run_id: run.run_id } });
    expect(all.map((e) => e.id)).toEqual(all.map((_, i) => String(i)));
    const after3 = await collect(client().runs.joinStream(thread, run.run_id, { lastEventId: "3" }));
    expect(after3.map((e) => e.id)).toEqual(all.slice(4).map((e) => e.id));
    expect(await collect(client().runs.joinStream(thread, run.run_id))).toEqual([]);
    // By run id alone, the same replay.
    const byRun = await collect(client().runs.joinStream(null, run.run_id, { lastEventId: "-1" }));
    expect(byRun.map((e) => e.event)).toEqual(all.map((e) => e.event));
  });

  it("a background run nobody read: the first joiner gets all its events, a second one nothing", async () => {
    const { thread_id: thread } = await client().threads.create();
    const run = await client().runs.create(thread, "agent", { input: chatInput });
    await settled(thread, run.run_id);
    const first = await collect(client().runs.joinStream(thread, run.run_id));
    expect(first.map((e) => e.event)).toEqual(["metadata", "values", "values", "values", "values", "values"]);
    expect(await collect(client().runs.joinStream(thread, run.run_id))).toEqual([]);
  });

  it("an unknown run answers with an error event in the stream (by run id alone: an empty stream)", async () => {
    const { thread_id: thread } = await client().threads.create();
    const unknown = "00000000-0000-4000-8000-000000000000";
    const events = await collect(client().runs.joinStream(thread, unknown));
    expect(events.map(({ event, data }) => ({ event, data }))).toEqual([{ event: "error", data: "Run not found" }]);
    expect(await collect(client().runs.joinStream(unknown, unknown))).toHaveLength(1);
    expect(await collect(client().runs.joinStream(null, unknown))).toEqual([]);
  });

  it("an interrupted subgraph: the task's checkpoint goes straight back to state, state/checkpoint and history", async () => {
    const { thread_id: thread } = await client().threads.create();
    await client().runs.wait(thread, "sub", { input: chatInput });
    const state = await client().threads.getState(thread);
    expect(state).not.toHaveProperty("interrupts");
    const task = state.tasks[0]!;
    expect(task.name).toBe("child");
    expect(task.checkpoint).toStrictEqual({ thread_id: thread, checkpoint_ns: expect.stringMatching(/^child:/) });
    expect(task.interrupts).toEqual([{ id: expect.any(String), value: { question: "continue?" } }]);
    const ns = task.checkpoint!.checkpoint_ns;

    const child = await client().threads.getState(thread, task.checkpoint!);
    expect(child.next).toEqual(["ask"]);
    expect(child.checkpoint).toMatchObject({ thread_id: thread, checkpoint_ns: ns });
    expect((child.values as { messages: Array<{ content: string }> }).messages.at(-1)!.content).toBe("from the child");

    const history = await client().threads.getHistory(thread, { checkpoint: task.checkpoint!, limit: 2 });
    expect(history).toHaveLength(2);
    for (const h of history) expect(h.checkpoint.checkpoint_ns).toBe(ns);

    const updated = await client().threads.updateState(thread, { values: { messages: [{ role: "user", content: "edited" }] }, checkpoint: task.checkpoint! });
    // The body is `{checkpoint}` on the official server too (the SDK's type says `configurable`).
    expect((updated as unknown as { checkpoint: unknown }).checkpoint).toMatchObject({ thread_id: thread, checkpoint_ns: ns });
  });

  it("state with subgraphs: nested task states in the official shape", async () => {
    const { thread_id: thread } = await client().threads.create();
    await client().runs.wait(thread, "sub", { input: chatInput });
    const state = await client().threads.getState(thread, undefined, { subgraphs: true });
    const task = state.tasks[0]!;
    expect(task.checkpoint).toBeNull();
    const nested = task.state!;
    expect(Object.keys(nested).sort()).toEqual(["checkpoint", "created_at", "metadata", "next", "parent_checkpoint", "tasks", "values"]);
    expect(nested.next).toEqual(["ask"]);
    expect(nested.checkpoint).toMatchObject({ thread_id: thread, checkpoint_ns: expect.stringMatching(/^child:/), checkpoint_map: expect.any(Object) });
    expect(nested.metadata).toMatchObject({ langgraph_node: "child", checkpoint_map: expect.any(Object) });
    expect(nested.tasks[0]).toMatchObject({ name: "ask", checkpoint: null, state: null, interrupts: [{ value: { question: "continue?" } }] });
  });

  it("a new thread's state: empty, no metadata", async () => {
    const { thread_id: thread } = await client().threads.create();
    expect(await client().threads.getState(thread)).toStrictEqual({ values: {}, next: [], tasks: [], created_at: null, checkpoint: null, parent_checkpoint: null });
  });

  it("the thread stream: lifecycle and state_update modes, run_modes by default, Last-Event-ID replays", async () => {
    const { thread_id: thread } = await client().threads.create();
    const controller = new AbortController();
    const watched = collect(client().threads.joinStream(thread, { streamMode: ["lifecycle", "state_update"], signal: controller.signal } as never), (e) => e.event === "lifecycle" && e.data.event !== "started");
    await new Promise((r) => setTimeout(r, 300));
    await collect(client().runs.stream(thread, "agent", { input: chatInput, streamResumable: true }));
    const events = await watched;
    controller.abort();
    const runId = events[0]!.data.run_id;
    expect(events[0]).toMatchObject({ event: "lifecycle", data: { event: "started", run_id: runId } });
    expect(events.at(-1)).toMatchObject({ event: "lifecycle", data: { event: "completed", run_id: runId, status: "success" } });
    const updates = events.filter((e) => e.event === "state_update");
    expect(updates.length).toBeGreaterThan(1);
    expect(updates.at(-1)!.data.values.messages.at(-1).content).toBe("quiet note");
    expect(events.every((e) => e.event === "lifecycle" || e.event === "state_update")).toBe(true);

    // Replay from the start of what is still kept (the resumable run), in run_modes: the run's own events.
    const replay = new AbortController();
    const again = await collect(client().threads.joinStream(thread, { lastEventId: "-1", signal: replay.signal }), (e) => e.event === "values" && e.data.messages?.length === 5);
    replay.abort();
    expect(again[0]).toMatchObject({ event: "metadata", id: `${runId}:0` });

    // A state update reaches state_update followers.
    const follow = new AbortController();
    const next = collect(client().threads.joinStream(thread, { streamMode: "state_update", signal: follow.signal } as never), () => true);
    await new Promise((r) => setTimeout(r, 300));
    await client().threads.updateState(thread, { values: { messages: [{ role: "user", content: "planted" }] } });
    const [update] = await next;
    follow.abort();
    expect(update!.data.values.messages.at(-1).content).toBe("planted");
    expect(update!.data.checkpoint).toMatchObject({ thread_id: thread });
  });
});

describe("joining a run whose thread is hidden (custom auth)", () => {
  const served = serveFixture("streams", ["--no-reload", "--config", "langgraph.auth.json"]);
  const as = (user: string) => new Client({ apiUrl: served.server.url, defaultHeaders: { "x-user": user } });

  it("answers with an error event, the same for a hidden and an unknown thread", async () => {
    const alice = as("alice");
    const { thread_id: thread } = await alice.threads.create();
    const run = await alice.runs.create(thread, "agent", { input: chatInput, streamResumable: true });
    await alice.runs.join(thread, run.run_id);
    const own = await collect(alice.runs.joinStream(thread, run.run_id, { lastEventId: "-1" }));
    expect(own[0]!.event).toBe("metadata");
    const bob = as("bob");
    const notFound = [{ event: "error", data: { error: "Error", message: "404: Thread not found" } }];
    const strip = (events: Ev[]) => events.map(({ event, data }) => ({ event, data }));
    expect(strip(await collect(bob.runs.joinStream(thread, run.run_id, { lastEventId: "-1" })))).toEqual(notFound);
    expect(strip(await collect(bob.runs.joinStream("00000000-0000-4000-8000-000000000000", run.run_id)))).toEqual(notFound);
    expect(await collect(bob.runs.joinStream(null, run.run_id, { lastEventId: "-1" }))).toEqual([]);
  });
});
