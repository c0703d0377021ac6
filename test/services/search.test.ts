// Property tests: the fast search paths (bounded top-k, walking insertion order, the metadata/status indexes) give
// exactly what the straightforward implementation gives — filter everything, stable-sort it all, slice.
import { describe, expect, it } from "vitest";
import { matchesFilters } from "../../src/auth/filters.js";
import type { AuthService } from "../../src/auth/types.js";
import { Authorizer } from "../../src/services/context.js";
import { selectPage } from "../../src/storage/paging.js";
import { ThreadsService, type ThreadSearch } from "../../src/services/threads.js";
import { contains } from "../../src/json-value.js";
import { sortAndPage } from "../../src/services/util.js";
import { toWire } from "../../src/wire.js";
import { EmbeddedBackend } from "../../src/storage/embedded/backend.js";
import type { Mutation } from "../../src/storage/embedded/collection.js";
import { Storage } from "../../src/storage/embedded/storage.js";
import type { ThreadRecord } from "../../src/storage/types.js";

/** A small deterministic PRNG (mulberry32), so a failure names its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof rng>;

/** The implementation before the fast paths: a stable sort of everything, then a slice. */
function referenceSortAndPage<T extends object>(items: T[], sortBy: string, sortOrder: "asc" | "desc" | undefined, limit: number, offset: number) {
  const dir = (sortOrder ?? "desc") === "asc" ? 1 : -1;
  const sorted = items.slice().sort((a, b) => {
    const av = (a as Record<string, unknown>)[sortBy];
    const bv = (b as Record<string, unknown>)[sortBy];
    if (av === bv) return 0;
    if (av === undefined || av === null) return 1;
    if (bv === undefined || bv === null) return -1;
    return (av < bv ? -1 : 1) * dir;
  });
  return { page: sorted.slice(offset, offset + limit), total: items.length };
}

function referenceThreadSearch(storage: Storage, q: ThreadSearch, filters: Record<string, unknown> | undefined) {
  const source = q.ids ? q.ids.map((id) => storage.threads.get(id)).filter((t): t is ThreadRecord => !!t) : [...storage.threads.values()];
  const matched = source.filter(
    (t) =>
      (!q.status || t.status === q.status) &&
      (!q.metadata || contains(t.metadata, q.metadata)) &&
      (!q.values || contains(t.values, toWire(q.values))) &&
      (filters === undefined || matchesFilters(t.metadata ?? {}, filters)),
  );
  return referenceSortAndPage(matched, q.sort_by ?? "created_at", q.sort_order, q.limit ?? 10, q.offset ?? 0);
}

const LONG = "L".repeat(600); // longer than the index keeps: found by scanning
const SCALARS: unknown[] = ["a", "b", "c", "", 0, 1, 2, true, false, null, LONG];
const NESTED: unknown[] = [{ x: 1 }, { x: 1, y: [1, 2] }, ["a"], ["a", "b"], []];
const META_KEYS = ["owner", "user", "graph_id", "n", "tags"];
const STATUSES = ["idle", "busy", "interrupted", "error"];
const IDS = Array.from({ length: 60 }, (_, i) => `t${String(i).padStart(3, "0")}`);

function randomMetadata(r: Rng): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  for (const k of META_KEYS) if (r.chance(0.6)) m[k] = r.chance(0.8) ? r.pick(SCALARS) : r.pick(NESTED);
  return m;
}

/** Timestamps from a small pool: many ties. */
const stamp = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)).toISOString();

/** A random life of a threads collection: inserts mostly in time order (sometimes not), updates, deletes, clears. */
function populate(storage: Storage, r: Rng, ops: number, opts: { disorder: number; irregular: boolean; ids?: string[] }) {
  let clock = 0;
  const ids = opts.ids ?? IDS;
  for (let i = 0; i < ops; i++) {
    const id = r.pick(ids);
    const existing = storage.threads.get(id);
    const roll = r.next();
    if (roll < 0.05 && existing) storage.threads.delete(id);
    else if (roll < 0.06 && r.chance(0.2)) storage.threads.clear();
    else if (existing && roll < 0.5) {
      storage.threads.set(id, {
        ...existing,
        status: r.pick(STATUSES) as ThreadRecord["status"],
        metadata: r.chance(0.3) ? randomMetadata(r) : existing.metadata,
        updated_at: stamp(r.int(40)),
        values: r.chance(0.5) ? { v: r.int(3), w: "x" } : existing.values,
      });
    } else if (!existing) {
      if (r.chance(0.7)) clock += r.int(3); // 0: a tie with the previous thread
      const created = r.chance(opts.disorder) ? stamp(r.int(clock + 1)) : stamp(clock);
      const metadata = opts.irregular && r.chance(0.1) ? (r.chance(0.5) ? ["not", "an", "object"] : undefined) : randomMetadata(r);
      storage.threads.set(id, {
        thread_id: id,
        created_at: created,
        updated_at: stamp(r.int(40)),
        metadata: metadata as never,
        status: r.pick(STATUSES) as ThreadRecord["status"],
        config: {},
        values: r.chance(0.5) ? { v: r.int(3) } : null,
        interrupts: {},
      });
    }
  }
}

