/**
 * The PostgreSQL backend's run locking, stream events, change feed and transactions, with several backends on one
 * database standing for several lg-dev processes (each its own pools and notification connection).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ChangeEvent } from "../../../src/storage/backend.js";
import type { PostgresBackend } from "../../../src/storage/postgres/backend.js";
import { usePostgres } from "../../helpers/postgres.js";
import { openBackend, run, thread, until } from "./backend-helpers.js";

const pg = usePostgres();
const opened: Array<{ close(): Promise<void> }> = [];
let procs: PostgresBackend[];
beforeAll(async () => {
  procs = [await openBackend(pg.url, opened), await openBackend(pg.url, opened), await openBackend(pg.url, opened)];
});
afterAll(async () => {
  for (const x of opened.splice(0).reverse()) await x.close();
});
beforeEach(async () => {
  await procs[0]!.threads.clear();
});

describe("the run queue", () => {
  it("many concurrent claimers in three processes: each run claimed once, one running run per thread, runs of a thread in order", async () => {
    const [a] = procs;
    const THREADS = 10;
    const RUNS = 120;
    for (let t = 0; t < THREADS; t++) await a!.threads.put(thread(`t${t}`));
    const created: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = run(`r${String(i).padStart(3, "0")}`, `t${i % THREADS}`);
      created.push(r.run_id);
      await a!.runs.put(r);
    }
    const claimedBy = new Map<string, string>();
    const running = new Map<string, string>(); // thread -> run, as the claimers see it
    const order = new Map<string, string[]>(); // thread -> runs in claim order
    const violations: string[] = [];
    // 4 workers in each of the 3 processes, all claiming at once until the queue is empty.
    const workers = procs.flatMap((p, pi) =>
      Array.from({ length: 4 }, async (_, wi) => {
        const workerId = `p${pi}w${wi}`;
        for (let idle = 0; idle < 20; ) {
          const claim = await p.queue.claim(workerId, { leaseMs: 30_000 });
          if (!claim) {
            idle++;
            await new Promise((r) => setTimeout(r, 5));
            continue;
          }
          idle = 0;
          const { run_id, thread_id } = claim.run;
          if (claimedBy.has(run_id)) violations.push(`${run_id} claimed twice`);
          claimedBy.set(run_id, workerId);
          if (running.has(thread_id)) violations.push(`${thread_id} ran ${running.get(thread_id)} and ${run_id} at once`);
          running.set(thread_id, run_id);
          order.set(thread_id, [...(order.get(thread_id) ?? []), run_id]);
          await new Promise((r) => setTimeout(r, 1));
          running.delete(thread_id); // before release: once released, another claim of the thread may follow at once
          expect(await p.queue.release(run_id, workerId, { status: "success" })).toBe(true);
        }
      }),
    );
    await Promise.all(workers);
    expect(violations).toEqual([]);
    expect([...claimedBy.keys()].sort()).toEqual(created);
    // Work was shared between the processes.
    expect(new Set([...claimedBy.values()].map((w) => w.slice(0, 2))).size).toBe(3);
    for (const [t, runs] of order) expect(runs, t).toEqual([...runs].sort());
    expect(await a!.runs.listByStatus(["pending", "running"])).toEqual([]);
    expect((await a!.runs.listByStatus(["success"])).length).toBe(RUNS);
  });

  it("claimRun: only that run, only when pending, due, first of its thread and its thread idle", async () => {
    const [a, b] = procs;
    await a!.threads.put(thread("t"));
    await a!.runs.put(run("first", "t"));
    await a!.runs.put(run("second", "t"));
    await a!.threads.put(thread("t2"));
    await a!.runs.put(run("later", "t2", { not_before: new Date(Date.now() + 60_000).toISOString() }));
    expect(await a!.queue.claimRun("second", "w", { leaseMs: 1000 })).toBeUndefined();
    expect(await a!.queue.claimRun("later", "w", { leaseMs: 1000 })).toBeUndefined();
    const claims = await Promise.all([a!.queue.claimRun("first", "wa", { leaseMs: 1000 }), b!.queue.claimRun("first", "wb", { leaseMs: 1000 })]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(claims.find(Boolean)!.run.status).toBe("running");
    expect(await a!.queue.claimRun("second", "w", { leaseMs: 1000 })).toBeUndefined();
    expect(await a!.queue.claim("w", { leaseMs: 1000 })).toBeUndefined();
    expect(await a!.queue.claimRun("nope", "w", { leaseMs: 1000 })).toBeUndefined();
  });

  it("leases: heartbeat extends, an expired lease is found, a lost claim cannot be released", async () => {
    const [a, b] = procs;
    await a!.threads.put(thread("t"));
    await a!.runs.put(run("r", "t"));
    await a!.threads.put(thread("t3"));
    await a!.runs.put(run("skip-me", "t3"));
    expect((await a!.queue.claim("wa", { leaseMs: 300, skipThreads: new Set(["t3"]) }))?.run.run_id).toBe("r");
    expect(await a!.queue.heartbeat("wa", ["r", "unknown"], 300)).toEqual(["r"]);
    expect(await a!.queue.heartbeat("wb", ["r"], 300)).toEqual([]);
    expect(await b!.queue.expired()).toEqual([]);
    await until(async () => (await b!.queue.expired()).length > 0, 5000);
    const [expired] = await b!.queue.expired();
    expect(expired!.run_id).toBe("r");
    // Another process ends it (as the executor does on takeover), then the old claimer's release fails.
    await b!.runs.update("r", { status: "error" });
    expect(await a!.queue.release("r", "wa", { status: "success" })).toBe(false);
    expect((await a!.runs.get("r"))!.status).toBe("error");
    expect(await a!.queue.expired(new Date(Date.now() + 3_600_000).toISOString())).toEqual([]);
  });

  it("release writes the final fields and frees the thread for its next run", async () => {
    const [a] = procs;
    await a!.threads.put(thread("t"));
    await a!.runs.put(run("r1", "t"));
    await a!.runs.put(run("r2", "t"));
    const c = await a!.queue.claim("w", { leaseMs: 10_000 });
    expect(c?.run.run_id).toBe("r1");
    expect(Date.parse(c!.leaseUntil)).toBeGreaterThan(Date.now() + 5_000);
    expect(await a!.queue.claim("w", { leaseMs: 10_000 })).toBeUndefined();
    expect(await a!.queue.release("r1", "w", { status: "interrupted", updated_at: "2030-01-01T00:00:00.000Z" })).toBe(true);
    expect(await a!.runs.get("r1")).toMatchObject({ status: "interrupted", updated_at: "2030-01-01T00:00:00.000Z" });
    expect((await a!.queue.claim("w", { leaseMs: 10_000 }))?.run.run_id).toBe("r2");
  });
});

describe("transactions", () => {
  it("reject multitask: of 20 concurrent 'insert a run unless one is in flight' transactions in 3 processes, one inserts", async () => {
    await procs[0]!.threads.put(thread("t"));
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        procs[i % 3]!.transaction(async (tx) => {
          const current = await tx.threads.get("t");
          if ((await tx.runs.listByStatus(["pending", "running"], "t")).length > 0) throw new Error("busy");
          await tx.threads.put({ ...current!, status: "busy" });
          await tx.runs.put(run(`r${i}`, "t"));
          return i;
        }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason.message)).toEqual(Array(19).fill("busy"));
    expect(await procs[1]!.runs.listByThread("t")).toHaveLength(1);
  });

  it("a rejected transaction writes nothing", async () => {
    await procs[0]!.threads.put(thread("t"));
    await expect(
      procs[0]!.transaction(async (tx) => {
        await tx.threads.put(thread("t", { status: "busy" }));
        await tx.runs.put(run("r", "t"));
        throw new Error("no");
      }),
    ).rejects.toThrow("no");
    expect((await procs[0]!.threads.get("t"))!.status).toBe("idle");
    expect(await procs[0]!.runs.get("r")).toBeUndefined();
  });
});

describe("stream events and the change feed", () => {
  it("events appended in one process are read and heard in order in another", async () => {
    const [a, b] = procs;
    await a!.threads.put(thread("t"));
    await a!.runs.put(run("r", "t"));
    const heard: number[] = [];
    const off = b!.changes.subscribe("run_event", (e) => e.run_id === "r" && heard.push(e.seq));
    // Not awaited one by one: appends of a run still land in order.
    const seqs = await Promise.all(Array.from({ length: 50 }, (_, i) => a!.runEvents.append("r", "t", i % 2 ? "values" : "updates", { i })));
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    await until(() => heard.length === 50);
    off();
    expect(heard).toEqual(seqs);
    const events = await b!.runEvents.read("r", 47);
    expect(events).toEqual([
      { seq: 48, event: "values", data: { i: 47 } },
      { seq: 49, event: "updates", data: { i: 48 } },
      { seq: 50, event: "values", data: { i: 49 } },
    ]);
    // A process that did not append counts on from what is stored.
    expect(await b!.runEvents.append("r", "t", "end", null)).toBe(51);
    await a!.runEvents.drop("r");
    expect(await b!.runEvents.read("r")).toEqual([]);
  });

  it("every change event reaches every process, the sender included", async () => {
    const events: ChangeEvent[] = [
      { type: "run_created", run_id: "r", thread_id: "t" },
      { type: "run_cancel", run_id: "r", thread_id: "t", action: "rollback" },
      { type: "run_ended", run_id: "r", thread_id: "t", status: "error" },
      { type: "thread_changed", thread_id: "t" },
    ];
    const heard = procs.map(() => [] as ChangeEvent[]);
    const offs = procs.flatMap((p, i) => events.map((e) => p.changes.subscribe(e.type, (got) => heard[i]!.push(got))));
    for (const e of events) await procs[1]!.changes.publish(e);
    await until(() => heard.every((h) => h.length === events.length));
    for (const h of heard) expect(h).toEqual(events);
    offs.forEach((off) => off());
  });

  it("resyncs after the notification connection is dropped", async () => {
    const p = procs[2]!;
    let resynced = 0;
    const off = p.changes.onResync(() => resynced++);
    await pg.cluster.terminateConnections({ applicationName: "lg-dev" });
    await until(() => resynced > 0, 10_000);
    off();
    const heard: ChangeEvent[] = [];
    const unsub = p.changes.subscribe("thread_changed", (e) => heard.push(e));
    await until(async () => {
      await procs[0]!.changes.publish({ type: "thread_changed", thread_id: "x" }).catch(() => undefined);
      return heard.length > 0;
    });
    unsub();
  });
});
