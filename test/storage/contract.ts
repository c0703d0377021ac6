/**
 * The storage backend contract (src/storage/backend.ts, docs/storage.md) as a test suite: every method of the
 * interface, checked through the interface alone. Run it against a backend with
 * `describeBackendContract(name, factory)`; the embedded backend runs it in embedded-contract.test.ts, and the
 * PostgreSQL backend runs the same suite against a real server.
 *
 * Each test gets a fresh, empty backend from the factory and closes it afterwards.
 */
import { emptyCheckpoint, uuid6, type Checkpoint } from "@langchain/langgraph-checkpoint";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChangeEvent, StorageBackend } from "../../src/storage/backend.js";
import type { AssistantRecord, CronRecord, RunRecord, StoreItemRecord, ThreadRecord } from "../../src/storage/types.js";

/** Makes a fresh, empty backend; `cleanup` runs after `close()`. */
export type BackendFactory = () => Promise<{ backend: StorageBackend; cleanup?: () => Promise<void> | void }>;

/** ISO time `ms` after a fixed origin: deterministic, ordered timestamps. */
const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();

function thread(id: string, o: Partial<ThreadRecord> = {}): ThreadRecord {
  return { thread_id: id, created_at: at(0), updated_at: at(0), metadata: {}, status: "idle", config: {}, values: null, interrupts: {}, ...o };
}

function run(id: string, threadId: string, o: Partial<RunRecord> = {}): RunRecord {
  return {
    run_id: id,
    thread_id: threadId,
    assistant_id: "a",
    created_at: at(0),
    updated_at: at(0),
    status: "pending",
    metadata: {},
    kwargs: { config: { configurable: {} }, stream_mode: ["values"], stream_subgraphs: false, stream_resumable: false, temporary: false },
    multitask_strategy: "enqueue",
    ...o,
  };
}

function assistant(id: string, o: Partial<AssistantRecord> = {}): AssistantRecord {
  return { assistant_id: id, graph_id: "g", config: {}, context: {}, metadata: {}, name: id, description: null, version: 1, created_at: at(0), updated_at: at(0), ...o };
}

const versionOf = (a: AssistantRecord) => {
  const { updated_at: _u, ...rest } = a;
  return rest;
};

function cron(id: string, o: Partial<CronRecord> = {}): CronRecord {
  return {
    cron_id: id,
    assistant_id: "a",
    thread_id: null,
    schedule: "* * * * *",
    payload: {},
    metadata: {},
    user_id: null,
    end_time: null,
    next_run_date: at(60_000),
    enabled: true,
    created_at: at(0),
    updated_at: at(0),
    ...o,
  };
}

function item(namespace: string[], key: string, value: Record<string, unknown>, o: Partial<StoreItemRecord> = {}): StoreItemRecord {
  return { namespace, key, value, created_at: at(0), updated_at: at(0), expires_at: null, ttl_minutes: null, ...o };
}

/** Store a checkpoint through the backend's saver; returns its id. */
async function putCheckpoint(b: StorageBackend, threadId: string, ns = "", parent?: string): Promise<string> {
  const checkpoint: Checkpoint = { ...emptyCheckpoint(), id: uuid6(-1) };
  await b.checkpoints.saver.put(
    { configurable: { thread_id: threadId, checkpoint_ns: ns, ...(parent ? { checkpoint_id: parent } : {}) } },
    checkpoint,
    { source: "loop", step: 0, parents: {} } as never,
    {},
  );
  return checkpoint.id;
}

async function checkpointIds(b: StorageBackend, threadId: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const t of b.checkpoints.saver.list({ configurable: { thread_id: threadId } })) ids.push(t.checkpoint.id);
  return ids;
}

