import { LgDevError } from "../errors.js";
import { RUN_STATUSES } from "../storage/types.js";
import type { RunExecutor } from "../runs/executor.js";
import type { RunStreams } from "../runs/streams.js";
import type { StorageBackend } from "../storage/backend.js";
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
  backend: StorageBackend;
  executor: RunExecutor;
  streams: RunStreams;
  threads: ThreadsService;
  assistants: AssistantsService;
  store: StoreService;
  crons: CronsService;
}

/** Empty whole collections (no custom auth: test suites reset the server with it); system assistants stay. */
export async function truncateAll(d: TruncateDeps, t: TruncateOptions): Promise<void> {
  const { backend } = d;
  if (t.runs || t.threads) {
    await d.crons.truncate();
    for (const r of await backend.runs.listByStatus(["pending", "running"])) await d.executor.cancel(r.run_id);
    await backend.runs.clear();
    d.executor.outcomes.forget();
  }
  if (t.threads) await backend.threads.clear();
  if (t.threads || t.checkpoint) await backend.checkpoints.clear();
  if (t.assistants) await d.assistants.truncate();
  if (t.store) await backend.store.clear();
}

/**
 * Under custom auth: delete, one by one, exactly what the caller could delete through the delete endpoints - the
 * same `.on` handlers (called per item, with the value those endpoints pass) and the same filters. What is hidden
 * from the caller or refused by a handler is left alone, so one user cannot wipe another's data.
 * Checkpoints go with `threads:delete` of their thread (removing history is a delete).
 */
export async function truncateAs(d: TruncateDeps, ctx: RequestContext, t: TruncateOptions): Promise<void> {
  const { backend } = d;
  const all = { limit: Number.MAX_SAFE_INTEGER, withTotal: false };
  if (t.runs || t.threads) {
    for (const c of (await backend.crons.search(all)).items) await skipRefused(() => d.crons.delete(ctx, c.cron_id));
  }
  if (t.runs && !t.threads) {
    for (const run of await backend.runs.listByStatus(RUN_STATUSES)) {
      await skipRefused(async () => {
        await d.threads.getFor(ctx, run.thread_id, "delete", { run_id: run.run_id });
        if (run.status === "pending" || run.status === "running") await d.executor.cancel(run.run_id);
        await backend.runs.delete(run.run_id);
        d.streams.drop(run.run_id);
      });
    }
  }
  if (t.threads) {
    for (const th of (await backend.threads.search(all)).items) await skipRefused(() => d.threads.delete(ctx, th.thread_id));
  } else if (t.checkpoint) {
    for (const { thread_id: id } of (await backend.threads.search(all)).items) {
      await skipRefused(async () => {
        await d.threads.getFor(ctx, id, "delete");
        await backend.checkpoints.deleteThread(id);
      });
    }
  }
  if (t.assistants) {
    for (const a of (await backend.assistants.search(all)).items) {
      if (a.metadata?.created_by === "system") continue;
      await skipRefused(() => d.assistants.delete(ctx, a.assistant_id));
    }
  }
  if (t.store) {
    for (const item of await backend.store.list()) await skipRefused(() => d.store.delete(ctx, item.namespace, item.key));
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
