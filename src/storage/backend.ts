/**
 * The storage interface: what a backend must provide for lg-dev's services and run executor (docs/storage.md).
 *
 * Two implementations: the embedded backend (memory plus journal, src/storage/embedded/, the default) and a
 * PostgreSQL backend (issue 16) serving several lg-dev processes from one database. Services and runs use only this
 * interface; the composition root (src/dev/) builds one backend at start. Nothing above this file may ask which
 * backend it has.
 *
 * General rules every method follows:
 * - Records are the plain-JSON shapes of ./types.ts, exactly as the API returns them. A backend returns fresh values
 *   or values it never changes afterwards; callers never modify a record they were given (they write a new one).
 * - Every method returns a Promise. A method that finds nothing resolves `undefined` / `false` / an empty list; it
 *   rejects only when the backend cannot answer (e.g. the database is down: a `ServiceUnavailableError`, 503).
 * - A write is visible to every later read of every process once its Promise resolves; it is durable against a crash
 *   of this process once `durability.flush()` (or, on the embedded backend, `flushPending()`) has run after it.
 * - Queries carry their filters, sort and paging so that a backend can answer them with an index or SQL without
 *   loading every record. `authFilters` are LangGraph auth filters (`{key: value}`, `{key: {$eq}}`,
 *   `{key: {$contains}}`, applied with auth/filters.ts `matchesFilters`) to the record's `metadata` unless said
 *   otherwise; a record they reject is neither returned nor counted.
 */
import type { BaseCheckpointSaver } from "@langchain/langgraph-checkpoint";
import type {
  AssistantRecord,
  AssistantVersionRecord,
  CronRecord,
  Metadata,
  RunRecord,
  RunStatus,
  StoreItemRecord,
  ThreadRecord,
  ThreadStatus,
} from "./types.js";

/** Sort order and page of a search. */
export interface Paging {
  /** Field of the record to sort by (default `created_at`). Ties keep insertion (creation) order. */
  sortBy?: string;
  /** Default `desc`. Null and missing sort values come last in both directions. */
  sortOrder?: "asc" | "desc";
  /** Default 0. */
  offset?: number;
  /** Default 10. */
  limit?: number;
}

/** One page of a search and, when asked for, how many records match in all. */
export interface Page<T> {
  items: T[];
  /** Number of matches ignoring offset and limit (0 when `withTotal` was false). */
  total: number;
}

/** Filters on a search of assistants. */
export interface AssistantQuery extends Paging {
  graphId?: string;
  name?: string;
  /** The record's metadata contains this (recursive containment, as auth/filters.ts `contains`). */
  metadata?: Metadata;
  authFilters?: Record<string, unknown>;
  /** Also count every match (default true). */
  withTotal?: boolean;
}

/** Assistants and their versions. */
export interface AssistantRepository {
  /** The assistant, or undefined. */
  get(assistantId: string): Promise<AssistantRecord | undefined>;
  /** Insert or replace the assistant (its versions are written with `putVersion`). */
  put(assistant: AssistantRecord): Promise<void>;
  /**
   * Insert the assistant with its first version, atomically, unless the id is taken: resolves false (and changes
   * nothing) when an assistant with that id exists.
   */
  create(assistant: AssistantRecord, version: AssistantVersionRecord): Promise<boolean>;
  /** Replace the assistant and add a version, atomically (PATCH: a new version that becomes the current one). */
  putWithVersion(assistant: AssistantRecord, version: AssistantVersionRecord): Promise<void>;
  /** Delete the assistant and all its versions, atomically. Resolves false when there was none. */
  delete(assistantId: string): Promise<boolean>;
  /** The matching assistants, sorted and paged. */
  search(q: AssistantQuery): Promise<Page<AssistantRecord>>;
  /** Every assistant whose `metadata.created_by` is "system" (the ones lg-dev makes for each graph). */
  listSystem(): Promise<AssistantRecord[]>;
  /** One version of an assistant, or undefined. */
  getVersion(assistantId: string, version: number): Promise<AssistantVersionRecord | undefined>;
  /** Insert or replace one version. */
  putVersion(version: AssistantVersionRecord): Promise<void>;
  /** The versions of an assistant whose metadata contains `metadata`, newest (highest version) first, paged. */
  listVersions(assistantId: string, q: { metadata?: Metadata; offset?: number; limit?: number }): Promise<AssistantVersionRecord[]>;
  /** Delete every assistant (and version) not made by the system (`metadata.created_by !== "system"`). */
  clearUserMade(): Promise<void>;
}

