import { Collection, NULL_SINK, type CollectionName, type Mutation, type MutationSink } from "./collection.js";
import { metadataIndexKeys } from "./metadata-index.js";
import type {
  AssistantRecord,
  AssistantVersionRecord,
  CheckpointRecord,
  CronRecord,
  RunRecord,
  StoreItemRecord,
  ThreadRecord,
  WriteRecord,
} from "../types.js";

/** Key of a checkpoint: thread, namespace, id. */
export const checkpointKey = (threadId: string, ns: string, checkpointId: string) => `${threadId}\u0000${ns}\u0000${checkpointId}`;
/** Key of a store item: namespace parts and key. */
export const storeKey = (namespace: string[], key: string) => `${namespace.join("\u0000")}\u0001${key}`;

/**
 * All the server's data as in-memory collections. Every change is also handed to the sink given at construction
 * (a journal for durable mode); the collections themselves know nothing about files or HTTP.
 */
export class Storage {
  readonly assistants: Collection<AssistantRecord>;
  readonly assistantVersions: Collection<AssistantVersionRecord>;
  readonly threads: Collection<ThreadRecord>;
  readonly runs: Collection<RunRecord>;
  readonly checkpoints: Collection<CheckpointRecord>;
  readonly writes: Collection<WriteRecord>;
  readonly store: Collection<StoreItemRecord>;
  readonly crons: Collection<CronRecord>;
  private readonly byName: Map<CollectionName, Collection<unknown>>;

  constructor(private readonly sink: MutationSink = NULL_SINK) {
    this.assistants = new Collection<AssistantRecord>("assistants", sink);
    this.assistantVersions = new Collection<AssistantVersionRecord>("assistant_versions", sink).index("assistant", (v) => v.assistant_id);
    // Thread searches walk threads in insertion (= created_at) order and narrow by status and metadata entries.
    this.threads = new Collection<ThreadRecord>("threads", sink)
      .ordered((v) => v.created_at)
      .index("status", (v) => (typeof v.status === "string" ? v.status : undefined))
      .index("metadata", (v) => metadataIndexKeys(v.metadata));
    // By status: the pending runs (queue claims), the running ones (recovery, leases).
    this.runs = new Collection<RunRecord>("runs", sink)
      .index("thread", (v) => v.thread_id)
      .index("status", (v) => v.status);
    this.checkpoints = new Collection<CheckpointRecord>("checkpoints", sink)
      .index("thread", (v) => v.thread_id)
      .index("thread_ns", (v) => `${v.thread_id}\u0000${v.checkpoint_ns}`);
    this.writes = new Collection<WriteRecord>("writes", sink).index(
      "checkpoint",
      (v) => checkpointKey(v.thread_id, v.checkpoint_ns, v.checkpoint_id),
    ).index("thread", (v) => v.thread_id);
    this.store = new Collection<StoreItemRecord>("store", sink);
    this.crons = new Collection<CronRecord>("crons", sink);
    this.byName = new Map<CollectionName, Collection<unknown>>(
      [this.assistants, this.assistantVersions, this.threads, this.runs, this.checkpoints, this.writes, this.store, this.crons].map(
        (c) => [c.name, c as Collection<unknown>],
      ),
    );
  }

  /**
   * Run `fn` (synchronous: mutations after an `await` inside it are not part of the unit) so that the changes it makes
   * reach the journal as one record: one write instead of many, and all or none of them after a crash.
   */
  /** True when changes wait for the journal's next write. */
  get hasPending(): boolean {
    return this.sink.hasPending ?? false;
  }

  /** Resolves once every change made so far is written, sharing one write with the rest of this turn. */
  whenFlushed(): Promise<void> {
    return this.sink.whenFlushed ? this.sink.whenFlushed() : Promise.resolve();
  }

  /** Make every change so far durable against a process crash (one write); call before acknowledging it. */
  flushPending(): void {
    this.sink.flushPending?.();
  }

  batch<T>(fn: () => T): T {
    return this.sink.batch ? this.sink.batch(fn) : fn();
  }

  /** Apply a journalled mutation without re-journalling it (used when replaying). */
  replay(m: Mutation): void {
    const c = this.byName.get(m.c);
    if (!c) throw new Error(`unknown collection ${m.c}`);
    if (m.t === "put") c.applyPut(m.k, m.v);
    else if (m.t === "del") c.applyDelete(m.k);
    else c.applyClear();
  }

  /** Every collection with its name (for snapshots). */
  collections(): Iterable<[CollectionName, Collection<unknown>]> {
    return this.byName.entries();
  }
}