function randomFilters(r: Rng): Record<string, unknown> | undefined {
  switch (r.int(9)) {
    case 0:
      return { owner: r.pick(SCALARS) };
    case 1:
      return { owner: { $eq: r.pick(SCALARS) } };
    case 2:
      return { tags: { $contains: "a" } };
    case 3:
      return { owner: r.pick(SCALARS), user: r.pick(SCALARS) };
    case 4:
      return { owner: { $and: [{ $eq: "a" }, "a"] } };
    case 5:
      return { owner: { $in: ["a"] } }; // unknown operator: matches nothing
    case 6:
      return { n: r.pick(NESTED) };
    default:
      return undefined;
  }
}

function randomQuery(r: Rng, size: number): ThreadSearch {
  const q: ThreadSearch = {};
  if (r.chance(0.5)) {
    const m: Record<string, unknown> = {};
    for (const k of META_KEYS) if (r.chance(0.3)) m[k] = r.chance(0.85) ? r.pick(SCALARS) : r.pick(NESTED);
    q.metadata = m;
  }
  if (r.chance(0.3)) q.status = r.pick(STATUSES) as ThreadSearch["status"];
  if (r.chance(0.1)) q.values = r.chance(0.5) ? { v: r.int(3) } : {};
  if (r.chance(0.1)) q.ids = Array.from({ length: r.int(12) }, () => r.pick(IDS)); // repeats included
  if (r.chance(0.8)) q.sort_by = r.pick(["thread_id", "status", "created_at", "updated_at"]);
  if (r.chance(0.8)) q.sort_order = r.pick(["asc", "desc"] as const);
  if (r.chance(0.8)) q.offset = r.chance(0.6) ? r.int(4) : r.int(size + 3);
  if (r.chance(0.8)) q.limit = r.chance(0.2) ? 0 : 1 + (r.chance(0.6) ? r.int(10) : r.int(size + 3));
  return q;
}

function threadsService(storage: Storage) {
  let filters: Record<string, unknown> | undefined;
  const auth: AuthService = {
    enabled: true,
    authenticate: async () => undefined,
    authorize: async () => filters,
  } as unknown as AuthService;
  const service = new ThreadsService(
    new EmbeddedBackend(storage),
    new Authorizer({ current: auth }),
    { has: () => false, resolve: async () => ({}) as never },
    { cancelThreadRuns: async () => {} },
  );
  return { service, setFilters: (f: typeof filters) => (filters = f) };
}

describe("thread search: fast paths equal the reference", () => {
  const cases: [string, { disorder: number; irregular: boolean }][] = [
    ["inserted in created_at order", { disorder: 0, irregular: false }],
    ["some inserted out of order", { disorder: 0.1, irregular: false }],
    ["with metadata that is not an object", { disorder: 0.02, irregular: true }],
  ];
  for (const [name, opts] of cases) {
    it(name, async () => {
      for (let seed = 1; seed <= 60; seed++) {
        const r = rng(seed * 7919 + opts.disorder * 1000 + (opts.irregular ? 1 : 0));
        const storage = new Storage();
        const { service, setFilters } = threadsService(storage);
        for (let round = 0; round < 6; round++) {
          populate(storage, r, 40, opts);
          for (let i = 0; i < 25; i++) {
            const q = randomQuery(r, storage.threads.size);
            const filters = randomFilters(r);
            setFilters(filters);
            const expected = referenceThreadSearch(storage, q, filters);
            const got = await service.search({}, structuredClone(q));
            const ctx = `seed ${seed} round ${round} query ${JSON.stringify(q)} filters ${JSON.stringify(filters)}`;
            expect(got.total, ctx).toBe(expected.total);
            expect(got.items.map((t) => t.thread_id), ctx).toEqual(expected.page.map((t) => t.thread_id));
            expect(await service.count({}, structuredClone(q)), ctx).toBe(expected.total);
          }
        }
      }
    });
  }

  it("large collection, one broad condition (walks insertion order checking one index set)", async () => {
    const ids = Array.from({ length: 3000 }, (_, i) => `u${i}`);
    for (let seed = 1; seed <= 4; seed++) {
      const r = rng(1000 + seed);
      const storage = new Storage();
      const { service, setFilters } = threadsService(storage);
      populate(storage, r, 6000, { disorder: seed === 4 ? 0.01 : 0, irregular: false, ids });
      for (let i = 0; i < 150; i++) {
        const q: ThreadSearch = {};
        const which = r.int(4);
        if (which === 0) q.status = r.pick(STATUSES) as ThreadSearch["status"];
        if (which === 1) q.metadata = { [r.pick(META_KEYS)]: r.pick(SCALARS) };
        const filters = which === 2 ? { [r.pick(META_KEYS)]: r.pick(SCALARS) } : undefined;
        setFilters(filters);
        if (r.chance(0.5)) q.sort_order = r.pick(["asc", "desc"] as const);
        q.offset = r.chance(0.7) ? r.int(5) : r.int(1500);
        q.limit = r.int(12);
        const expected = referenceThreadSearch(storage, q, filters);
        const got = await service.search({}, structuredClone(q));
        const ctx = `seed ${seed} query ${JSON.stringify(q)} filters ${JSON.stringify(filters)}`;
        expect(got.total, ctx).toBe(expected.total);
        expect(got.items.map((t) => t.thread_id), ctx).toEqual(expected.page.map((t) => t.thread_id));
      }
    }
  });

  it("select keeps only the named fields", async () => {
    const storage = new Storage();
    populate(storage, rng(5), 50, { disorder: 0, irregular: false });
    const { service } = threadsService(storage);
    const got = await service.search({}, { select: ["thread_id", "status"], limit: 3 });
    expect(got.items.length).toBe(Math.min(3, storage.threads.size));
    for (const item of got.items) expect(Object.keys(item).sort()).toEqual(["status", "thread_id"]);
  });
});

