/**
 * saver.ts: the official PostgresSaver with put and putWrites in one statement each. The same calls made on the
 * official class and on the one-trip class (each on its own schema of one database) leave the same rows in the
 * checkpoint tables and read back the same, in fewer statements; an unknown class shape falls back to the official one.
 * Channel versions unique across branches: a fork of a past checkpoint (and a sibling fork) answers as MemorySaver does.
 */
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { emptyCheckpoint, MemorySaver, type BaseCheckpointSaver, type Checkpoint } from "@langchain/langgraph-checkpoint";
import { Annotation, Command, END, START, StateGraph, interrupt } from "@langchain/langgraph";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OfficialPostgres } from "../../../src/storage/postgres/official.js";
import { mintsIntegerVersions, oneTripUnsupported, withOneTripWrites, withUniqueVersions } from "../../../src/storage/postgres/saver.js";
import { usePostgres } from "../../helpers/postgres.js";

const db = usePostgres();
const Official = PostgresSaver as unknown as OfficialPostgres["PostgresSaver"];

/** A pool that counts the statements sent through it (pool.query and the clients it hands out). */
function countingPool(pool: pg.Pool): { pool: pg.Pool; count: () => number } {
  let n = 0;
  const wrapped = {
    query: (...args: unknown[]) => {
      n++;
      return (pool.query as (...a: unknown[]) => unknown)(...args);
    },
    connect: async () => {
      const client = await pool.connect();
      return new Proxy(client, {
        get(target, key, receiver) {
          if (key === "query") {
            return (...args: unknown[]) => {
              n++;
              return (target.query as (...a: unknown[]) => unknown).apply(target, args);
            };
          }
          const v = Reflect.get(target, key, receiver) as unknown;
          return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
    },
    end: () => pool.end(),
  };
  return { pool: wrapped as unknown as pg.Pool, count: () => n };
}

let pool: pg.Pool;
beforeAll(async () => {
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  for (const schema of ["official_saver", "one_trip_saver"]) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
});
afterAll(async () => {
  await pool?.end();
});

function checkpoint(id: string, values: Record<string, unknown>, versions: Record<string, number>): Checkpoint {
  const c = emptyCheckpoint();
  return { ...c, id, ts: "2026-12-03T00:00:00.000Z", channel_values: values, channel_versions: versions, versions_seen: { node: { a: 1 } } };
}

/** The same sequence of writes on a saver: several blobs (one of a channel with no value), an upsert of a
 * checkpoint, no new versions, ordinary writes and special-channel writes given twice (the later one wins). */
async function writeSequence(saver: InstanceType<OfficialPostgres["PostgresSaver"]>): Promise<void> {
  const base = { configurable: { thread_id: "t1", checkpoint_ns: "" } };
  const c1 = await saver.put(base, checkpoint("1ef00000-0000-6000-8000-000000000001", { messages: [{ role: "user", content: "hi" }], n: 1 }, { messages: 1, n: 1, gone: 1 }), { source: "input", step: -1, parents: {} }, { messages: 1, n: 1, gone: 1 });
  const c2 = await saver.put(c1, checkpoint("1ef00000-0000-6000-8000-000000000002", { n: 2 }, { messages: 1, n: 2 }), { source: "loop", step: 0, parents: {} }, { n: 2 });
  // The same checkpoint again with other metadata: an upsert.
  await saver.put(c1, checkpoint("1ef00000-0000-6000-8000-000000000002", { n: 2 }, { messages: 1, n: 2 }), { source: "loop", step: 0, parents: {}, extra: "again" } as never, { n: 2 });
  // No new versions: no blobs.
  const c3 = await saver.put(c2, checkpoint("1ef00000-0000-6000-8000-000000000003", {}, { messages: 1, n: 2 }), { source: "update", step: 1, parents: {} }, {});
  await saver.putWrites(c3, [["n", 3], ["messages", [{ role: "ai", content: "ho" }]], ["n", 4]], "task-1");
  await saver.putWrites(c3, [["n", 3]], "task-1"); // an insert of an existing key does nothing
  await saver.putWrites(c3, [["__interrupt__", { value: "first" }], ["__interrupt__", { value: "second" }]], "task-2");
  await saver.putWrites(c3, [["__error__", { message: "boom" }]], "task-3");
  await saver.putWrites(c3, [["__error__", { message: "boom again" }]], "task-3");
  await saver.putWrites(c3, [], "task-4");
  // A subgraph's namespace.
  await saver.put({ configurable: { thread_id: "t1", checkpoint_ns: "child:1" } }, checkpoint("1ef00000-0000-6000-8000-000000000004", { x: "y" }, { x: 1 }), { source: "loop", step: 0, parents: { "": "1ef00000-0000-6000-8000-000000000003" } }, { x: 1 });
}

async function tables(schema: string): Promise<unknown> {
  const read = async (sql: string) => (await pool.query(sql.replaceAll("$S", schema))).rows;
  return {
    checkpoints: await read("SELECT thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, checkpoint::text, metadata::text FROM $S.checkpoints ORDER BY 1, 2, 3"),
    blobs: await read("SELECT thread_id, checkpoint_ns, channel, version, type, encode(blob, 'hex') AS blob FROM $S.checkpoint_blobs ORDER BY 1, 2, 3, 4"),
    writes: await read("SELECT thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, encode(blob, 'hex') AS blob FROM $S.checkpoint_writes ORDER BY 1, 2, 3, 4, 5"),
  };
}

describe("PostgresSaver with one-trip writes", () => {
  it("leaves the same rows and reads back the same as the official saver, in fewer statements", async () => {
    const OneTrip = withOneTripWrites(Official);
    expect(OneTrip).not.toBe(Official);
    const a = countingPool(pool);
    const b = countingPool(pool);
    const official = new Official(a.pool, undefined, { schema: "official_saver" });
    const oneTrip = new OneTrip(b.pool, undefined, { schema: "one_trip_saver" });
    await official.setup();
    await oneTrip.setup();
    const [setupA, setupB] = [a.count(), b.count()];
    await writeSequence(official);
    await writeSequence(oneTrip);
    const stored = await tables("official_saver");
    expect(await tables("one_trip_saver")).toEqual(stored);
    expect((stored as { blobs: unknown[] }).blobs.length).toBeGreaterThan(3);
    expect((stored as { writes: unknown[] }).writes.length).toBeGreaterThan(3);
    // One statement per non-empty call (10), against BEGIN, each row and COMMIT.
    expect(b.count() - setupB).toBe(10);
    expect(a.count() - setupA).toBeGreaterThan(30);

    const config = { configurable: { thread_id: "t1", checkpoint_ns: "" } };
    const strip = (t: unknown) => JSON.parse(JSON.stringify(t)) as unknown;
    expect(strip(await oneTrip.getTuple(config))).toEqual(strip(await official.getTuple(config)));
    const list = async (s: typeof official) => {
      const out: unknown[] = [];
      for await (const t of s.list({ configurable: { thread_id: "t1" } })) out.push(strip(t));
      return out;
    };
    expect(await list(oneTrip)).toEqual(await list(official));
    const tuple = await oneTrip.getTuple(config);
    expect(tuple?.pendingWrites?.find((w) => w[0] === "task-2")?.[2]).toEqual({ value: "second" });
  });

  it("a statement that fails writes nothing of it", async () => {
    const OneTrip = withOneTripWrites(Official);
    const saver = new OneTrip(pool, undefined, { schema: "one_trip_saver" });
    await saver.setup();
    const before = await tables("one_trip_saver");
    // A NUL character in the checkpoint is refused by jsonb: the blobs of this put must not stay without it.
    const bad = { ...checkpoint("1ef00000-0000-6000-8000-000000000009", { n: 9 }, { n: 9 }), ts: "\u0000" };
    await expect(saver.put({ configurable: { thread_id: "t2", checkpoint_ns: "" } }, bad, { source: "loop", step: 0, parents: {} }, { n: 9 })).rejects.toThrow();
    expect(await tables("one_trip_saver")).toEqual(before);
  });

  it("falls back to the official class when its shape is not the known one, or when switched off", () => {
    class Other {
      put() {}
      putWrites() {}
    }
    const Unknown = Other as unknown as OfficialPostgres["PostgresSaver"];
    expect(oneTripUnsupported(Unknown)).toMatch(/_dumpBlobs/);
    const why: string[] = [];
    expect(withOneTripWrites(Unknown, (w) => why.push(w))).toBe(Unknown);
    expect(why).toHaveLength(1);
    process.env.LG_DEV_PG_SAVER_ONE_TRIP = "0";
    try {
      expect(withOneTripWrites(Official)).toBe(Official);
    } finally {
      delete process.env.LG_DEV_PG_SAVER_ONE_TRIP;
    }
  });
});

/**
 * A draft written once, then two reviewers that each interrupt with it (the Studio fixture's "approval" graph, cut
 * down): after `write`, the checkpoint's next is [legal, editor].
 */
function approvalGraph() {
  const State = Annotation.Root({
    topic: Annotation<string>(),
    draft: Annotation<string | undefined>(),
    approvals: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
    published: Annotation<boolean | undefined>(),
  });
  return new StateGraph(State)
    .addNode("write", (s) => ({ draft: `A note about ${s.topic}` }))
    .addNode("legal", (s) => ({ approvals: [`legal: ${String(interrupt({ reviewer: "legal", draft: s.draft }))}`] }))
    .addNode("editor", (s) => ({ approvals: [`editor: ${String(interrupt({ reviewer: "editor", draft: s.draft }))}`] }))
    .addNode("publish", () => ({ published: true }))
    .addEdge(START, "write")
    .addEdge("write", "legal")
    .addEdge("write", "editor")
    .addEdge(["legal", "editor"], "publish")
    .addEdge("publish", END);
}

/** Run to the end, fork the checkpoint after `write` with another draft (as Studio's Fork does), run the fork. */
async function forkScenario(checkpointer: BaseCheckpointSaver, threadId: string) {
  const graph = approvalGraph().compile({ checkpointer });
  const config = { configurable: { thread_id: threadId } };
  await graph.invoke({ topic: "bees" }, config);
  await graph.invoke(new Command({ resume: "ok" }), config);
  await graph.invoke(new Command({ resume: "ok" }), config);
  const history = [];
  for await (const s of graph.getStateHistory(config)) history.push(s);
  const afterWrite = history.find((s) => [...s.next].sort().join() === "editor,legal")!;
  const forked = await graph.updateState(afterWrite.config, { draft: "A forked note" });
  const atFork = await graph.getState(forked);
  await graph.invoke(null, forked);
  const head = await graph.getState(config);
  // A second fork of the same checkpoint, a sibling of the first: it must read its own draft, not the first's.
  const sibling = await graph.updateState(afterWrite.config, { draft: "A sibling note" });
  await graph.invoke(null, sibling);
  const siblingHead = await graph.getState(config);
  const interrupts = (s: typeof head) => s.tasks.flatMap((t) => t.interrupts.map((i) => i.value as { reviewer: string; draft: string })).sort((a, b) => a.reviewer.localeCompare(b.reviewer));
  return {
    final: history[0]!.values,
    atFork: { next: [...atFork.next].sort(), values: atFork.values },
    head: { next: [...head.next].sort(), values: head.values, interrupts: interrupts(head) },
    sibling: { next: [...siblingHead.next].sort(), values: siblingHead.values, interrupts: interrupts(siblingHead) },
  };
}

describe("PostgresSaver with unique channel versions", () => {
  it("a fork of a past checkpoint and its sibling give the same answers as MemorySaver", async () => {
    await pool.query("CREATE SCHEMA IF NOT EXISTS fork_saver");
    const Saver = withOneTripWrites(withUniqueVersions(Official));
    const saver = new Saver(pool, undefined, { schema: "fork_saver" });
    await saver.setup();
    const expected = await forkScenario(new MemorySaver(), "fork-thread");
    // What the fork must show: both reviewers waiting again, with the edited draft.
    expect(expected.head.next).toEqual(["editor", "legal"]);
    expect(expected.head.interrupts).toEqual([
      { reviewer: "editor", draft: "A forked note" },
      { reviewer: "legal", draft: "A forked note" },
    ]);
    expect(expected.sibling.interrupts.map((i) => i.draft)).toEqual(["A sibling note", "A sibling note"]);
    expect(await forkScenario(saver, "fork-thread")).toEqual(expected);
  });

  it("versions stay numbers that grow along a branch; a saver with versions of its own is kept as it is", () => {
    expect(mintsIntegerVersions(Official)).toBe(true);
    const saver = new (withUniqueVersions(Official))(pool, undefined, { schema: "fork_saver" });
    let v: unknown = undefined;
    const seen = new Set<unknown>();
    for (let i = 1; i <= 50; i++) {
      const next = saver.getNextVersion(v as number | undefined);
      expect(typeof next).toBe("number");
      expect(Math.floor(next as number)).toBe(i);
      expect(next as number).toBeGreaterThan((v as number | undefined) ?? 0);
      seen.add(next);
      v = next;
    }
    expect(seen.size).toBe(50);
    // An existing thread's integer versions carry on from where they are.
    expect(Math.floor(saver.getNextVersion(7) as number)).toBe(8);
    class OwnVersions extends (Official as unknown as new (...a: unknown[]) => object) {
      getNextVersion(current: string | undefined): string {
        return `${String(Number(current?.split(".")[0] ?? 0) + 1).padStart(32, "0")}.x`;
      }
    }
    const Own = OwnVersions as unknown as OfficialPostgres["PostgresSaver"];
    expect(mintsIntegerVersions(Own)).toBe(false);
    expect(withUniqueVersions(Own)).toBe(Own);
  });
});