/** Filters on a search of threads. */
export interface ThreadQuery extends Paging {
  /** Only these threads, in this order before sorting (repeats kept, unknown ids skipped). */
  ids?: string[];
  status?: ThreadStatus;
  /** The metadata contains this (recursive containment). */
  metadata?: Metadata;
  /** The thread's `values` contain this (recursive containment; compared as the JSON the API returns). */
  values?: Record<string, unknown>;
  authFilters?: Record<string, unknown>;
  /** Also count every match (default true). */
  withTotal?: boolean;
  /** Also return the page (default true; false for a count alone). */
  withItems?: boolean;
}

/** A shallow change of a thread: the given fields replace the record's (`undefined` removes the field). */
export type ThreadPatch = Partial<Omit<ThreadRecord, "thread_id" | "created_at">>;

/** Threads. Deleting a thread deletes its runs, checkpoints and writes with it. */
export interface ThreadRepository {
  get(threadId: string): Promise<ThreadRecord | undefined>;
  /** Insert or replace. */
  put(thread: ThreadRecord): Promise<void>;
  /**
   * Insert unless the id is taken: resolves the stored thread and whether this call created it (false: the existing
   * one is returned unchanged).
   */
  insert(thread: ThreadRecord): Promise<{ thread: ThreadRecord; created: boolean }>;
  /**
   * Apply `patch` to the thread as one atomic read-modify-write (no lost update between processes); resolves the new
   * record, or undefined when there is no such thread.
   */
  update(threadId: string, patch: ThreadPatch): Promise<ThreadRecord | undefined>;
  /**
   * Threads whose time-to-live has passed at `now` (ms since the epoch), soonest expiry first, at most `limit`: a
   * thread's own `ttl`, else `defaultTtl`, counted from its `updated_at` (langgraph.json `checkpointer.ttl`).
   */
  expired(q: { now: number; defaultTtl?: { strategy: "delete" | "keep_latest"; ttl_minutes: number }; limit: number }): Promise<ThreadRecord[]>;
  /** Delete the thread, its runs, checkpoints and writes, atomically. Resolves false when there was none. */
  delete(threadId: string): Promise<boolean>;
  /** The matching threads, sorted and paged (see ThreadQuery). */
  search(q: ThreadQuery): Promise<Page<ThreadRecord>>;
  /**
   * Insert `copy` (a new id) with a copy of every checkpoint and write of `fromThreadId`, atomically (threads.copy).
   */
  copy(fromThreadId: string, copy: ThreadRecord): Promise<void>;
  /** Delete every thread (truncate), with their runs, checkpoints and writes. */
  clear(): Promise<void>;
}

/** Runs. */
export interface RunRepository {
  get(runId: string): Promise<RunRecord | undefined>;
  /** Insert or replace. Use `RunQueue` to change a run's status between pending and running. */
  put(run: RunRecord): Promise<void>;
  /** Apply a shallow patch atomically; resolves the new record or undefined when there is no such run. */
  update(runId: string, patch: Partial<Omit<RunRecord, "run_id" | "thread_id">>): Promise<RunRecord | undefined>;
  delete(runId: string): Promise<boolean>;
  /** Runs of one thread, newest (`created_at`) first; `status` narrows; paged. */
  listByThread(threadId: string, q?: { status?: RunStatus; offset?: number; limit?: number }): Promise<RunRecord[]>;
  /** Runs whose status is one of `statuses` (optionally of one thread), oldest first: recovery, cancel-many, truncate. */
  listByStatus(statuses: readonly RunStatus[], threadId?: string): Promise<RunRecord[]>;
  /** Delete every run (truncate). */
  clear(): Promise<void>;
}

