/**
 * The embedded backend: StorageBackend over the in-memory collections of `Storage`, every change journalled by its
 * sink (durable.ts). One process owns the data directory (lock.ts), so change notifications and run leases live in
 * memory. Each method does what the services did on the collections before the interface existed: the same indexes,
 * the same searches (search.ts), the same journal records.
 */
import { matchesFilters, storeFilterTarget } from "../../auth/filters.js";
import { contains, jsonEqual } from "../../json-value.js";
import type {
  AssistantQuery,
  AssistantRepository,
  ChangeEvent,
  ChangeFeed,
  ChangeTopic,
  CheckpointRepository,
  CronQuery,
  CronRepository,
  DurabilityPort,
  NamespaceQuery,
  Page,
  RunClaim,
  RunEventLog,
  RunQueue,
  RunRepository,
  StorageBackend,
  StorageCounts,
  StorageTx,
  StoredRunEvent,
  StoreItemRepository,
  StoreQuery,
  ThreadPatch,
  ThreadQuery,
  ThreadRepository,
} from "../backend.js";
import { pageSpec, selectPage, type PageSpec } from "../paging.js";
import type {
  AssistantRecord,
  AssistantVersionRecord,
  CronRecord,
  Metadata,
  RunRecord,
  RunStatus,
  StoreItemRecord,
  ThreadRecord,
} from "../types.js";
import { StorageCheckpointer } from "./checkpointer.js";
import type { Collection } from "./collection.js";
import { metadataIndexSets, searchCollection, type CollectionQuery } from "./search.js";
import { checkpointKey, storeKey, type Storage } from "./storage.js";

const versionKey = (assistantId: string, version: number) => `${assistantId}:${version}`;
const visible = (metadata: Metadata | undefined, filters: Record<string, unknown> | undefined) =>
  filters === undefined || matchesFilters(metadata ?? {}, filters);
const specOf = (q: { sortBy?: string; sortOrder?: "asc" | "desc"; offset?: number; limit?: number }): PageSpec =>
  pageSpec({ sort_by: q.sortBy, sort_order: q.sortOrder, offset: q.offset, limit: q.limit });
const byCreatedAsc = (a: { created_at: string }, b: { created_at: string }) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0);
const isExpired = (r: StoreItemRecord, now: number) => !!r.expires_at && Date.parse(r.expires_at) <= now;
const startsWith = (ns: string[], prefix: string[]) => prefix.every((p, i) => ns[i] === p);

/** A page of records already filtered, in source order. */
function pageOf<T extends object>(items: T[], q: { sortBy?: string; sortOrder?: "asc" | "desc"; offset?: number; limit?: number }): Page<T> {
  return { items: selectPage(items, specOf(q)), total: items.length };
}

class EmbeddedAssistants implements AssistantRepository {
  constructor(private readonly s: Storage) {}

  async get(id: string) {
    return this.s.assistants.get(id);
  }
  async put(a: AssistantRecord) {
    this.s.assistants.set(a.assistant_id, a);
  }
  async create(a: AssistantRecord, v: AssistantVersionRecord) {
    if (this.s.assistants.has(a.assistant_id)) return false;
    this.putWithVersionNow(a, v);
    return true;
  }
  async putWithVersion(a: AssistantRecord, v: AssistantVersionRecord) {
    this.putWithVersionNow(a, v);
  }
  private putWithVersionNow(a: AssistantRecord, v: AssistantVersionRecord) {
    this.s.batch(() => {
      this.s.assistants.set(a.assistant_id, a);
      this.s.assistantVersions.set(versionKey(v.assistant_id, v.version), v);
    });
  }
  async delete(id: string) {
    if (!this.s.assistants.has(id)) return false;
    this.deleteNow(id);
    return true;
  }
  private deleteNow(id: string) {
    this.s.batch(() => {
      this.s.assistants.delete(id);
      for (const key of this.s.assistantVersions.keysBy("assistant", id)) this.s.assistantVersions.delete(key);
    });
  }
  async search(q: AssistantQuery): Promise<Page<AssistantRecord>> {
    const name = q.name?.toLowerCase();
    const items = [...this.s.assistants.values()].filter(
      (a) =>
        (!q.graphId || a.graph_id === q.graphId) &&
        (!name || a.name.toLowerCase().includes(name)) &&
        (!q.metadata || contains(a.metadata, q.metadata)) &&
        visible(a.metadata, q.authFilters),
    );
    return pageOf(items, q);
  }
  async listSystem() {
    return [...this.s.assistants.values()].filter((a) => a.metadata?.created_by === "system");
  }
  async getVersion(id: string, version: number) {
    return this.s.assistantVersions.get(versionKey(id, version));
  }
  async putVersion(v: AssistantVersionRecord) {
    this.s.assistantVersions.set(versionKey(v.assistant_id, v.version), v);
  }
  async listVersions(id: string, q: { metadata?: Metadata; offset?: number; limit?: number }) {
    const all = this.s.assistantVersions
      .valuesBy("assistant", id)
      .filter((v) => !q.metadata || contains(v.metadata, q.metadata))
      .sort((a, b) => b.version - a.version);
    const offset = q.offset ?? 0;
    return all.slice(offset, offset + (q.limit ?? 10));
  }
  async clearUserMade() {
    for (const [id, a] of [...this.s.assistants.entries()]) if (a.metadata?.created_by !== "system") this.deleteNow(id);
  }
}

