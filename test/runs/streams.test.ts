import { describe, expect, it } from "vitest";
import { RunStreams, type SharedRunEvents, type ThreadEvent } from "../../src/runs/streams.js";
import type { ChangeEvent, StoredRunEvent } from "../../src/storage/backend.js";

async function drain<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const e of it) out.push(e);
  return out;
}
const ids = (events: Array<{ id: number }>) => events.map((e) => e.id);

/** A finished run with `n` events after its metadata. */
function finished(streams: RunStreams, runId: string, resumable: boolean, n = 3, threadId = "t"): void {
  streams.open(runId, threadId, resumable);
  streams.publish(runId, "metadata", { run_id: runId });
  for (let i = 0; i < n; i++) streams.publish(runId, "values", { i });
  streams.end(runId, { status: "success" });
}

/**
 * A log shared by several RunStreams (as processes on one PostgreSQL database share lgdev_run_events): appends are
 * kept and announced to every subscriber; the runs' statuses are what `ended` says.
 */
function sharedLog(): { events: (ended: Set<string>) => SharedRunEvents; ended: Set<string> } {
  const rows = new Map<string, StoredRunEvent[]>();
  const handlers = new Set<(e: Extract<ChangeEvent, { type: "run_event" }>) => void>();
  const ended = new Set<string>();
  const shared = (): SharedRunEvents => ({
    log: {
      shared: true,
      async append(runId, threadId, event, data) {
        const list = rows.get(runId) ?? [];
        rows.set(runId, list);
        list.push({ seq: list.length + 1, event, data });
        for (const h of handlers) h({ type: "run_event", run_id: runId, seq: list.length, thread_id: threadId });
        return list.length;
      },
      async read(runId, afterSeq = 0) {
        return (rows.get(runId) ?? []).slice(afterSeq);
      },
      async drop(runId) {
        rows.delete(runId);
      },
    },
    changes: {
      async publish() {},
      subscribe(_topic, handler) {
        handlers.add(handler as never);
        return () => void handlers.delete(handler as never);
      },
      onResync: () => () => undefined,
    },
    statusOf: async (id) => (ended.has(id) ? "success" : "running"),
  });
  return { events: shared, ended };
}

