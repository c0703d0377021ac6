import { LgDevError } from "../errors.js";
import type { RunExecutor } from "../runs/executor.js";
import type { RunStreams } from "../runs/streams.js";
import type { StorageCheckpointer } from "../storage/embedded/checkpointer.js";
import type { Storage } from "../storage/embedded/storage.js";
import type { AssistantsService } from "./assistants.js";
import type { RequestContext } from "./context.js";
import type { CronsService } from "./crons.js";
import type { StoreService } from "./store.js";
import type { ThreadsService } from "./threads.js";

/** What `POST /internal/truncate` may empty. */
export interface TruncateOptions {
  runs?: boolean;
  threads?: boolean;
  assistants?: boolean;
  store?: boolean;
  checkpoint?: boolean;
}

/** The services truncate works through. */
export interface TruncateDeps {
  storage: Storage;
  executor: RunExecutor;
  streams: RunStreams;
  checkpointer: StorageCheckpointer;
  threads: ThreadsService;
  assistants: AssistantsService;
  store: StoreService;
  crons: CronsService;
}

/** Empty whole collections (no custom auth: test suites reset the server with it); system assistants stay. */
export async function truncateAll(d: TruncateDeps, t: TruncateOptions): Promise<void> {
  const { storage } = d;
  if (t.runs || t.threads) {
    d.crons.truncate();
    for (const r of [...storage.runs.values()]) if (r.status === "pending" || r.status === "running") await d.executor.cancel(r.run_id);
    storage.runs.clear();
    d.executor.outcomes.forget();
  }
  if (t.threads) storage.threads.clear();
  if (t.threads || t.checkpoint) {
    storage.checkpoints.clear();
    storage.writes.clear();
  }
  if (t.assistants) d.assistants.truncate();
  if (t.store) storage.store.clear();
}

/**
 * Under custom auth: delete, one by one, exactly what the caller could delete through the delete endpoints - the
 * same `.on` handlers (called per item, with the value those endpoints pass) and the same filters. What is hidden
 * from the caller or refused by a handler is left alone, so one user cannot wipe another's data.
 * Checkpoints go with `threads:delete` of their thread (removing history is a delete).
 */
export async function truncateAs(d: TruncateDeps, ctx: RequestContext, t: TruncateOptions): Promise<void> {
  const { storage } = d;
  if (t.runs || t.threads) {
    for (const id of [...storage.crons.values()].map((c) => c.cron_id)) await skipRefused(() => d.crons.delete(ctx, id));
  }
  if (t.runs && !t.threads) {
    for (const run of [...storage.runs.values()]) {
      await skipRefused(async () => {
        await d.threads.getFor(ctx, run.thread_id, "delete", { run_id: run.run_id });
        if (run.status === "pending" || run.status === "running") await d.executor.cancel(run.run_id);
        storage.runs.delete(run.run_id);
        d.streams.drop(run.run_id);
      });
    }
  }
  if (t.threads) {
    for (const id of [...storage.threads.values()].map((th) => th.thread_id)) await skipRefused(() => d.threads.delete(ctx, id));
  } else if (t.checkpoint) {
    for (const id of [...storage.threads.values()].map((th) => th.thread_id)) {
      await skipRefused(async () => {
        await d.threads.getFor(ctx, id, "delete");
        await d.checkpointer.deleteThread(id);
      });
    }
  }
  if (t.assistants) {
    for (const [id, a] of [...storage.assistants.entries()]) {
      if (a.metadata?.created_by === "system") continue;
      await skipRefused(() => d.assistants.delete(ctx, id));
    }
  }
  if (t.store) {
    for (const item of [...storage.store.values()]) await skipRefused(() => d.store.delete(ctx, item.namespace, item.key));
  }
}

/** Run one delete; a refusal (the handler said no, or the item is hidden or already gone) skips the item. */
async function skipRefused(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof LgDevError && err.status >= 400 && err.status < 500) return;
    throw err;
  }
}