export function describeBackendContract(name: string, factory: BackendFactory): void {
  describe(`storage backend contract: ${name}`, () => {
    let b: StorageBackend;
    let cleanup: (() => Promise<void> | void) | undefined;
    beforeEach(async () => {
      ({ backend: b, cleanup } = await factory());
    });
    afterEach(async () => {
      await b.close();
      await cleanup?.();
    });

    describe("assistants", () => {
      it("create inserts with its first version, once", async () => {
        const a = assistant("a1");
        expect(await b.assistants.create(a, versionOf(a))).toBe(true);
        expect(await b.assistants.create({ ...a, name: "other" }, versionOf(a))).toBe(false);
        expect((await b.assistants.get("a1"))?.name).toBe("a1");
        expect(await b.assistants.getVersion("a1", 1)).toEqual(versionOf(a));
        expect(await b.assistants.get("missing")).toBeUndefined();
      });

      it("putWithVersion replaces and adds a version; listVersions is newest first, filtered and paged", async () => {
        const a = assistant("a1", { metadata: { v: 1 } });
        await b.assistants.create(a, versionOf(a));
        const a2 = { ...a, version: 2, metadata: { v: 2, tag: "x" }, updated_at: at(2) };
        await b.assistants.putWithVersion(a2, versionOf(a2));
        const a3 = { ...a, version: 3, metadata: { v: 3, tag: "x" }, updated_at: at(3) };
        await b.assistants.putWithVersion(a3, versionOf(a3));
        expect((await b.assistants.get("a1"))?.version).toBe(3);
        expect((await b.assistants.listVersions("a1", {})).map((v) => v.version)).toEqual([3, 2, 1]);
        expect((await b.assistants.listVersions("a1", { metadata: { tag: "x" } })).map((v) => v.version)).toEqual([3, 2]);
        expect((await b.assistants.listVersions("a1", { offset: 1, limit: 1 })).map((v) => v.version)).toEqual([2]);
        // put: replace without a version (setLatest)
        await b.assistants.put({ ...a, version: 1, updated_at: at(4) });
        expect((await b.assistants.get("a1"))?.version).toBe(1);
        await b.assistants.putVersion({ ...versionOf(a), version: 9 });
        expect((await b.assistants.getVersion("a1", 9))?.version).toBe(9);
      });

      it("search filters by graph, name, metadata and auth filters, sorts and pages, and counts", async () => {
        const rows = [
          assistant("a1", { graph_id: "g1", name: "Alpha", metadata: { owner: "ann", team: { id: 1 } }, created_at: at(1) }),
          assistant("a2", { graph_id: "g1", name: "beta", metadata: { owner: "bob" }, created_at: at(2) }),
          assistant("a3", { graph_id: "g2", name: "alphabet", metadata: { owner: "ann" }, created_at: at(3) }),
        ];
        for (const a of rows) await b.assistants.create(a, versionOf(a));
        const ids = async (q: Parameters<StorageBackend["assistants"]["search"]>[0]) => (await b.assistants.search(q)).items.map((a) => a.assistant_id);
        expect(await ids({})).toEqual(["a3", "a2", "a1"]);
        expect(await ids({ sortOrder: "asc" })).toEqual(["a1", "a2", "a3"]);
        expect(await ids({ graphId: "g1" })).toEqual(["a2", "a1"]);
        expect(await ids({ name: "ALPHA" })).toEqual(["a3", "a1"]);
        expect(await ids({ metadata: { team: { id: 1 } } })).toEqual(["a1"]);
        expect(await ids({ authFilters: { owner: "ann" } })).toEqual(["a3", "a1"]);
        expect(await ids({ sortBy: "name", sortOrder: "asc" })).toEqual(["a1", "a3", "a2"]);
        const page = await b.assistants.search({ offset: 1, limit: 1 });
        expect(page.items.map((a) => a.assistant_id)).toEqual(["a2"]);
        expect(page.total).toBe(3);
        expect((await b.assistants.search({ limit: 0, authFilters: { owner: "bob" } })).total).toBe(1);
      });

      it("delete removes the assistant and its versions; clearUserMade keeps the system ones", async () => {
        const sys = assistant("s", { metadata: { created_by: "system" } });
        const mine = assistant("m");
        await b.assistants.create(sys, versionOf(sys));
        await b.assistants.create(mine, versionOf(mine));
        expect((await b.assistants.listSystem()).map((a) => a.assistant_id)).toEqual(["s"]);
        expect(await b.assistants.delete("m")).toBe(true);
        expect(await b.assistants.delete("m")).toBe(false);
        expect(await b.assistants.getVersion("m", 1)).toBeUndefined();
        await b.assistants.create(mine, versionOf(mine));
        await b.assistants.clearUserMade();
        expect(await b.assistants.get("m")).toBeUndefined();
        expect(await b.assistants.get("s")).toBeDefined();
        expect((await b.counts()).assistants).toBe(1);
      });
    });

    describe("threads", () => {
      it("insert, get, put, update", async () => {
        expect((await b.threads.insert(thread("t1"))).created).toBe(true);
        const again = await b.threads.insert(thread("t1", { metadata: { other: true } }));
        expect(again.created).toBe(false);
        expect(again.thread.metadata).toEqual({});
        await b.threads.put(thread("t1", { metadata: { a: 1 } }));
        expect((await b.threads.get("t1"))?.metadata).toEqual({ a: 1 });
        const updated = await b.threads.update("t1", { status: "busy", updated_at: at(5) });
        expect(updated).toMatchObject({ thread_id: "t1", status: "busy", metadata: { a: 1 }, updated_at: at(5) });
        expect((await b.threads.get("t1"))?.status).toBe("busy");
        expect(await b.threads.update("missing", { status: "idle" })).toBeUndefined();
        expect(await b.threads.get("missing")).toBeUndefined();
      });

      it("search filters by status, metadata, values, ids and auth filters; sorts, pages and counts", async () => {
        await b.threads.put(thread("t1", { created_at: at(1), status: "idle", metadata: { user: "ann", n: 1 }, values: { topic: "cats", list: [1, 2] } }));
        await b.threads.put(thread("t2", { created_at: at(2), status: "busy", metadata: { user: "bob" }, values: { topic: "dogs" } }));
        await b.threads.put(thread("t3", { created_at: at(3), status: "idle", metadata: { user: "ann", deep: { x: 1 } }, values: null }));
        const ids = async (q: Parameters<StorageBackend["threads"]["search"]>[0]) => (await b.threads.search(q)).items.map((t) => t.thread_id);
        expect(await ids({})).toEqual(["t3", "t2", "t1"]);
        expect(await ids({ sortOrder: "asc" })).toEqual(["t1", "t2", "t3"]);
        expect(await ids({ status: "idle" })).toEqual(["t3", "t1"]);
        expect(await ids({ metadata: { user: "ann" } })).toEqual(["t3", "t1"]);
        expect(await ids({ metadata: { deep: { x: 1 } } })).toEqual(["t3"]);
        expect(await ids({ values: { topic: "cats" } })).toEqual(["t1"]);
        expect(await ids({ values: { list: [2] } })).toEqual(["t1"]);
        expect(await ids({ authFilters: { user: "bob" } })).toEqual(["t2"]);
        expect(await ids({ authFilters: { user: { $eq: "ann" } }, status: "idle" })).toEqual(["t3", "t1"]);
        expect(await ids({ ids: ["t1", "missing", "t2"], sortBy: "created_at", sortOrder: "asc" })).toEqual(["t1", "t2"]);
        expect(await ids({ ids: ["t1", "t2"], authFilters: { user: "ann" } })).toEqual(["t1"]);
        const page = await b.threads.search({ offset: 1, limit: 1 });
        expect(page.items.map((t) => t.thread_id)).toEqual(["t2"]);
        expect(page.total).toBe(3);
        const count = await b.threads.search({ metadata: { user: "ann" }, withItems: false });
        expect(count.total).toBe(2);
        expect(await ids({ sortBy: "status", sortOrder: "asc" })).toEqual(["t2", "t1", "t3"]);
      });

      it("delete removes the thread with its runs, checkpoints and writes", async () => {
        await b.threads.put(thread("t1"));
        await b.runs.put(run("r1", "t1", { status: "success" }));
        await putCheckpoint(b, "t1");
        expect(await b.threads.delete("t1")).toBe(true);
        expect(await b.threads.get("t1")).toBeUndefined();
        expect(await b.runs.get("r1")).toBeUndefined();
        expect(await checkpointIds(b, "t1")).toEqual([]);
        expect(await b.threads.delete("t1")).toBe(false);
      });

      it("copy inserts the copy with the source's checkpoints", async () => {
        await b.threads.put(thread("t1", { values: { v: 1 } }));
        const c1 = await putCheckpoint(b, "t1");
        const c2 = await putCheckpoint(b, "t1", "", c1);
        await b.threads.copy("t1", thread("t2", { values: { v: 1 } }));
        expect((await b.threads.get("t2"))?.values).toEqual({ v: 1 });
        expect(await checkpointIds(b, "t2")).toEqual([c2, c1]);
        const tuple = await b.checkpoints.saver.getTuple({ configurable: { thread_id: "t2" } });
        expect(tuple?.config.configurable?.thread_id).toBe("t2");
        expect(tuple?.parentConfig?.configurable?.checkpoint_id).toBe(c1);
      });

      it("clear removes every thread, run and checkpoint", async () => {
        await b.threads.put(thread("t1"));
        await b.runs.put(run("r1", "t1"));
        await putCheckpoint(b, "t1");
        await b.threads.clear();
        expect(await b.counts()).toMatchObject({ threads: 0, runs: 0, checkpoints: 0 });
      });
    });

    describe("runs", () => {
      it("put, get, update, delete", async () => {
        await b.threads.put(thread("t1"));
        await b.runs.put(run("r1", "t1"));
        expect((await b.runs.get("r1"))?.status).toBe("pending");
        expect(await b.runs.update("r1", { status: "success", updated_at: at(9) })).toMatchObject({ run_id: "r1", status: "success", updated_at: at(9) });
        expect(await b.runs.update("missing", { status: "success" })).toBeUndefined();
        expect(await b.runs.delete("r1")).toBe(true);
        expect(await b.runs.delete("r1")).toBe(false);
        expect(await b.runs.get("r1")).toBeUndefined();
      });

      it("listByThread is newest first, filtered by status and paged; listByStatus is oldest first", async () => {
        await b.threads.put(thread("t1"));
        await b.threads.put(thread("t2"));
        await b.runs.put(run("r1", "t1", { created_at: at(1), status: "success" }));
        await b.runs.put(run("r2", "t1", { created_at: at(2), status: "pending" }));
        await b.runs.put(run("r3", "t1", { created_at: at(3), status: "success" }));
        await b.runs.put(run("r4", "t2", { created_at: at(4), status: "pending" }));
        const ids = (rs: RunRecord[]) => rs.map((r) => r.run_id);
        expect(ids(await b.runs.listByThread("t1"))).toEqual(["r3", "r2", "r1"]);
        expect(ids(await b.runs.listByThread("t1", { status: "success" }))).toEqual(["r3", "r1"]);
        expect(ids(await b.runs.listByThread("t1", { offset: 1, limit: 1 }))).toEqual(["r2"]);
        expect(ids(await b.runs.listByStatus(["pending"]))).toEqual(["r2", "r4"]);
        expect(ids(await b.runs.listByStatus(["pending", "success"], "t1"))).toEqual(["r1", "r2", "r3"]);
        await b.runs.clear();
        expect((await b.counts()).runs).toBe(0);
        expect(await b.threads.get("t1")).toBeDefined();
      });
    });

    describe("transactions", () => {
      it("commit every write together", async () => {
        await b.threads.put(thread("t1"));
        const result = await b.transaction(async (tx) => {
          const t = (await tx.threads.get("t1"))!;
          await tx.threads.put({ ...t, status: "busy" });
          await tx.runs.put(run("r1", "t1"));
          // reads inside see the transaction's own writes
          expect((await tx.threads.get("t1"))?.status).toBe("busy");
          expect((await tx.runs.listByStatus(["pending"], "t1")).map((r) => r.run_id)).toEqual(["r1"]);
          return "done";
        });
        expect(result).toBe("done");
        expect((await b.threads.get("t1"))?.status).toBe("busy");
        expect((await b.runs.get("r1"))?.status).toBe("pending");
      });

      it("write nothing when the function rejects", async () => {
        await b.threads.put(thread("t1"));
        await expect(
          b.transaction(async (tx) => {
            await tx.threads.put(thread("t1", { status: "busy" }));
            await tx.runs.put(run("r1", "t1"));
            throw new Error("changed my mind");
          }),
        ).rejects.toThrow("changed my mind");
        expect((await b.threads.get("t1"))?.status).toBe("idle");
        expect(await b.runs.get("r1")).toBeUndefined();
      });

      it("are serializable: two check-then-insert transactions on one thread insert one run", async () => {
        await b.threads.put(thread("t1"));
        const attempt = (id: string) =>
          b.transaction(async (tx) => {
            const active = await tx.runs.listByStatus(["pending", "running"], "t1");
            await new Promise((r) => setTimeout(r, 5));
            if (active.length > 0) return false;
            await tx.runs.put(run(id, "t1"));
            return true;
          });
        const results = await Promise.all([attempt("r1"), attempt("r2"), attempt("r3")]);
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await b.runs.listByStatus(["pending"], "t1")).toHaveLength(1);
      });
    });

    describe("crons", () => {
      it("create once, get, put, delete, search", async () => {
        expect(await b.crons.create(cron("c1", { assistant_id: "a1", metadata: { o: "ann" }, created_at: at(1) }))).toBe(true);
        expect(await b.crons.create(cron("c1"))).toBe(false);
        await b.crons.put(cron("c2", { assistant_id: "a2", thread_id: "t1", enabled: false, metadata: { o: "bob" }, created_at: at(2) }));
        expect((await b.crons.get("c1"))?.assistant_id).toBe("a1");
        const ids = async (q: Parameters<StorageBackend["crons"]["search"]>[0]) => (await b.crons.search(q)).items.map((c) => c.cron_id);
        expect(await ids({})).toEqual(["c2", "c1"]);
        expect(await ids({ assistantId: "a1" })).toEqual(["c1"]);
        expect(await ids({ threadId: "t1" })).toEqual(["c2"]);
        expect(await ids({ enabled: true })).toEqual(["c1"]);
        expect(await ids({ metadata: { o: "bob" } })).toEqual(["c2"]);
        expect(await ids({ authFilters: { o: "ann" } })).toEqual(["c1"]);
        expect((await b.crons.search({ limit: 1 })).total).toBe(2);
        expect(await b.crons.delete("c1")).toBe(true);
        expect(await b.crons.delete("c1")).toBe(false);
        await b.crons.clear();
        expect((await b.counts()).crons).toBe(0);
      });

      it("nextDue, due and advance (compare-and-set: one winner)", async () => {
        await b.crons.put(cron("c1", { next_run_date: at(3000) }));
        await b.crons.put(cron("c2", { next_run_date: at(1000) }));
        await b.crons.put(cron("c3", { next_run_date: at(500), enabled: false }));
        await b.crons.put(cron("c4", { next_run_date: null }));
        expect(await b.crons.nextDue()).toBe(at(1000));
        expect((await b.crons.due(at(2000))).map((c) => c.cron_id)).toEqual(["c2"]);
        expect((await b.crons.due(at(5000))).map((c) => c.cron_id)).toEqual(["c2", "c1"]);
        const winners = await Promise.all([b.crons.advance("c2", at(1000), at(61_000)), b.crons.advance("c2", at(1000), at(61_000))]);
        expect(winners.filter((w) => w !== undefined)).toHaveLength(1);
        expect((await b.crons.get("c2"))?.next_run_date).toBe(at(61_000));
        expect(await b.crons.advance("c2", at(1000), null)).toBeUndefined();
        expect(await b.crons.advance("missing", at(1000), null)).toBeUndefined();
        expect((await b.crons.advance("c1", at(3000), null))?.next_run_date).toBeNull();
        expect(await b.crons.nextDue()).toBe(at(61_000));
      });
    });

    describe("store items", () => {
      it("put, get, delete; expired items are absent", async () => {
        await b.store.put(item(["a", "b"], "k", { x: 1 }));
        expect((await b.store.get(["a", "b"], "k"))?.value).toEqual({ x: 1 });
        expect(await b.store.get(["a"], "k")).toBeUndefined();
        await b.store.put(item(["a"], "old", { x: 1 }, { expires_at: new Date(Date.now() - 1000).toISOString(), ttl_minutes: 1 }));
        expect(await b.store.get(["a"], "old")).toBeUndefined();
        expect((await b.store.search({ namespacePrefix: ["a"] })).map((i) => i.key)).toEqual(["k"]);
        expect(await b.store.list()).toHaveLength(2);
        expect(await b.store.delete(["a", "b"], "k")).toBe(true);
        expect(await b.store.delete(["a", "b"], "k")).toBe(false);
        await b.store.clear();
        expect(await b.store.list()).toEqual([]);
      });

      it("search by prefix, filter, text and auth filters, newest first, paged", async () => {
        await b.store.put(item(["u", "ann"], "k1", { kind: "note", text: "Hello World" }, { updated_at: at(1) }));
        await b.store.put(item(["u", "ann"], "k2", { kind: "todo", text: "buy milk" }, { updated_at: at(2) }));
        await b.store.put(item(["u", "bob"], "k3", { kind: "note", text: "hello bob" }, { updated_at: at(3) }));
        await b.store.put(item(["x"], "k4", { kind: "note" }, { updated_at: at(4) }));
        const keys = async (q: Parameters<StorageBackend["store"]["search"]>[0]) => (await b.store.search(q)).map((i) => i.key);
        expect(await keys({ namespacePrefix: [] })).toEqual(["k4", "k3", "k2", "k1"]);
        expect(await keys({ namespacePrefix: ["u"] })).toEqual(["k3", "k2", "k1"]);
        expect(await keys({ namespacePrefix: ["u", "ann"] })).toEqual(["k2", "k1"]);
        expect(await keys({ namespacePrefix: ["u"], filter: { kind: "note" } })).toEqual(["k3", "k1"]);
        expect(await keys({ namespacePrefix: [], query: "HELLO" })).toEqual(["k3", "k1"]);
        expect(await keys({ namespacePrefix: [], authFilters: { namespace: { $contains: "ann" } } })).toEqual(["k2", "k1"]);
        expect(await keys({ namespacePrefix: [], offset: 1, limit: 2 })).toEqual(["k3", "k2"]);
      });

      it("listNamespaces: distinct, cut to a depth, by prefix and suffix, sorted, paged", async () => {
        await b.store.put(item(["u", "ann", "notes"], "k", {}));
        await b.store.put(item(["u", "ann", "todos"], "k", {}));
        await b.store.put(item(["u", "bob", "notes"], "k", {}));
        await b.store.put(item(["x"], "k", {}));
        expect(await b.store.listNamespaces({ prefix: [] })).toEqual([["u", "ann", "notes"], ["u", "ann", "todos"], ["u", "bob", "notes"], ["x"]]);
        expect(await b.store.listNamespaces({ prefix: ["u"], maxDepth: 2 })).toEqual([["u", "ann"], ["u", "bob"]]);
        expect(await b.store.listNamespaces({ prefix: [], suffix: ["notes"] })).toEqual([["u", "ann", "notes"], ["u", "bob", "notes"]]);
        expect(await b.store.listNamespaces({ prefix: [], offset: 1, limit: 2 })).toEqual([["u", "ann", "todos"], ["u", "bob", "notes"]]);
      });
    });

    describe("checkpoints", () => {
      it("the saver stores and lists checkpoints; keysOf and deleteAllBut roll back what was added", async () => {
        await b.threads.put(thread("t1"));
        const c1 = await putCheckpoint(b, "t1");
        const before = await b.checkpoints.keysOf("t1");
        expect(before).toHaveLength(1);
        const c2 = await putCheckpoint(b, "t1", "", c1);
        await b.checkpoints.saver.putWrites({ configurable: { thread_id: "t1", checkpoint_ns: "", checkpoint_id: c2 } }, [["ch", 1]], "task");
        expect(await checkpointIds(b, "t1")).toEqual([c2, c1]);
        await b.checkpoints.deleteAllBut("t1", before);
        expect(await checkpointIds(b, "t1")).toEqual([c1]);
        expect((await b.checkpoints.saver.getTuple({ configurable: { thread_id: "t1" } }))?.pendingWrites).toEqual([]);
      });

      it("keepLatest keeps the newest of each namespace; deleteThread and clear remove them", async () => {
        await b.threads.put(thread("t1"));
        const c1 = await putCheckpoint(b, "t1");
        const c2 = await putCheckpoint(b, "t1", "", c1);
        const s1 = await putCheckpoint(b, "t1", "sub");
        await b.checkpoints.keepLatest("t1");
        expect((await checkpointIds(b, "t1")).sort()).toEqual([c2, s1].sort());
        await b.checkpoints.deleteThread("t1");
        expect(await checkpointIds(b, "t1")).toEqual([]);
        expect(await b.threads.get("t1")).toBeDefined();
        await putCheckpoint(b, "t1");
        await b.checkpoints.clear();
        expect((await b.counts()).checkpoints).toBe(0);
      });

      it("patchLatestMetadata merges into the newest root checkpoint's metadata", async () => {
        expect(await b.checkpoints.patchLatestMetadata("t1", { a: 1 })).toBe(false);
        const c1 = await putCheckpoint(b, "t1");
        await putCheckpoint(b, "t1", "", c1);
        expect(await b.checkpoints.patchLatestMetadata("t1", { a: 1 })).toBe(true);
        const tuple = await b.checkpoints.saver.getTuple({ configurable: { thread_id: "t1" } });
        expect(tuple?.metadata).toMatchObject({ a: 1, source: "loop" });
        const first = await b.checkpoints.saver.getTuple({ configurable: { thread_id: "t1", checkpoint_id: c1 } });
        expect(first?.metadata).not.toHaveProperty("a");
      });
    });

    describe("change feed", () => {
      it("delivers events of a topic to its subscribers until they unsubscribe", async () => {
        const got: ChangeEvent[] = [];
        const off = b.changes.subscribe("run_ended", (e) => got.push(e));
        const other: ChangeEvent[] = [];
        b.changes.subscribe("run_created", (e) => other.push(e));
        await b.changes.publish({ type: "run_ended", run_id: "r1", thread_id: "t1", status: "success" });
        await b.changes.publish({ type: "run_cancel", run_id: "r1", thread_id: "t1", action: "interrupt" });
        await expect.poll(() => got.length).toBe(1);
        expect(got[0]).toEqual({ type: "run_ended", run_id: "r1", thread_id: "t1", status: "success" });
        off();
        await b.changes.publish({ type: "run_ended", run_id: "r2", thread_id: "t1", status: "error" });
        await b.changes.publish({ type: "run_created", run_id: "r3", thread_id: "t1" });
        await expect.poll(() => other.length).toBe(1);
        expect(got).toHaveLength(1);
        const offResync = b.changes.onResync(() => undefined);
        expect(typeof offResync).toBe("function");
        offResync();
      });
    });

    describe("run event log", () => {
      it("appends numbered events, reads after a seq, drops a run's events", async () => {
        const heard: number[] = [];
        b.changes.subscribe("run_event", (e) => heard.push(e.seq));
        expect(await b.runEvents.append("r1", "t1", "metadata", { run_id: "r1" })).toBe(1);
        expect(await b.runEvents.append("r1", "t1", "values", { a: 1 })).toBe(2);
        expect(await b.runEvents.append("r2", "t1", "values", {})).toBe(1);
        expect(await b.runEvents.read("r1")).toEqual([
          { seq: 1, event: "metadata", data: { run_id: "r1" } },
          { seq: 2, event: "values", data: { a: 1 } },
        ]);
        expect((await b.runEvents.read("r1", 1)).map((e) => e.seq)).toEqual([2]);
        await expect.poll(() => heard.length).toBe(3);
        await b.runEvents.drop("r1");
        expect(await b.runEvents.read("r1")).toEqual([]);
        expect(await b.runEvents.read("r2")).toHaveLength(1);
      });
    });

    describe("run queue", () => {
      it("claims the oldest due pending run, one running run per thread", async () => {
        await b.threads.put(thread("t1"));
        await b.threads.put(thread("t2"));
        await b.runs.put(run("r1", "t1", { created_at: at(1) }));
        await b.runs.put(run("r2", "t1", { created_at: at(2) }));
        await b.runs.put(run("r3", "t2", { created_at: at(3), not_before: new Date(Date.now() + 60_000).toISOString() }));
        await b.runs.put(run("r4", "t2", { created_at: at(4) }));
        const first = await b.queue.claim("w1", { leaseMs: 10_000 });
        expect(first?.run.run_id).toBe("r1");
        expect(first?.run.status).toBe("running");
        expect(first?.workerId).toBe("w1");
        expect(Date.parse(first!.leaseUntil)).toBeGreaterThan(Date.now());
        expect((await b.runs.get("r1"))?.status).toBe("running");
        // r2 waits for r1 (same thread); r3 is not due; r4 is next.
        expect((await b.queue.claim("w2", { leaseMs: 10_000 }))?.run.run_id).toBe("r4");
        expect(await b.queue.claim("w2", { leaseMs: 10_000 })).toBeUndefined();
      });

      it("skipThreads and claimRun", async () => {
        await b.threads.put(thread("t1"));
        await b.threads.put(thread("t2"));
        await b.runs.put(run("r1", "t1", { created_at: at(1) }));
        await b.runs.put(run("r2", "t2", { created_at: at(2) }));
        expect((await b.queue.claim("w", { leaseMs: 1000, skipThreads: new Set(["t1"]) }))?.run.run_id).toBe("r2");
        expect((await b.queue.claimRun("r1", "w", { leaseMs: 1000 }))?.run.run_id).toBe("r1");
        expect(await b.queue.claimRun("r1", "w", { leaseMs: 1000 })).toBeUndefined();
        expect(await b.queue.claimRun("missing", "w", { leaseMs: 1000 })).toBeUndefined();
      });

      it("concurrent claims never hand one run to two workers", async () => {
        for (let i = 0; i < 10; i++) {
          await b.threads.put(thread(`t${i}`));
          await b.runs.put(run(`r${i}`, `t${i}`, { created_at: at(i) }));
        }
        const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => b.queue.claim(`w${i}`, { leaseMs: 10_000 })));
        const ids = claims.filter((c) => c !== undefined).map((c) => c!.run.run_id);
        expect(ids.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `r${i}`).sort());
      });

      it("heartbeat extends held leases; release ends the claim once; expired finds lapsed leases", async () => {
        await b.threads.put(thread("t1"));
        await b.threads.put(thread("t2"));
        await b.runs.put(run("r1", "t1", { created_at: at(1) }));
        await b.runs.put(run("r2", "t2", { created_at: at(2) }));
        await b.queue.claim("w1", { leaseMs: 50 });
        await b.queue.claim("w2", { leaseMs: 50 });
        expect(await b.queue.heartbeat("w1", ["r1", "r2"], 60_000)).toEqual(["r1"]);
        await new Promise((r) => setTimeout(r, 80));
        expect((await b.queue.expired()).map((r) => r.run_id)).toEqual(["r2"]);
        expect(await b.queue.release("r2", "w1", { status: "success" })).toBe(false);
        expect(await b.queue.release("r1", "w1", { status: "success", updated_at: at(9) })).toBe(true);
        expect(await b.runs.get("r1")).toMatchObject({ status: "success", updated_at: at(9) });
        expect(await b.queue.release("r1", "w1", { status: "error" })).toBe(false);
        expect(await b.queue.heartbeat("w1", ["r1"], 1000)).toEqual([]);
        expect((await b.queue.expired(new Date(Date.now() + 120_000).toISOString())).map((r) => r.run_id)).toEqual(["r2"]);
      });
    });

    describe("durability, counts and close", () => {
      it("flushes, counts and closes idempotently", async () => {
        await b.threads.put(thread("t1"));
        expect(typeof b.durability.hasPending).toBe("boolean");
        b.durability.flushPending();
        await b.durability.whenFlushed();
        await b.durability.flush();
        expect(b.durability.hasPending).toBe(false);
        expect(await b.counts()).toEqual({ assistants: 0, threads: 1, runs: 0, crons: 0, store: 0, checkpoints: 0 });
        expect(typeof b.kind).toBe("string");
        await b.close();
        await b.close();
      });
    });
  });
}