class EmbeddedThreads implements ThreadRepository {
  constructor(private readonly s: Storage) {}

  async get(id: string) {
    return this.s.threads.get(id);
  }
  async put(t: ThreadRecord) {
    this.s.threads.set(t.thread_id, t);
  }
  async insert(t: ThreadRecord) {
    const existing = this.s.threads.get(t.thread_id);
    if (existing) return { thread: existing, created: false };
    this.s.threads.set(t.thread_id, t);
    return { thread: t, created: true };
  }
  async update(id: string, patch: ThreadPatch) {
    const current = this.s.threads.get(id);
    if (!current) return undefined;
    return this.s.threads.set(id, { ...current, ...patch });
  }
  async delete(id: string) {
    const existed = this.s.threads.has(id);
    this.s.batch(() => {
      for (const key of this.s.runs.keysBy("thread", id)) this.s.runs.delete(key);
      deleteCheckpointsOf(this.s, id);
      this.s.threads.delete(id);
    });
    return existed;
  }
  async expired(q: { now: number; defaultTtl?: { strategy: "delete" | "keep_latest"; ttl_minutes: number }; limit: number }) {
    const found: { thread: ThreadRecord; at: number }[] = [];
    for (const thread of this.s.threads.values()) {
      const ttl = thread.ttl ?? q.defaultTtl;
      if (!ttl) continue;
      const at = Date.parse(thread.updated_at) + ttl.ttl_minutes * 60_000;
      if (at <= q.now) found.push({ thread, at });
    }
    return found
      .sort((a, b) => a.at - b.at)
      .slice(0, q.limit)
      .map((f) => f.thread);
  }
  async search(q: ThreadQuery): Promise<Page<ThreadRecord>> {
    const withItems = q.withItems !== false;
    const match = matcher(q);
    if (q.ids) {
      const items = q.ids.map((id) => this.s.threads.get(id)).filter((t): t is ThreadRecord => !!t && match(t));
      return withItems ? pageOf(items, q) : { items: [], total: items.length };
    }
    const { page, total } = searchCollection(this.s.threads, this.query(q, match), specOf(q), withItems);
    return { items: page, total };
  }
  async copy(fromId: string, copy: ThreadRecord) {
    this.s.batch(() => {
      this.s.threads.set(copy.thread_id, copy);
      for (const rec of this.s.checkpoints.valuesBy("thread", fromId)) {
        this.s.checkpoints.set(checkpointKey(copy.thread_id, rec.checkpoint_ns, rec.checkpoint_id), { ...rec, thread_id: copy.thread_id });
      }
      for (const w of this.s.writes.valuesBy("thread", fromId)) {
        const key = `${checkpointKey(copy.thread_id, w.checkpoint_ns, w.checkpoint_id)}\u0000${w.task_id}\u0000${w.idx}`;
        this.s.writes.set(key, { ...w, thread_id: copy.thread_id });
      }
    });
  }
  async clear() {
    this.s.batch(() => {
      this.s.threads.clear();
      this.s.runs.clear();
      this.s.checkpoints.clear();
      this.s.writes.clear();
    });
  }

