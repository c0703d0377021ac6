/**
 * A thread's status follows its runs: busy while one is pending or running, else what its state says (idle,
 * interrupted) or how its last run ended (error). A run's end sets it (executor.ts `settle`); this module covers
 * what that cannot: a check against the storage for runs of other processes, an update that failed while the
 * storage was unavailable (retried at each sweep), and threads left busy by a process that stopped between a run's
 * end and its thread's update (found at a sweep).
 */
import type { Logger } from "../logger.js";
import type { StorageBackend } from "../storage/backend.js";
import type { ThreadStatus } from "../storage/types.js";
import { nowIso } from "../wire.js";

/** What the executor needs from threads when a run starts and ends (ThreadsService provides it). */
export interface ThreadSettlement {
  /** Delete a thread with its runs and checkpoints (a stateless run's temporary thread). */
  deleteUnchecked(threadId: string): Promise<void>;
  /** Re-read the thread's values, status and interrupts from its latest checkpoint. */
  refresh(threadId: string, override?: { status?: ThreadStatus; error?: unknown }): Promise<void>;
  /** The run ended with these final values and nothing pending. */
  settleValues(threadId: string, values: unknown): Promise<void>;
  setStatus(threadId: string, status: ThreadStatus): Promise<void>;
}

/** A thread busy without a live run for this long is settled by `repairBusy`. */
export const BUSY_REPAIR_AFTER_MS = 10_000;

type Override = { status?: ThreadStatus; error?: unknown };

export class ThreadStatusKeeper {
  /** Threads of ended runs whose update failed while the storage was unavailable. */
  private readonly toSettle = new Map<string, { override?: Override; temporary: boolean }>();

  constructor(
    private readonly backend: StorageBackend,
    private readonly threads: ThreadSettlement,
    private readonly logger: Logger,
  ) {}

  /**
   * Busy while any run of the thread is pending or running, in any process: asked of the storage in one
   * transaction (it holds the thread), since another process may have claimed or finished the next run
   * meanwhile; this process's own view could leave the thread busy after that run ended elsewhere. When a
   * plain read finds none, none can appear unseen: a run is stored together with its thread's busy status,
   * under the thread's lock, so one stored after that read leaves the thread busy by itself.
   */
  async keepBusyIfLive(threadId: string): Promise<void> {
    const { backend } = this;
    if ((await backend.runs.listByStatus(["pending", "running"], threadId)).length === 0) return;
    await backend.transaction(async (tx) => {
      const thread = await tx.threads.get(threadId);
      if (!thread || thread.status === "busy") return;
      const live = await tx.runs.listByStatus(["pending", "running"], threadId);
      if (live.length > 0) await tx.threads.put({ ...thread, status: "busy", updated_at: nowIso() });
    });
  }

  /** The update of a thread whose run ended failed (the storage was unavailable): done again by `settleAgain`. */
  settleLater(threadId: string, override: Override | undefined, temporary: boolean): void {
    this.toSettle.set(threadId, { override, temporary });
  }

  /** Settle the threads given to `settleLater` (at each sweep, until it works). */
  async settleAgain(): Promise<void> {
    const { backend, threads } = this;
    for (const [threadId, { override, temporary }] of this.toSettle) {
      try {
        // A run of the thread pending or running now settles it when it ends.
        if ((await backend.runs.listByStatus(["pending", "running"], threadId)).length === 0) {
          if (temporary) await threads.deleteUnchecked(threadId);
          else {
            await threads.refresh(threadId, override);
            await this.keepBusyIfLive(threadId);
          }
        }
        this.toSettle.delete(threadId);
      } catch (err) {
        this.logger.debug(`settling thread ${threadId} again: ${(err as Error).message}`);
        return;
      }
    }
  }

  /**
   * Threads left busy with no run pending or running, for longer than BUSY_REPAIR_AFTER_MS: a process stopped
   * (SIGKILL) between a run's end and its thread's update. Settled as that run's end would have settled them.
   * `localBusy`: threads this process is running a run of. Only for storage shared by several processes (one
   * process settles its own threads as its runs end).
   */
  async repairBusy(localBusy: ReadonlySet<string>): Promise<void> {
    const { backend, threads, logger } = this;
    try {
      const page = await backend.threads.search({ status: "busy", sortBy: "updated_at", sortOrder: "asc", limit: 50, withTotal: false });
      const cutoff = Date.now() - BUSY_REPAIR_AFTER_MS;
      for (const thread of page.items) {
        if (Date.parse(thread.updated_at) > cutoff) break;
        if (localBusy.has(thread.thread_id) || (await backend.runs.listByStatus(["pending", "running"], thread.thread_id)).length > 0) continue;
        const [last] = await backend.runs.listByThread(thread.thread_id, { limit: 1 });
        const override: Override | undefined =
          last?.status === "error"
            ? { status: "error", error: { error: "ServerRestart", message: "The server stopped while this run was ending" } }
            : last?.status === "interrupted"
              ? { status: "idle" }
              : undefined;
        await threads.refresh(thread.thread_id, override);
        await this.keepBusyIfLive(thread.thread_id);
        logger.warn(`thread ${thread.thread_id} was left busy with no run pending or running (a process stopped as a run ended): settled`);
      }
    } catch (err) {
      logger.debug(`repairing busy threads: ${(err as Error).message}`);
    }
  }
}