/** Filters on a search of crons. */
export interface CronQuery extends Paging {
  assistantId?: string;
  threadId?: string;
  enabled?: boolean;
  metadata?: Metadata;
  authFilters?: Record<string, unknown>;
  withTotal?: boolean;
}

/** Crons. */
export interface CronRepository {
  get(cronId: string): Promise<CronRecord | undefined>;
  /** Insert unless the id is taken (resolves false then, changing nothing). */
  create(cron: CronRecord): Promise<boolean>;
  /** Insert or replace. */
  put(cron: CronRecord): Promise<void>;
  delete(cronId: string): Promise<boolean>;
  search(q: CronQuery): Promise<Page<CronRecord>>;
  /** The earliest `next_run_date` of an enabled cron, or undefined (the scheduler's timer). */
  nextDue(): Promise<string | undefined>;
  /** Enabled crons whose `next_run_date` is at or before `now` (ISO), earliest first. */
  due(now: string): Promise<CronRecord[]>;
  /**
   * Move a cron's `next_run_date` from `expected` to `next` if it is still `expected` (compare-and-set). Exactly one
   * of several processes that saw the same due cron gets true: that one fires it (crons fire once per schedule).
   * Resolves the updated record, or undefined when the cron changed or is gone.
   */
  advance(cronId: string, expected: string, next: string | null): Promise<CronRecord | undefined>;
  /** Delete every cron (truncate). */
  clear(): Promise<void>;
}

/** Filters on a search of store items. */
export interface StoreQuery {
  /** Items whose namespace starts with these labels. */
  namespacePrefix: string[];
  /** The item's value passes `matchesFilters(value, filter)`. */
  filter?: Record<string, unknown>;
  /** Text the item's JSON value contains, case-insensitively (null/absent: any). */
  query?: string | null;
  /** Auth filters, applied to `storeFilterTarget(namespace, key, value)` (auth/filters.ts). */
  authFilters?: Record<string, unknown>;
  /** Newest `updated_at` first; default offset 0, limit 10. */
  offset?: number;
  limit?: number;
  /** Expired items are never returned; this is "now" for that test (default the current time). */
  now?: number;
}

/** What `listNamespaces` looks for. */
export interface NamespaceQuery {
  prefix: string[];
  suffix?: string[];
  maxDepth?: number;
  authFilters?: Record<string, unknown>;
  /** Sorted by the labels joined with "."; default offset 0, limit 100. */
  offset?: number;
  limit?: number;
  /** "Now" for the expiry test, ms since the epoch (default the current time). */
  now?: number;
}

/** The long-term memory store (store items by namespace and key). Expired items (`expires_at` passed) are absent. */
export interface StoreItemRepository {
  /** The live item; `now` (ms since the epoch, default the current time) decides which items have expired. */
  get(namespace: string[], key: string, opts?: { now?: number }): Promise<StoreItemRecord | undefined>;
  /** Insert or replace. */
  put(item: StoreItemRecord): Promise<void>;
  delete(namespace: string[], key: string): Promise<boolean>;
  /** Matching items, newest `updated_at` first, paged. */
  search(q: StoreQuery): Promise<StoreItemRecord[]>;
  /** Distinct namespaces (cut to `maxDepth` labels) of the live items matching the query, sorted, paged. */
  listNamespaces(q: NamespaceQuery): Promise<string[][]>;
  /** Delete every item whose `expires_at` is at or before `now` (ms since the epoch); resolves how many. */
  deleteExpired(now: number): Promise<number>;
  /** Every item, expired ones included (truncate under auth walks them). */
  list(): Promise<StoreItemRecord[]>;
  /** Delete every item. */
  clear(): Promise<void>;
}