  /**
   * A search as index sets (status, top-level metadata entries, plain auth filter values) plus, unless those decide
   * alone, the complete test. Kept in step with `matcher` and auth/filters.ts matchesFilters.
   */
  private query(q: ThreadQuery, match: (t: ThreadRecord) => boolean): CollectionQuery<ThreadRecord> {
    const meta = metadataIndexSets(this.s.threads as Collection<unknown>, q.metadata, q.authFilters);
    if (!meta) return { match, orderedBy: "created_at" };
    const within = [...meta.sets];
    let exact = meta.exact && !q.values;
    if (q.status) {
      if (typeof q.status === "string") within.push(this.s.threads.keySetBy("status", q.status));
      else exact = false;
    }
    return { within, match: exact ? undefined : match, orderedBy: "created_at" };
  }
}

/** The complete test of a thread search: status, metadata and values containment, and the auth filters. */
function matcher(q: ThreadQuery): (t: ThreadRecord) => boolean {
  return (t) =>
    (!q.status || t.status === q.status) &&
    (!q.metadata || contains(t.metadata, q.metadata)) &&
    (!q.values || contains(t.values, q.values)) &&
    visible(t.metadata, q.authFilters);
}

function deleteCheckpointsOf(s: Storage, threadId: string, keep?: ReadonlySet<string>): void {
  for (const key of s.checkpoints.keysBy("thread", threadId)) if (!keep?.has(key)) s.checkpoints.delete(key);
  for (const key of s.writes.keysBy("thread", threadId)) {
    const w = s.writes.get(key)!;
    if (!keep?.has(checkpointKey(w.thread_id, w.checkpoint_ns, w.checkpoint_id))) s.writes.delete(key);
  }
}

class EmbeddedRuns implements RunRepository {
  constructor(private readonly s: Storage) {}

  async get(id: string) {
    return this.s.runs.get(id);
  }
  async put(r: RunRecord) {
    this.s.runs.set(r.run_id, r);
  }
  async update(id: string, patch: Partial<Omit<RunRecord, "run_id" | "thread_id">>) {
    const current = this.s.runs.get(id);
    if (!current) return undefined;
    return this.s.runs.set(id, { ...current, ...patch });
  }
  async delete(id: string) {
    return this.s.runs.delete(id);
  }
  async listByThread(threadId: string, q: { status?: RunStatus; offset?: number; limit?: number } = {}) {
    const runs = this.s.runs
      .valuesBy("thread", threadId)
      .filter((r) => !q.status || r.status === q.status)
      .sort((a, b) => byCreatedAsc(b, a));
    const offset = q.offset ?? 0;
    return runs.slice(offset, offset + (q.limit ?? 10));
  }
  async listByStatus(statuses: readonly RunStatus[], threadId?: string) {
    return runsByStatus(this.s, statuses, threadId);
  }
  async clear() {
    this.s.runs.clear();
  }
}

function runsByStatus(s: Storage, statuses: readonly RunStatus[], threadId?: string): RunRecord[] {
  const source = threadId === undefined ? statuses.flatMap((st) => s.runs.valuesBy("status", st)) : s.runs.valuesBy("thread", threadId);
  return source.filter((r) => statuses.includes(r.status)).sort(byCreatedAsc);
}

class EmbeddedCrons implements CronRepository {
  constructor(private readonly s: Storage) {}

  async get(id: string) {
    return this.s.crons.get(id);
  }
  async create(c: CronRecord) {
    if (this.s.crons.has(c.cron_id)) return false;
    this.s.crons.set(c.cron_id, c);
    return true;
  }
  async put(c: CronRecord) {
    this.s.crons.set(c.cron_id, c);
  }
  async delete(id: string) {
    return this.s.crons.delete(id);
  }
  async search(q: CronQuery): Promise<Page<CronRecord>> {
    const items = [...this.s.crons.values()].filter(
      (c) =>
        (!q.assistantId || c.assistant_id === q.assistantId) &&
        (!q.threadId || c.thread_id === q.threadId) &&
        (q.enabled === undefined || c.enabled === q.enabled) &&
        (!q.metadata || contains(c.metadata, q.metadata)) &&
        visible(c.metadata, q.authFilters),
    );
    return pageOf(items, q);
  }
  async nextDue() {
    let earliest: string | undefined;
    for (const c of this.s.crons.values()) {
      if (!c.enabled || !c.next_run_date) continue;
      if (earliest === undefined || Date.parse(c.next_run_date) < Date.parse(earliest)) earliest = c.next_run_date;
    }
    return earliest;
  }
  async due(now: string) {
    const t = Date.parse(now);
    return [...this.s.crons.values()]
      .filter((c) => c.enabled && c.next_run_date && Date.parse(c.next_run_date) <= t)
      .sort((a, b) => Date.parse(a.next_run_date!) - Date.parse(b.next_run_date!));
  }
  async advance(id: string, expected: string, next: string | null) {
    const current = this.s.crons.get(id);
    if (!current || current.next_run_date !== expected) return undefined;
    return this.s.crons.set(id, { ...current, next_run_date: next });
  }
  async clear() {
    this.s.crons.clear();
  }
}

