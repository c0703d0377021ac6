/**
 * The PostgreSQL backend's repositories on a real cluster. Searches are checked against the definition they must
 * agree with (filter with auth/filters.ts and json-value.ts, then paging.ts selectPage) over generated records.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { matchesFilters, storeFilterTarget } from "../../../src/auth/filters.js";
import { contains } from "../../../src/json-value.js";
import { pageSpec, selectPage } from "../../../src/storage/paging.js";
import type { PostgresBackend } from "../../../src/storage/postgres/backend.js";
import type { AssistantRecord, CronRecord, StoreItemRecord, ThreadRecord } from "../../../src/storage/types.js";
import { usePostgres } from "../../helpers/postgres.js";
import { openBackend, run, thread, tick } from "./backend-helpers.js";

const pg = usePostgres();
const opened: Array<{ close(): Promise<void> }> = [];
let b: PostgresBackend;
beforeAll(async () => {
  b = await openBackend(pg.url, opened);
});
afterAll(async () => {
  for (const x of opened.splice(0).reverse()) await x.close();
});
beforeEach(async () => {
  await b.threads.clear();
  await b.crons.clear();
  await b.store.clear();
  await b.assistants.clearUserMade();
  await b.layer.db.query("DELETE FROM lgdev_assistants");
});

/** A small deterministic generator (the same records every run). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const OWNERS = ["alice", "bob", "carol", null];
const TAGS = ["x", "y", "z"];

describe("threads", () => {
  it("concurrent inserts travel grouped: each answers for its own row (duplicates, a row the server refuses)", async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `g${i % 50}`); // g0..g9 twice
    const done = await Promise.all(ids.map((id) => b.threads.insert(thread(id, { metadata: { n: id } }))));
    // Every id is created exactly once; its later insert answers with the stored row, not created.
    for (let i = 0; i < 50; i++) {
      const answers = done.filter((d) => d.thread.thread_id === `g${i}`);
      expect(answers.filter((a) => a.created).length).toBe(1);
      expect(answers.length).toBe(i < 10 ? 2 : 1);
      for (const a of answers) expect(a.thread.metadata).toEqual({ n: `g${i}` });
    }
    // Grouped: rows inserted by one statement share its transaction id.
    const tx = await b.layer.db.query<{ n: string }>("SELECT count(DISTINCT xmin::text) AS n FROM lgdev_threads WHERE thread_id LIKE 'g%'");
    expect(Number(tx.rows[0]!.n)).toBeLessThan(50);
    expect((await b.threads.search({ limit: 100 })).total).toBe(50);

    // A row the server refuses (jsonb has no \u0000) fails its own insert only, whatever it travelled with.
    const bad = thread("h-bad", { metadata: { k: "a\u0000b" } });
    const more = await Promise.allSettled([...Array.from({ length: 20 }, (_, i) => b.threads.insert(thread(`h${i}`))), b.threads.insert(bad)]);
    expect(more.slice(0, 20).every((r) => r.status === "fulfilled" && r.value.created)).toBe(true);
    expect(more[20]?.status).toBe("rejected");
    expect(String((more[20] as PromiseRejectedResult).reason)).toMatch(/unicode|\\u0000/i);
    expect(await b.threads.get("h-bad")).toBeUndefined();
    expect((await b.threads.search({ limit: 100 })).total).toBe(70);
  });

  it("insert, get, update (atomic patch), delete with runs and checkpoints", async () => {
    const t = thread("t1", { metadata: { owner: "alice", nested: { a: [1, 2] } }, values: { messages: ["hi"] }, error: { message: "boom" } });
    expect(await b.threads.insert(t)).toEqual({ thread: t, created: true });
    const again = await b.threads.insert({ ...t, metadata: { other: true } });
    expect(again.created).toBe(false);
    expect(again.thread).toEqual(t);
    expect(await b.threads.get("t1")).toEqual(t);
    const updated = await b.threads.update("t1", { status: "busy", error: undefined });
    expect(updated?.status).toBe("busy");
    const got = await b.threads.get("t1");
    expect(got?.status).toBe("busy");
    expect(got && "error" in got).toBe(false);
    expect(await b.threads.update("missing", { status: "busy" })).toBeUndefined();

    // values: a JSON null and an absent value stay apart; strings survive as given (json, not jsonb)
    await b.threads.put(thread("t2", { values: { k: "a\u0000b", z: 1, a: 2 } }));
    expect(JSON.stringify((await b.threads.get("t2"))?.values)).toBe('{"k":"a\\u0000b","z":1,"a":2}');

    await b.runs.put(run("r1", "t1"));
    await b.runEvents.append("r1", "t1", "values", { x: 1 });
    expect(await b.threads.delete("t1")).toBe(true);
    expect(await b.threads.delete("t1")).toBe(false);
    expect(await b.runs.get("r1")).toBeUndefined();
    expect(await b.runEvents.read("r1")).toEqual([]);
  });

  it("concurrent updates of one thread lose nothing (row lock)", async () => {
    await b.threads.put(thread("t", { metadata: {} }));
    // Each update reads the record and adds its key in JS: without the row lock, writes would overwrite each other.
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const cur = await b.transaction(async (tx) => {
          const t = (await tx.threads.get("t"))!;
          await tx.threads.put({ ...t, metadata: { ...t.metadata, [`k${i}`]: i } });
          return t;
        });
        expect(cur).toBeDefined();
      }),
    );
    expect(Object.keys((await b.threads.get("t"))!.metadata)).toHaveLength(20);
  });

  it("search agrees with filtering and selectPage: metadata containment, auth filters, status, values, ids, sort, paging, totals", async () => {
    const r = rng(7);
    const all: ThreadRecord[] = [];
    for (let i = 0; i < 60; i++) {
      const owner = OWNERS[Math.floor(r() * OWNERS.length)];
      const tags = TAGS.filter(() => r() < 0.5);
      const t = thread(`t${String(i).padStart(2, "0")}`, {
        status: (["idle", "busy", "error"] as const)[Math.floor(r() * 3)],
        metadata: { ...(owner === null ? {} : { owner }), tags, n: Math.floor(r() * 3), deep: { k: r() < 0.5 ? "v" : "w" } },
        values: { step: Math.floor(r() * 3) },
        // updated_at ties and reversals, to exercise the tie order
        updated_at: new Date(Date.parse("2025-02-01T00:00:00Z") + Math.floor(r() * 5) * 1000).toISOString(),
      });
      all.push(t);
      await b.threads.put(t);
    }
    const queries: Array<Parameters<typeof b.threads.search>[0]> = [
      {},
      { metadata: { owner: "alice" } },
      { metadata: { tags: ["x"] }, sortBy: "updated_at", sortOrder: "asc" },
      { metadata: { deep: { k: "v" } }, status: "busy", limit: 3, offset: 2 },
      { values: { step: 1 }, sortBy: "updated_at" },
      { authFilters: { owner: "bob" } },
      { authFilters: { owner: { $eq: "carol" }, tags: { $contains: "y" } } },
      { authFilters: { tags: { $contains: ["x", "z"] } }, sortBy: "thread_id", sortOrder: "asc", limit: 100 },
      { authFilters: { owner: { $and: [{ $eq: "alice" }, { $eq: "alice" }] } } },
      { authFilters: { owner: { $regex: "a" } } },
      { authFilters: { n: 0 }, sortBy: "status", offset: 1, limit: 5 },
      { sortBy: "no_such_field", limit: 7 },
      { ids: ["t05", "t01", "t05", "nope", "t03"], sortBy: "updated_at", sortOrder: "asc" },
      { ids: ["t09", "t02"], metadata: { n: 1 } },
      { status: "error", withItems: false },
      { limit: 0 },
    ];
    for (const q of queries) {
      const match = (t: ThreadRecord) =>
        (!q.status || t.status === q.status) &&
        (!q.metadata || contains(t.metadata, q.metadata)) &&
        (!q.values || contains(t.values, q.values)) &&
        (!q.authFilters || matchesFilters(t.metadata, q.authFilters));
      const source = q.ids ? q.ids.map((id) => all.find((t) => t.thread_id === id)).filter((t): t is ThreadRecord => !!t) : all;
      const matches = source.filter(match);
      const expected = q.withItems === false ? [] : selectPage(matches, pageSpec({ sort_by: q.sortBy, sort_order: q.sortOrder, offset: q.offset, limit: q.limit }));
      const got = await b.threads.search(q);
      expect({ q, ids: got.items.map((t) => t.thread_id), total: got.total }).toEqual({ q, ids: expected.map((t) => t.thread_id), total: matches.length });
    }
  });

  it("copy takes every checkpoint, blob and write with it", async () => {
    await b.threads.put(thread("src"));
    const cfg = { configurable: { thread_id: "src", checkpoint_ns: "" } };
    const cp = (n: number) => ({ v: 4, id: `1ef00000-0000-6000-8000-00000000000${n}`, ts: tick(), channel_values: { n }, channel_versions: { n: String(n) }, versions_seen: {} });
    const next = await b.checkpoints.saver.put(cfg, cp(1) as never, { source: "loop", step: 1, parents: {} } as never, { n: "1" } as never);
    await b.checkpoints.saver.putWrites(next, [["n", 5]], "task1");
    await b.threads.copy("src", thread("dst"));
    const tuple = await b.checkpoints.saver.getTuple({ configurable: { thread_id: "dst" } });
    expect(tuple?.checkpoint.channel_values).toEqual({ n: 1 });
    expect(tuple?.pendingWrites).toEqual([["task1", "n", 5]]);
  });
});

describe("checkpoints", () => {
  const cfg = { configurable: { thread_id: "c1", checkpoint_ns: "" } };
  const cp = (n: number) => ({ v: 4, id: `1ef00000-0000-6000-8000-00000000000${n}`, ts: tick(), channel_values: { n }, channel_versions: { n: String(n) }, versions_seen: {} });
  const meta = (n: number) => ({ source: "loop", step: n, parents: {} }) as never;

  it("keysOf, deleteAllBut (rollback), keepLatest, patchLatestMetadata, deleteThread", async () => {
    const s = b.checkpoints.saver;
    await s.put(cfg, cp(1) as never, meta(1), { n: "1" } as never);
    const keep = await b.checkpoints.keysOf("c1");
    expect(keep).toHaveLength(1);
    const c2 = await s.put({ configurable: { ...cfg.configurable, checkpoint_id: cp(1).id } }, cp(2) as never, meta(2), { n: "2" } as never);
    await s.putWrites(c2, [["n", 9]], "t");
    expect(await b.checkpoints.keysOf("c1")).toHaveLength(2);
    await b.checkpoints.deleteAllBut("c1", keep);
    expect(await b.checkpoints.keysOf("c1")).toEqual(keep);
    expect((await s.getTuple(cfg))?.checkpoint.channel_values).toEqual({ n: 1 });
    const blobs = await b.layer.db.query("SELECT version FROM checkpoint_blobs WHERE thread_id = 'c1'");
    expect(blobs.rows.map((r) => r.version)).toEqual(["1"]);
    expect((await b.layer.db.query("SELECT 1 FROM checkpoint_writes WHERE thread_id = 'c1'")).rowCount).toBe(0);

    await s.put(cfg, cp(3) as never, meta(3), { n: "3" } as never);
    await s.put({ configurable: { thread_id: "c1", checkpoint_ns: "sub" } }, cp(4) as never, meta(4), { n: "4" } as never);
    await s.put({ configurable: { thread_id: "c1", checkpoint_ns: "sub" } }, cp(5) as never, meta(5), { n: "5" } as never);
    await b.checkpoints.keepLatest("c1");
    const left = (await b.checkpoints.keysOf("c1")).map((k) => JSON.parse(k) as [string, string]).sort();
    expect(left).toEqual([
      ["", cp(3).id],
      ["sub", cp(5).id],
    ]);

    expect(await b.checkpoints.patchLatestMetadata("c1", { tag: "x" })).toBe(true);
    expect((await s.getTuple(cfg))?.metadata).toMatchObject({ step: 3, tag: "x" });
    expect(await b.checkpoints.patchLatestMetadata("none", { tag: "x" })).toBe(false);
    await b.checkpoints.deleteThread("c1");
    expect(await b.checkpoints.keysOf("c1")).toEqual([]);
    expect((await b.counts()).checkpoints).toBe(0);
  });
});

describe("assistants", () => {
  const assistant = (id: string, over: Partial<AssistantRecord> = {}): AssistantRecord => {
    const t = tick();
    return { assistant_id: id, graph_id: "g", config: {}, context: {}, metadata: {}, name: id, description: null, version: 1, created_at: t, updated_at: t, ...over };
  };

  it("create once, versions, search, clearUserMade", async () => {
    const a = assistant("a1", { metadata: { created_by: "system" }, name: "Agent One" });
    const { updated_at: _u, ...v1 } = a;
    expect(await b.assistants.create(a, v1)).toBe(true);
    expect(await b.assistants.create({ ...a, name: "other" }, v1)).toBe(false);
    expect(await b.assistants.get("a1")).toEqual(a);
    const a2 = { ...a, version: 2, metadata: { created_by: "system", tier: "pro" }, updated_at: tick() };
    const { updated_at: _u2, ...v2 } = a2;
    await b.assistants.putWithVersion(a2, v2);
    expect((await b.assistants.listVersions("a1", {})).map((v) => v.version)).toEqual([2, 1]);
    expect((await b.assistants.listVersions("a1", { metadata: { tier: "pro" } })).map((v) => v.version)).toEqual([2]);
    expect(await b.assistants.getVersion("a1", 1)).toEqual(v1);

    for (let i = 0; i < 5; i++) await b.assistants.put(assistant(`u${i}`, { graph_id: i % 2 ? "g" : "h", metadata: { owner: i % 2 ? "alice" : "bob" } }));
    const s = await b.assistants.search({ graphId: "g", sortBy: "name", sortOrder: "asc", limit: 2 });
    expect(s.total).toBe(3);
    expect(s.items.map((x) => x.assistant_id)).toEqual(["a1", "u1"]);
    expect((await b.assistants.search({ name: "ONE" })).items.map((x) => x.assistant_id)).toEqual(["a1"]);
    expect((await b.assistants.search({ authFilters: { owner: "bob" } })).total).toBe(3);
    expect((await b.assistants.listSystem()).map((x) => x.assistant_id)).toEqual(["a1"]);
    await b.assistants.clearUserMade();
    expect((await b.assistants.search({})).items.map((x) => x.assistant_id)).toEqual(["a1"]);
    expect(await b.assistants.delete("a1")).toBe(true);
    expect(await b.assistants.getVersion("a1", 1)).toBeUndefined();
  });
});

describe("crons", () => {
  const cron = (id: string, over: Partial<CronRecord> = {}): CronRecord => {
    const t = tick();
    return {
      cron_id: id,
      assistant_id: "a1",
      thread_id: null,
      schedule: "* * * * *",
      payload: { input: { x: 1 } },
      metadata: {},
      user_id: null,
      end_time: null,
      next_run_date: "2025-03-01T00:00:00.000Z",
      enabled: true,
      on_run_completed: "delete",
      timezone: null,
      auth: { user: { identity: "u" }, permissions: ["p"] },
      created_at: t,
      updated_at: t,
      ...over,
    };
  };

  it("create once, search, due, nextDue, advance fires once among concurrent callers", async () => {
    const c = cron("c1");
    expect(await b.crons.create(c)).toBe(true);
    expect(await b.crons.create(c)).toBe(false);
    expect(await b.crons.get("c1")).toEqual(c);
    await b.crons.put(cron("c2", { next_run_date: "2025-02-01T00:00:00.000Z", metadata: { k: 1 } }));
    await b.crons.put(cron("c3", { enabled: false, next_run_date: "2025-01-01T00:00:00.000Z" }));
    expect(await b.crons.nextDue()).toBe("2025-02-01T00:00:00.000Z");
    expect((await b.crons.due("2025-02-15T00:00:00.000Z")).map((x) => x.cron_id)).toEqual(["c2"]);
    expect((await b.crons.search({ metadata: { k: 1 } })).items.map((x) => x.cron_id)).toEqual(["c2"]);
    expect((await b.crons.search({ enabled: true, sortBy: "next_run_date", sortOrder: "asc" })).items.map((x) => x.cron_id)).toEqual(["c2", "c1"]);

    const results = await Promise.all(Array.from({ length: 10 }, () => b.crons.advance("c2", "2025-02-01T00:00:00.000Z", "2025-02-01T00:01:00.000Z")));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await b.crons.get("c2"))?.next_run_date).toBe("2025-02-01T00:01:00.000Z");
  });
});

describe("store items (the official store table)", () => {
  const item = (namespace: string[], key: string, value: Record<string, unknown>, over: Partial<StoreItemRecord> = {}): StoreItemRecord => {
    const t = tick();
    return { namespace, key, value, created_at: t, updated_at: t, expires_at: null, ttl_minutes: null, ...over };
  };

  it("is readable by the official PostgresStore and agrees with the filter definitions", async () => {
    const items: StoreItemRecord[] = [];
    const r = rng(3);
    for (let i = 0; i < 40; i++) {
      const ns = [["users", "alice"], ["users", "bob"], ["users", "alice", "notes"], ["docs"], ["users_x"]][Math.floor(r() * 5)]!;
      const it = item(ns, `k${i}`, { owner: OWNERS[i % 3], text: i % 4 === 0 ? "Hello World" : "bye", tags: TAGS.filter(() => r() < 0.5) });
      items.push(it);
      await b.store.put(it);
    }
    await b.store.put(item(["users", "alice"], "old", { owner: "alice" }, { expires_at: "2000-01-01T00:00:00.000Z", ttl_minutes: 1 }));
    expect(await b.store.get(["users", "alice"], "old")).toBeUndefined();
    expect((await b.store.list()).length).toBe(41);

    const official = (await b.layer.store.get(["users", "alice"], items.find((x) => x.namespace.join() === "users,alice")!.key))!;
    expect(official.namespace).toEqual(["users", "alice"]);

    const queries = [
      { namespacePrefix: ["users"] },
      { namespacePrefix: ["users", "alice"], limit: 100 },
      { namespacePrefix: [], filter: { owner: "bob" }, limit: 100 },
      { namespacePrefix: [], query: "hello", limit: 100 },
      { namespacePrefix: [], authFilters: { namespace: { $contains: "alice" } }, limit: 100 },
      { namespacePrefix: [], authFilters: { owner: "carol", tags: { $contains: "x" } }, limit: 100, offset: 1 },
    ];
    for (const q of queries) {
      const matches = items.filter(
        (x) =>
          q.namespacePrefix.every((p, i) => x.namespace[i] === p) &&
          (!q.filter || matchesFilters(x.value, q.filter)) &&
          (!q.query || JSON.stringify(x.value).toLowerCase().includes(q.query)) &&
          (!q.authFilters || matchesFilters(storeFilterTarget(x.namespace, x.key, x.value), q.authFilters)),
      );
      const expected = matches.reverse().slice(q.offset ?? 0, (q.offset ?? 0) + (q.limit ?? 10));
      const got = await b.store.search(q);
      expect({ q, keys: got.map((x) => x.key) }).toEqual({ q, keys: expected.map((x) => x.key) });
    }
    expect(await b.store.listNamespaces({ prefix: ["users"] })).toEqual([["users", "alice"], ["users", "alice", "notes"], ["users", "bob"]]);
    expect(await b.store.listNamespaces({ prefix: [], maxDepth: 1 })).toEqual([["docs"], ["users"], ["users_x"]]);
    expect(await b.store.listNamespaces({ prefix: [], suffix: ["notes"] })).toEqual([["users", "alice", "notes"]]);
    expect(await b.store.delete(["docs"], "nope")).toBe(false);
    const stored = await b.store.get(items[0]!.namespace, items[0]!.key);
    expect(stored).toEqual(items[0]);
  });
});