/** Checkpoints and pending writes, through LangGraph's checkpointer interface plus what the API needs besides it. */
export interface CheckpointRepository {
  /** The checkpointer graphs run with (the PostgreSQL backend: the official PostgresSaver). */
  readonly saver: BaseCheckpointSaver;
  /** Opaque keys of every checkpoint of a thread now (a run remembers them to roll back what it added). */
  keysOf(threadId: string): Promise<string[]>;
  /** Delete the checkpoints (and their writes) of a thread that are not among `keep` (rollback). */
  deleteAllBut(threadId: string, keep: readonly string[]): Promise<void>;
  /** Delete every checkpoint and write of a thread, keeping the thread (truncate of checkpoints). */
  deleteThread(threadId: string): Promise<void>;
  /** Keep only the newest checkpoint of each namespace of a thread, with its writes (threads.prune keep_latest). */
  keepLatest(threadId: string): Promise<void>;
  /**
   * Merge `metadata` into the metadata of the newest root-namespace checkpoint of a thread (PATCH threads/{id}/state).
   * Resolves false when the thread has no checkpoint.
   */
  patchLatestMetadata(threadId: string, metadata: Metadata): Promise<boolean>;
  /** Delete every checkpoint and write (truncate). */
  clear(): Promise<void>;
}

/** Atomic multi-record changes: what a transaction can read and write. */
export interface StorageTx {
  threads: Pick<ThreadRepository, "get" | "put">;
  runs: Pick<RunRepository, "get" | "put" | "listByStatus">;
}

/** A change other processes must hear about. Small: ids and statuses, never payloads (NOTIFY carries < 8000 bytes). */
export type ChangeEvent =
  /** A pending run was stored: a worker may claim it. */
  | { type: "run_created"; run_id: string; thread_id: string }
  /** Stop a pending or running run wherever it executes (cancel, multitask interrupt/rollback). */
  | { type: "run_cancel"; run_id: string; thread_id: string; action: "interrupt" | "rollback" }
  /** A run ended (its record and thread are updated): waiters (runs.wait, join) wake up. */
  | { type: "run_ended"; run_id: string; thread_id: string; status: RunStatus }
  /** Stream event `seq` of a run was appended (`RunEventLog`): followers in other processes read it. */
  | { type: "run_event"; run_id: string; seq: number; thread_id?: string }
  /** A thread's record changed (status, values): thread streams. */
  | { type: "thread_changed"; thread_id: string }
  /** A cron was created, changed or deleted: every process's scheduler re-arms for the earliest due cron. */
  | { type: "cron_changed"; cron_id: string };

/** The topics of `ChangeEvent`s (a PostgreSQL backend LISTENs on one channel per topic). */
export type ChangeTopic = ChangeEvent["type"];

/**
 * Change notifications between every process sharing the storage (one process: in memory). Delivery is at most once
 * and may be lost when a multi-process backend reconnects: `onResync` handlers then run, and whoever waits must
 * re-read the records it waits on. A process hears its own events too.
 */
export interface ChangeFeed {
  /** Send an event to every subscriber of its topic in every process. Resolves once sent (not once handled). */
  publish(event: ChangeEvent): Promise<void>;
  /** Call `handler` for every event of `topic`; returns the function that unsubscribes. */
  subscribe<K extends ChangeTopic>(topic: K, handler: (event: Extract<ChangeEvent, { type: K }>) => void): () => void;
  /** Call `handler` after notifications may have been lost (reconnection); returns the function that unsubscribes. */
  onResync(handler: () => void): () => void;
}

/** One stream event of a run, as kept for joining and resumable replay. */
export interface StoredRunEvent {
  /** 1, 2, 3... per run: the SSE id. */
  seq: number;
  event: string;
  data: unknown;
}

/**
 * Stream events of runs, kept so that a stream can be joined (and resumed) from any process. The embedded backend
 * keeps them in memory only (a restart ends every stream).
 */
export interface RunEventLog {
  /**
   * True when other processes read this log (the PostgreSQL backend): RunStreams then appends every event of the runs
   * this process executes and follows the runs executing elsewhere through it. False when this process is the only
   * reader (the embedded backend): RunStreams delivers in memory and never touches the log.
   */
  readonly shared: boolean;
  /** Append the run's next event; resolves its seq. Publish a `run_event` change for followers elsewhere. */
  append(runId: string, threadId: string, event: string, data: unknown): Promise<number>;
  /** The run's events with seq > `afterSeq` (default 0: all), in order. */
  read(runId: string, afterSeq?: number): Promise<StoredRunEvent[]>;
  /** Forget a run's events (the run was deleted or its stream will never be joined again). */
  drop(runId: string): Promise<void>;
}