class EmbeddedStore implements StoreItemRepository {
  constructor(private readonly s: Storage) {}

  async get(namespace: string[], key: string, opts: { now?: number } = {}) {
    const r = this.s.store.get(storeKey(namespace, key));
    return r && !isExpired(r, opts.now ?? Date.now()) ? r : undefined;
  }
  async put(item: StoreItemRecord) {
    this.s.store.set(storeKey(item.namespace, item.key), item);
  }
  async delete(namespace: string[], key: string) {
    return this.s.store.delete(storeKey(namespace, key));
  }
  async search(q: StoreQuery) {
    const now = q.now ?? Date.now();
    const text = q.query?.toLowerCase();
    const out: StoreItemRecord[] = [];
    for (const r of this.s.store.values()) {
      if (isExpired(r, now) || !startsWith(r.namespace, q.namespacePrefix)) continue;
      if (q.filter && !matchesFilters(r.value, q.filter)) continue;
      if (text && !JSON.stringify(r.value).toLowerCase().includes(text)) continue;
      if (q.authFilters && !matchesFilters(storeFilterTarget(r.namespace, r.key, r.value), q.authFilters)) continue;
      out.push(r);
    }
    out.sort((a, b) => (a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : 0));
    const offset = q.offset ?? 0;
    return out.slice(offset, offset + (q.limit ?? 10));
  }
  async listNamespaces(q: NamespaceQuery) {
    const seen = new Map<string, string[]>();
    const now = q.now ?? Date.now();
    for (const r of this.s.store.values()) {
      if (isExpired(r, now) || !startsWith(r.namespace, q.prefix)) continue;
      if (q.suffix && !jsonEqual(r.namespace.slice(r.namespace.length - q.suffix.length), q.suffix)) continue;
      if (q.authFilters && !matchesFilters(storeFilterTarget(r.namespace, r.key, r.value), q.authFilters)) continue;
      const ns = q.maxDepth ? r.namespace.slice(0, q.maxDepth) : r.namespace;
      seen.set(ns.join("\u0000"), ns);
    }
    const all = [...seen.values()].sort((a, b) => a.join(".").localeCompare(b.join(".")));
    const offset = q.offset ?? 0;
    return all.slice(offset, offset + (q.limit ?? 100));
  }
  async deleteExpired(now: number) {
    const keys: string[] = [];
    for (const [k, r] of this.s.store.entries()) if (isExpired(r, now)) keys.push(k);
    this.s.batch(() => {
      for (const k of keys) this.s.store.delete(k);
    });
    return keys.length;
  }
  async list() {
    return [...this.s.store.values()];
  }
  async clear() {
    this.s.store.clear();
  }
}

class EmbeddedCheckpoints implements CheckpointRepository {
  readonly saver: StorageCheckpointer;

  constructor(private readonly s: Storage) {
    this.saver = new StorageCheckpointer(s);
  }

  async keysOf(threadId: string) {
    return this.s.checkpoints.keysBy("thread", threadId);
  }
  async deleteAllBut(threadId: string, keep: readonly string[]) {
    const set = new Set(keep);
    this.s.batch(() => deleteCheckpointsOf(this.s, threadId, set));
  }
  async deleteThread(threadId: string) {
    this.s.batch(() => deleteCheckpointsOf(this.s, threadId));
  }
  async keepLatest(threadId: string) {
    this.s.batch(() => this.saver.keepLatest(threadId));
  }
  async patchLatestMetadata(threadId: string, metadata: Metadata) {
    const latest = this.saver.recordsOf(threadId, "")[0];
    if (!latest) return false;
    const tuple = await this.saver.getTuple({ configurable: { thread_id: threadId, checkpoint_id: latest.checkpoint_id } });
    const [type, bytes] = await this.saver.serde.dumpsTyped({ ...(tuple!.metadata ?? {}), ...metadata });
    const text = typeof bytes === "string" ? bytes : Buffer.from(bytes).toString(latest.enc === "utf8" ? "utf8" : "base64");
    this.s.checkpoints.set(checkpointKey(threadId, latest.checkpoint_ns, latest.checkpoint_id), { ...latest, metadata: [type, text] });
    return true;
  }
  async clear() {
    this.s.batch(() => {
      this.s.checkpoints.clear();
      this.s.writes.clear();
    });
  }
}

