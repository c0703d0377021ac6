/**
 * lgdev_run_events does not grow forever (trim.ts): after many runs, it holds the events of runs still pending or
 * running, of the resumable runs that ended last (as many as the embedded store keeps), of runs that ended a moment
 * ago, and the last row of each thread's state log; nothing else.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { PostgresBackend } from "../../../src/storage/postgres/backend.js";
import { usePostgres } from "../../helpers/postgres.js";
import { openBackend, run, thread } from "./backend-helpers.js";

const pg = usePostgres();
const opened: Array<{ close(): Promise<void> }> = [];
let procs: PostgresBackend[];
beforeAll(async () => {
  procs = [await openBackend(pg.url, opened), await openBackend(pg.url, opened)];
});
afterAll(async () => {
  for (const x of opened.splice(0).reverse()) await x.close();
});
beforeEach(async () => {
  await procs[0]!.threads.clear();
});

/** Rows per run id, as stored. */
async function rows(b: PostgresBackend): Promise<Map<string, number[]>> {
  const r = await b.layer.db.query<{ run_id: string; seq: number }>("SELECT run_id, seq FROM lgdev_run_events ORDER BY run_id, seq");
  const out = new Map<string, number[]>();
  for (const row of r.rows) out.set(row.run_id, [...(out.get(row.run_id) ?? []), row.seq]);
  return out;
}

describe("trimming the stream event log", () => {
  it("after many runs: only pending and running runs, the resumable runs that ended last, runs just ended and the tail of state logs are kept", async () => {
    const [a, b] = procs as [PostgresBackend, PostgresBackend];
    await a.threads.put(thread("t1"));
    const resumable = (over: Parameters<typeof run>[2] = {}) => ({ ...over, kwargs: { ...run("x", "t1").kwargs, stream_resumable: true } });
    const make = async (id: string, over: Parameters<typeof run>[2]) => {
      await a.runs.put(run(id, "t1", over));
      for (let i = 0; i < 3; i++) await a.runEvents.append(id, "t1", "values", { i });
    };
    // Ended long ago (the helpers' clock is in 2025): 30 not resumable, 6 resumable (ended in this order).
    for (let i = 0; i < 30; i++) await make(`old-${i}`, { status: i % 3 === 0 ? "error" : "success" });
    for (let i = 0; i < 6; i++) await make(`resumable-${i}`, resumable({ status: "success" }));
    // Still going (whenever they started), and one that ended just now.
    await make("running", { status: "running" });
    await make("pending", resumable({ status: "pending" }));
    await make("just-ended", { status: "success", updated_at: new Date().toISOString() });
    // A thread's state log, written by both processes.
    for (let i = 0; i < 4; i++) await [a, b][i % 2]!.runEvents.append("thread_state:t1", "t1", "state_update", { i });
    expect((await rows(a)).size).toBe(30 + 6 + 3 + 1);

    // Two processes trim at once: one does it, the other finds it being done.
    const [x, y] = await Promise.all([a.runEvents.trim({ keepResumable: 3, afterMs: 60_000 }), b.runEvents.trim({ keepResumable: 3, afterMs: 60_000 })]);
    expect([x, y].filter((n) => n === undefined).length).toBeLessThanOrEqual(1);
    expect((x ?? 0) + (y ?? 0)).toBe((30 + 3) * 3);
    let kept = await rows(a);
    expect([...kept.keys()].sort()).toEqual(["just-ended", "pending", "resumable-3", "resumable-4", "resumable-5", "running", "thread_state:t1"]);
    for (const id of ["just-ended", "pending", "resumable-5", "running"]) expect(kept.get(id)).toEqual([1, 2, 3]);
    expect(kept.get("thread_state:t1")).toEqual([1, 2, 3, 4]);
    // Nothing more to do.
    expect(await a.runEvents.trim({ keepResumable: 3, afterMs: 60_000 })).toBe(0);

    // Once their time has passed: the run that just ended goes, the state log keeps its last row (its seq counts on).
    expect(await b.runEvents.trim({ keepResumable: 3, afterMs: 0 })).toBe(3 + 3);
    kept = await rows(a);
    expect([...kept.keys()].sort()).toEqual(["pending", "resumable-3", "resumable-4", "resumable-5", "running", "thread_state:t1"]);
    expect(kept.get("thread_state:t1")).toEqual([4]);
    expect(await b.runEvents.append("thread_state:t1", "t1", "state_update", { i: 4 })).toBe(5);
    expect((await a.runEvents.read("thread_state:t1", 4)).map((e) => e.data)).toEqual([{ i: 4 }]);

    // A resumable run still replays after others ended (within the window), from either process.
    expect((await b.runEvents.read("resumable-3")).map((e) => e.data)).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
  });
});