/** A claim on a run: this worker executes it until it releases it or its lease expires. */
export interface RunClaim {
  run: RunRecord;
  workerId: string;
  /** ISO time the lease ends unless renewed by `heartbeat`. */
  leaseUntil: string;
}

/**
 * Locking of runs: which worker (process) executes which run. Guarantees: a pending run is claimed by exactly one
 * worker; a thread never has two running runs; a run whose worker stopped heartbeating is found by `expired` once its
 * lease has passed, so another worker can end it (as an error) and free its thread.
 */
export interface RunQueue {
  /**
   * Claim the oldest due pending run (`not_before` absent or passed, `created_at` then insertion order) whose thread
   * has no running run and is not in `skipThreads`: it becomes `running`, leased to `workerId` for `leaseMs`. Resolves
   * undefined when there is none. Atomic across processes (PostgreSQL: `FOR UPDATE SKIP LOCKED`).
   */
  claim(workerId: string, opts: { leaseMs: number; skipThreads?: ReadonlySet<string> }): Promise<RunClaim | undefined>;
  /**
   * Claim one given pending run (the run this process just created, when it has capacity): as `claim`, but only that
   * run. Resolves undefined when it is not pending, not due, or its thread has a running run.
   */
  claimRun(runId: string, workerId: string, opts: { leaseMs: number }): Promise<RunClaim | undefined>;
  /** Extend the leases of `runIds` held by `workerId`; resolves the ids whose lease this worker still held. */
  heartbeat(workerId: string, runIds: readonly string[], leaseMs: number): Promise<string[]>;
  /**
   * End the claim: write the run's final fields (status, updated_at...) if `workerId` still holds it, in the same
   * atomic change. Resolves false when the claim was lost (another worker ended the run meanwhile).
   */
  release(runId: string, workerId: string, final: Partial<Omit<RunRecord, "run_id" | "thread_id">>): Promise<boolean>;
  /** Running runs whose lease has passed at `now` (ISO; default the current time), oldest first. */
  expired(now?: string): Promise<RunRecord[]>;
}

/**
 * Durability: when acknowledged writes are safe. The HTTP layer calls `flushPending` before any reply leaves (and
 * before a streamed reply writes its first byte); a backend that writes synchronously (PostgreSQL commits before a
 * write resolves) makes these no-ops.
 */
export interface DurabilityPort {
  /** True when writes made so far wait for the next flush (group commit). */
  readonly hasPending: boolean;
  /** Hand every write made so far to the operating system now (one write for many records); synchronous. */
  flushPending(): void;
  /** Resolves once what is collected now is written (shared with the rest of this event-loop turn). */
  whenFlushed(): Promise<void>;
  /** Resolves once every write so far is on stable storage (fsync when the backend does that). */
  flush(): Promise<void>;
}

/** Counts of records, for start-up logs and tests. */
export type StorageCounts = Record<"assistants" | "threads" | "runs" | "crons" | "store" | "checkpoints", number>;

/** A storage backend: every repository, transactions, notifications, run locking and durability. */
export interface StorageBackend {
  /** "embedded" or "postgres": for logs only, never to branch on. */
  readonly kind: string;
  readonly assistants: AssistantRepository;
  readonly threads: ThreadRepository;
  readonly runs: RunRepository;
  readonly crons: CronRepository;
  readonly store: StoreItemRepository;
  readonly checkpoints: CheckpointRepository;
  readonly runEvents: RunEventLog;
  readonly changes: ChangeFeed;
  readonly queue: RunQueue;
  readonly durability: DurabilityPort;
  /**
   * Run `fn` as one atomic change: every write through `tx` becomes visible (and durable) together, or none does when
   * `fn` rejects. Transactions are serializable with each other for the records they touch: a transaction that reads
   * a thread's runs and then writes sees no run another transaction committed meanwhile (e.g. "reject" multitask).
   * Keep `fn` short and free of side effects outside `tx`: a backend may run it again after a serialization failure.
   */
  transaction<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T>;
  /** Number of records per kind. */
  counts(): Promise<StorageCounts>;
  /** Flush, then release every resource (files, locks, connections). Later calls reject. Idempotent. */
  close(): Promise<void>;
}