/** Change notifications within the process: handlers run synchronously, in subscription order. */
class MemoryChangeFeed implements ChangeFeed {
  private readonly handlers = new Map<ChangeTopic, Set<(e: never) => void>>();
  private readonly resync = new Set<() => void>();

  async publish(event: ChangeEvent) {
    this.dispatch(event);
  }
  /** Deliver now (the embedded backend's callers need no await to be heard). */
  dispatch(event: ChangeEvent): void {
    for (const h of [...(this.handlers.get(event.type) ?? [])]) {
      try {
        (h as (e: ChangeEvent) => void)(event);
      } catch {
        // a subscriber's failure is its own; the others still hear the event
      }
    }
  }
  subscribe<K extends ChangeTopic>(topic: K, handler: (event: Extract<ChangeEvent, { type: K }>) => void) {
    let set = this.handlers.get(topic);
    if (!set) this.handlers.set(topic, (set = new Set()));
    set.add(handler as (e: never) => void);
    return () => void set.delete(handler as (e: never) => void);
  }
  onResync(handler: () => void) {
    this.resync.add(handler);
    return () => void this.resync.delete(handler);
  }
}

/** Stream events in memory (a restart ends every stream, as before the interface). */
class MemoryRunEventLog implements RunEventLog {
  readonly shared = false;
  private readonly events = new Map<string, StoredRunEvent[]>();

  constructor(private readonly changes: MemoryChangeFeed) {}

  async append(runId: string, _threadId: string, event: string, data: unknown) {
    let list = this.events.get(runId);
    if (!list) this.events.set(runId, (list = []));
    const seq = list.length + 1;
    list.push({ seq, event, data });
    this.changes.dispatch({ type: "run_event", run_id: runId, seq });
    return seq;
  }
  async read(runId: string, afterSeq = 0) {
    return (this.events.get(runId) ?? []).slice(afterSeq);
  }
  async drop(runId: string) {
    this.events.delete(runId);
  }
}

/** Run claims in memory: one process owns the data, so a lease only has to outlive this process's own checks. */
class MemoryRunQueue implements RunQueue {
  private readonly leases = new Map<string, { workerId: string; until: number }>();

  constructor(private readonly s: Storage) {}

  async claim(workerId: string, opts: { leaseMs: number; skipThreads?: ReadonlySet<string> }) {
    for (const run of runsByStatus(this.s, ["pending"])) {
      if (opts.skipThreads?.has(run.thread_id)) continue;
      const claim = this.tryClaim(run, workerId, opts.leaseMs);
      if (claim) return claim;
    }
    return undefined;
  }
  async claimRun(runId: string, workerId: string, opts: { leaseMs: number }) {
    const run = this.s.runs.get(runId);
    return run ? this.tryClaim(run, workerId, opts.leaseMs) : undefined;
  }
  private tryClaim(run: RunRecord, workerId: string, leaseMs: number): RunClaim | undefined {
    if (run.status !== "pending") return undefined;
    if (run.not_before && Date.parse(run.not_before) > Date.now()) return undefined;
    if (this.s.runs.valuesBy("thread", run.thread_id).some((r) => r.status === "running")) return undefined;
    const until = Date.now() + leaseMs;
    const claimed = this.s.runs.set(run.run_id, { ...run, status: "running", updated_at: new Date().toISOString() });
    this.leases.set(run.run_id, { workerId, until });
    return { run: claimed, workerId, leaseUntil: new Date(until).toISOString() };
  }
  async heartbeat(workerId: string, runIds: readonly string[], leaseMs: number) {
    const held: string[] = [];
    for (const id of runIds) {
      const lease = this.leases.get(id);
      if (lease?.workerId !== workerId || this.s.runs.get(id)?.status !== "running") continue;
      lease.until = Date.now() + leaseMs;
      held.push(id);
    }
    return held;
  }
  async release(runId: string, workerId: string, final: Partial<Omit<RunRecord, "run_id" | "thread_id">>) {
    const lease = this.leases.get(runId);
    const run = this.s.runs.get(runId);
    if (lease?.workerId !== workerId || !run || run.status !== "running") return false;
    this.leases.delete(runId);
    this.s.runs.set(runId, { ...run, ...final });
    return true;
  }
  async expired(now?: string) {
    const t = now === undefined ? Date.now() : Date.parse(now);
    return runsByStatus(this.s, ["running"]).filter((r) => {
      // One process owns the data: a running run without a lease here was claimed by a process that is gone (a
      // restart after a crash), so its lease has passed too.
      const lease = this.leases.get(r.run_id);
      return lease === undefined || lease.until < t;
    });
  }
}

