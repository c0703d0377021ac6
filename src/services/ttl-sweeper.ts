/**
 * The background sweeps of langgraph.json's TTLs (rules in ttl.ts). Every `checkpointer.ttl.sweep_interval_minutes`
 * (default 5), threads past their expiry are deleted with their runs and checkpoints (`delete`, as DELETE /threads
 * does) or pruned to their latest checkpoint (`keep_latest`), at most `sweep_limit` per sweep, oldest expiry first;
 * a thread with a pending or running run is skipped (its activity will push the expiry back anyway). Every
 * `store.ttl.sweep_interval_minutes` (only when set, as on the Platform), expired store items are deleted.
 *
 * The timers are unref'd (they never keep the process alive) and stopped with the services. Tests drive the
 * sweeps directly (`sweepThreads`, `sweepStore`) with a fake clock.
 */
import type { Logger } from "../logger.js";
import type { StorageBackend } from "../storage/backend.js";
import type { ThreadRecord } from "../storage/types.js";
import type { StoreService } from "./store.js";
import type { ThreadsService } from "./threads.js";
import { effectiveThreadTtl } from "./ttl.js";

/** The shortest interval a sweep timer runs at (a zero or tiny interval must not spin). */
const MIN_INTERVAL_MS = 50;

export interface TtlSweeperOptions {
  backend: StorageBackend;
  threads: ThreadsService;
  store: StoreService;
  logger: Logger;
  /** Milliseconds since the epoch (tests pass a fake clock). */
  clock?: () => number;
}

/** What one thread sweep did. */
export interface ThreadSweep {
  deleted: string[];
  pruned: string[];
  /** Expired but busy (a pending or running run): left for a later sweep. */
  skipped: string[];
}

export class TtlSweeper {
  private readonly timers: NodeJS.Timeout[] = [];
  private sweeping = false;
  private readonly now: () => number;

  constructor(private readonly o: TtlSweeperOptions) {
    this.now = o.clock ?? Date.now;
  }

  /** Start the timers (idempotent). */
  start(): void {
    if (this.timers.length > 0) return;
    const every = (minutes: number, fn: () => unknown) => {
      const timer = setInterval(() => void fn(), Math.max(minutes * 60_000, MIN_INTERVAL_MS));
      timer.unref();
      this.timers.push(timer);
    };
    every(this.o.threads.ttlPolicy.sweepIntervalMinutes, () => this.sweepThreadsLogged());
    const storeInterval = this.o.store.ttlPolicy.sweepIntervalMinutes;
    if (storeInterval !== undefined) every(storeInterval, () => this.sweepStoreLogged());
  }

  stop(): void {
    for (const t of this.timers.splice(0)) clearInterval(t);
  }

  /** Delete or prune the expired threads (one sweep at a time; an overlapping call does nothing). */
  async sweepThreads(): Promise<ThreadSweep> {
    const result: ThreadSweep = { deleted: [], pruned: [], skipped: [] };
    if (this.sweeping) return result;
    this.sweeping = true;
    try {
      const policy = this.o.threads.ttlPolicy;
      // Busy threads are skipped without counting towards the limit: every expired thread is a candidate.
      const expired = await this.o.backend.threads.expired({ now: this.now(), defaultTtl: policy.defaultTtl, limit: Number.MAX_SAFE_INTEGER });
      let acted = 0;
      for (const thread of expired) {
        if (acted >= policy.sweepLimit) break;
        const ttl = effectiveThreadTtl(thread, policy)!;
        const id = thread.thread_id;
        // Re-read: an earlier deletion in this sweep awaited, and the thread may have moved on since.
        const current = await this.o.backend.threads.get(id);
        if (!current || current.updated_at !== thread.updated_at) continue;
        if (await this.busy(current)) {
          result.skipped.push(id);
          continue;
        }
        if (ttl.strategy === "delete") {
          await this.o.threads.deleteUnchecked(id);
          result.deleted.push(id);
          acted++;
        } else if (await this.keepLatest(id)) {
          result.pruned.push(id);
          acted++;
        }
      }
      return result;
    } finally {
      this.sweeping = false;
    }
  }

  /** Delete the expired store items; returns how many. */
  sweepStore(): Promise<number> {
    return this.o.store.sweepExpired();
  }

  private async busy(thread: ThreadRecord): Promise<boolean> {
    if (thread.status === "busy") return true;
    return (await this.o.backend.runs.listByStatus(["pending", "running"], thread.thread_id)).length > 0;
  }

  /** Prune a thread to the latest checkpoint of each namespace; true when that removed any. */
  private async keepLatest(threadId: string): Promise<boolean> {
    const before = (await this.o.backend.checkpoints.keysOf(threadId)).length;
    if (before === 0) return false;
    await this.o.backend.checkpoints.keepLatest(threadId);
    return (await this.o.backend.checkpoints.keysOf(threadId)).length < before;
  }

  private async sweepThreadsLogged(): Promise<void> {
    try {
      const { deleted, pruned, skipped } = await this.sweepThreads();
      if (deleted.length + pruned.length > 0) {
        this.o.logger.info(`thread TTL sweep: ${deleted.length} deleted, ${pruned.length} pruned to their latest checkpoint${skipped.length ? `, ${skipped.length} busy skipped` : ""}`);
      }
    } catch (err) {
      this.o.logger.warn(`thread TTL sweep failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async sweepStoreLogged(): Promise<void> {
    try {
      const n = await this.sweepStore();
      if (n > 0) this.o.logger.info(`store TTL sweep: ${n} expired item${n === 1 ? "" : "s"} deleted`);
    } catch (err) {
      this.o.logger.warn(`store TTL sweep failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