describe("RunStreams", () => {
  it("numbers a run's events from 0", async () => {
    const s = new RunStreams();
    s.open("r", "t", true);
    const sub = drain(s.subscribe("r", { fromStart: true }));
    s.publish("r", "metadata", {});
    s.publish("r", "values", {});
    s.end("r");
    expect((await sub).map((e) => [e.id, e.event])).toEqual([[0, "metadata"], [1, "values"]]);
  });

  it("resumable: Last-Event-ID -1 replays from the first event, n after n, none gives live events only", async () => {
    const s = new RunStreams();
    finished(s, "r", true);
    expect(ids(await drain(s.subscribe("r", { lastEventId: -1 })))).toEqual([0, 1, 2, 3]);
    expect(ids(await drain(s.subscribe("r", { lastEventId: 1 })))).toEqual([2, 3]);
    expect(await drain(s.subscribe("r", {}))).toEqual([]);
    // Replaying does not use the events up.
    expect(ids(await drain(s.subscribe("r", { lastEventId: -1 })))).toEqual([0, 1, 2, 3]);
  });

  it("non-resumable: a joiner gets what nobody read yet, then live events; what was read is not kept", async () => {
    const s = new RunStreams();
    s.open("r", "t", false);
    s.publish("r", "metadata", {});
    s.publish("r", "values", { a: 1 });
    const first = drain(s.subscribe("r"));
    const second = drain(s.subscribe("r"));
    s.publish("r", "values", { a: 2 });
    s.end("r");
    expect(ids(await first)).toEqual([0, 1, 2]);
    expect(ids(await second)).toEqual([2]);
    expect(await drain(s.subscribe("r", { lastEventId: -1 }))).toEqual([]);
  });

  it("a background run nobody read keeps its events after it ended, for one joiner; a waiter consumes them", async () => {
    const s = new RunStreams();
    finished(s, "bg", false);
    expect(ids(await drain(s.subscribe("bg")))).toEqual([0, 1, 2, 3]);
    expect(await drain(s.subscribe("bg"))).toEqual([]);
    s.open("w", "t", false);
    s.publish("w", "metadata", {});
    s.consume("w");
    s.publish("w", "values", {});
    s.end("w");
    expect(await drain(s.subscribe("w"))).toEqual([]);
  });

  it("with a shared log: what a joiner or a waiter read here is not replayed from the log to a later joiner here", async () => {
    const { events, ended } = sharedLog();
    const s = new RunStreams(1000, events(ended));
    const stored = { thread_id: "t", status: "success" as const, resumable: false };
    finished(s, "bg", false);
    ended.add("bg");
    await s.appended("bg");
    expect(ids(await drain(s.subscribe("bg", { run: stored })))).toEqual([0, 1, 2, 3]);
    // The channel is gone, the log still has the events: the second joiner gets nothing, as without a shared log.
    expect(await drain(s.subscribe("bg", { run: stored }))).toEqual([]);
    expect(await drain(s.subscribe("bg", { run: stored }))).toEqual([]);
    // A waiter consumed "w": a joiner after it gets nothing.
    s.open("w", "t", false);
    s.publish("w", "metadata", {});
    s.consume("w");
    s.publish("w", "values", {});
    s.end("w");
    ended.add("w");
    await s.appended("w");
    expect(await drain(s.subscribe("w", { run: stored }))).toEqual([]);
    // A run executed by another process, joined here twice: the first joiner gets it all, the second nothing.
    const other = new RunStreams(1000, events(ended));
    finished(other, "remote", false);
    ended.add("remote");
    await other.appended("remote");
    expect(ids(await drain(s.subscribe("remote", { run: stored })))).toEqual([0, 1, 2, 3]);
    expect(await drain(s.subscribe("remote", { run: stored }))).toEqual([]);
    // Resumable runs still replay from the log on every Last-Event-ID -1.
    finished(s, "res", true);
    ended.add("res");
    await s.appended("res");
    const resumable = { ...stored, resumable: true };
    expect(ids(await drain(s.subscribe("res", { run: resumable, lastEventId: -1 })))).toEqual([0, 1, 2, 3]);
    expect(ids(await drain(s.subscribe("res", { run: resumable, lastEventId: -1 })))).toEqual([0, 1, 2, 3]);
  });

  it("keeps at most keepFinished finished runs", async () => {
    const s = new RunStreams(2);
    for (const id of ["a", "b", "c"]) finished(s, id, true, 1);
    expect(await drain(s.subscribe("a", { lastEventId: -1 }))).toEqual([]);
    expect(ids(await drain(s.subscribe("c", { lastEventId: -1 })))).toEqual([0, 1]);
  });

  it("thread streams: run events with <run>:<n> ids, lifecycle at start and end, state updates, and replay", async () => {
    const s = new RunStreams();
    const controller = new AbortController();
    const got: ThreadEvent[] = [];
    const live = (async () => {
      for await (const e of s.subscribeThread("t", controller.signal)) {
        got.push(e);
        if (got.length === 6) controller.abort();
      }
    })();
    await new Promise((r) => setImmediate(r));
    finished(s, "r1", true, 2);
    s.stateUpdate("t", { values: { x: 1 } });
    await live;
    expect(got.map((e) => [e.id, e.event])).toEqual([
      ["r1:0", "lifecycle"],
      ["r1:0", "metadata"],
      ["r1:1", "values"],
      ["r1:2", "values"],
      ["r1:3", "lifecycle"],
      [undefined, "state_update"],
    ]);
    expect(got[0]!.data).toEqual({ event: "started", namespace: [], run_id: "r1" });
    expect(got[4]!.data).toEqual({ event: "completed", namespace: [], run_id: "r1", status: "success" });

    finished(s, "r2", true, 1);
    const replay = async (from: string) => {
      const c = new AbortController();
      const out: ThreadEvent[] = [];
      const gen = s.subscribeThread("t", c.signal, from);
      setImmediate(() => c.abort());
      for await (const e of gen) out.push(e);
      return out.map((e) => e.id);
    };
    expect(await replay("-1")).toEqual(["r1:0", "r1:0", "r1:1", "r1:2", "r1:3", "r2:0", "r2:0", "r2:1", "r2:2"]);
    expect(await replay("r1:2")).toEqual(["r1:3", "r2:0", "r2:0", "r2:1", "r2:2"]);
    expect(await replay("unknown:3")).toEqual([]);
  });

  it("a failed run ends its thread lifecycle as failed, with the error", async () => {
    const s = new RunStreams();
    const c = new AbortController();
    const got: ThreadEvent[] = [];
    const live = (async () => {
      for await (const e of s.subscribeThread("t", c.signal)) if (e.event === "lifecycle" && (got.push(e), got.length === 2)) c.abort();
    })();
    await new Promise((r) => setImmediate(r));
    s.open("r", "t", false);
    s.publish("r", "metadata", {});
    s.end("r", { status: "error", error: { error: "Boom", message: "boom" } });
    await live;
    expect(got[1]!.data).toEqual({ event: "failed", namespace: [], run_id: "r", status: "error", error: { error: "Boom", message: "boom" } });
  });
});