describe("selectPage / sortAndPage equal a full stable sort", () => {
  it("random records with ties and nulls, every order, offset and limit", () => {
    for (let seed = 1; seed <= 400; seed++) {
      const r = rng(seed);
      const n = r.int(seed % 2 ? 40 : 200);
      const items = Array.from({ length: n }, (_, i) => ({
        i,
        a: r.pick(["x", "y", "z", "w"]),
        b: r.chance(0.2) ? null : stamp(r.int(8)),
        c: r.int(5),
      }));
      for (const key of ["a", "b", "c", "i", "missing"]) {
        for (const order of ["asc", "desc", undefined] as const) {
          const offset = r.chance(0.5) ? r.int(3) : r.int(n + 2);
          const limit = r.chance(0.1) ? 0 : r.chance(0.6) ? r.int(12) : r.int(n + 2); // mostly pages small enough for the heap
          const expected = referenceSortAndPage(items, key, order, limit, offset);
          const got = sortAndPage(items, { sortBy: key, sortOrder: order, limit, offset, defaultSort: "created_at" });
          expect(got.page.map((x) => x.i), `seed ${seed} ${key} ${order} ${offset}+${limit}`).toEqual(expected.page.map((x) => x.i));
          expect(got.total).toBe(expected.total);
        }
      }
    }
  });

  it("odd paging (negative offset) falls back to sort-then-slice", () => {
    const items = Array.from({ length: 10 }, (_, i) => ({ i, created_at: stamp(i % 3) }));
    const expected = referenceSortAndPage(items, "created_at", "desc", 5, -3);
    expect(selectPage(items, { sortBy: "created_at", desc: true, offset: -3, limit: 5 })).toEqual(expected.page);
  });
});

describe("ordered collection", () => {
  it("walks in insertion order, both ways, through updates, deletes, clears and compaction", () => {
    const r = rng(42);
    const log: Mutation[] = [];
    const storage = new Storage({ write: (m) => void log.push(m) });
    const c = storage.threads;
    let clock = 0;
    for (let i = 0; i < 20_000; i++) {
      const id = `k${r.int(3000)}`;
      const roll = r.next();
      if (roll < 0.35) c.delete(id);
      else if (roll < 0.3501) c.clear();
      else {
        const old = c.get(id);
        clock += r.int(2);
        const created = old && r.chance(0.9) ? old.created_at : stamp(r.chance(0.01) ? r.int(clock + 1) : clock);
        c.set(id, { thread_id: id, created_at: created, metadata: { m: r.int(3) }, status: "idle" } as unknown as ThreadRecord);
      }
      if (i % 500 === 0 || i === 19_999) {
        const entries = [...c.entries()];
        const forward: [string, number][] = [];
        c.forEachInOrder(false, (v, rank, key) => void forward.push([key, rank]));
        expect(forward.map(([k]) => k)).toEqual(entries.map(([k]) => k));
        for (let j = 1; j < forward.length; j++) expect(forward[j]![1]).toBeGreaterThan(forward[j - 1]![1]);
        for (const [k, rank] of forward) expect(c.rankOf(k)).toBe(rank);
        const backward: string[] = [];
        c.forEachInOrder(true, (v, _rank, key) => {
          expect(v).toBe(c.get(key));
          backward.push(key);
        });
        expect(backward).toEqual(entries.map(([k]) => k).reverse());
        const sorted = entries.every(([, v], j) => j === 0 || !(v.created_at < entries[j - 1]![1].created_at));
        expect(c.inSortKeyOrder()).toBe(sorted);
      }
    }
    // Replaying the journal (as start-up does) gives the same order and the same indexes.
    const replayed = new Storage();
    for (const m of log) replayed.replay(m);
    expect([...replayed.threads.entries()].map(([k]) => k)).toEqual([...c.entries()].map(([k]) => k));
    for (const m of [0, 1, 2]) {
      const ik = `1:mn${m}`;
      expect([...replayed.threads.keySetBy("metadata", ik)].sort()).toEqual([...c.keySetBy("metadata", ik)].sort());
      expect([...c.keySetBy("metadata", ik)].sort()).toEqual([...c.entries()].filter(([, v]) => v.metadata.m === m).map(([k]) => k).sort());
    }
  });
});
