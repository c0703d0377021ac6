import type { RunStatus } from "../storage/types.js";

/** How a run ended, for `wait` and `join`. */
export interface RunOutcome {
  status: RunStatus;
  values: unknown;
  error?: { error: string; message: string };
  /** When the run started executing and when it ended (ISO; webhooks report them). */
  started_at?: string;
  ended_at?: string;
}

/**
 * How recently ended runs ended (values, error), for waiters and joiners that arrive after the end. Bounded; and
 * deleting a thread forgets its runs' outcomes, so nothing stays behind deleted data (bench/soak.mjs checks it).
 * Older runs fall back to their thread's values.
 */
export class RunOutcomes {
  private readonly byRun = new Map<string, { outcome: RunOutcome; threadId: string }>();
  private readonly byThread = new Map<string, Set<string>>();

  constructor(private readonly max = 10_000) {}

  get size(): number {
    return this.byRun.size;
  }

  get(runId: string): RunOutcome | undefined {
    return this.byRun.get(runId)?.outcome;
  }

  remember(runId: string, threadId: string, outcome: RunOutcome): void {
    this.byRun.set(runId, { outcome, threadId });
    let ids = this.byThread.get(threadId);
    if (!ids) this.byThread.set(threadId, (ids = new Set()));
    ids.add(runId);
    if (this.byRun.size > this.max) {
      const [oldest, { threadId: tid }] = this.byRun.entries().next().value!;
      this.byRun.delete(oldest);
      const set = this.byThread.get(tid);
      set?.delete(oldest);
      if (set?.size === 0) this.byThread.delete(tid);
    }
  }

  /** Forget one thread's outcomes, or all of them (truncate). */
  forget(threadId?: string): void {
    if (threadId === undefined) {
      this.byRun.clear();
      this.byThread.clear();
      return;
    }
    for (const id of this.byThread.get(threadId) ?? []) this.byRun.delete(id);
    this.byThread.delete(threadId);
  }
}