/** How an embedded backend's files are flushed and closed (durable.ts); memory-only storage has nothing to do. */
export interface EmbeddedFiles {
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Transactions run one at a time: their writes are staged and applied as one journal record when `fn` resolves
 * (none of them when it rejects), and reads through `tx` see the staged writes first.
 */
class Serializer {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** The embedded backend over one `Storage` (memory only, or opened on a data directory by `openEmbeddedBackend`). */
export class EmbeddedBackend implements StorageBackend {
  readonly kind = "embedded";
  readonly assistants: EmbeddedAssistants;
  readonly threads: EmbeddedThreads;
  readonly runs: EmbeddedRuns;
  readonly crons: EmbeddedCrons;
  readonly store: EmbeddedStore;
  readonly checkpoints: EmbeddedCheckpoints;
  readonly changes = new MemoryChangeFeed();
  readonly runEvents: MemoryRunEventLog;
  readonly queue: MemoryRunQueue;
  readonly durability: DurabilityPort;
  private readonly serializer = new Serializer();
  private closed?: Promise<void>;

  constructor(
    /** The collections (tests and the embedded tools read them; services never do). */
    readonly storage: Storage,
    private readonly files: EmbeddedFiles = { flush: async () => {}, close: async () => {} },
  ) {
    this.assistants = new EmbeddedAssistants(storage);
    this.threads = new EmbeddedThreads(storage);
    this.runs = new EmbeddedRuns(storage);
    this.crons = new EmbeddedCrons(storage);
    this.store = new EmbeddedStore(storage);
    this.checkpoints = new EmbeddedCheckpoints(storage);
    this.runEvents = new MemoryRunEventLog(this.changes);
    this.queue = new MemoryRunQueue(storage);
    this.durability = {
      get hasPending() {
        return storage.hasPending;
      },
      flushPending: () => storage.flushPending(),
      whenFlushed: () => storage.whenFlushed(),
      flush: () => files.flush(),
    };
  }

  transaction<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T> {
    return this.serializer.run(async () => {
      const s = this.storage;
      const threads = new Map<string, ThreadRecord>();
      const runs = new Map<string, RunRecord>();
      const tx: StorageTx = {
        threads: {
          get: async (id) => threads.get(id) ?? s.threads.get(id),
          put: async (t) => void threads.set(t.thread_id, t),
        },
        runs: {
          get: async (id) => runs.get(id) ?? s.runs.get(id),
          put: async (r) => void runs.set(r.run_id, r),
          listByStatus: async (statuses, threadId) => {
            const stored = runsByStatus(s, statuses, threadId).filter((r) => !runs.has(r.run_id));
            const staged = [...runs.values()].filter((r) => statuses.includes(r.status) && (threadId === undefined || r.thread_id === threadId));
            return [...stored, ...staged].sort(byCreatedAsc);
          },
        },
      };
      const result = await fn(tx);
      s.batch(() => {
        for (const t of threads.values()) s.threads.set(t.thread_id, t);
        for (const r of runs.values()) s.runs.set(r.run_id, r);
      });
      return result;
    });
  }

  async counts(): Promise<StorageCounts> {
    const s = this.storage;
    return {
      assistants: s.assistants.size,
      threads: s.threads.size,
      runs: s.runs.size,
      crons: s.crons.size,
      store: s.store.size,
      checkpoints: s.checkpoints.size,
    };
  }

  close(): Promise<void> {
    this.closed ??= this.files.close();
    return this.closed;
  }
}
