import { AsyncBatchedStore } from "@langchain/langgraph-checkpoint";
import type { Logger } from "../logger.js";

/**
 * LangGraph's per-run store wrapper made to flush on demand instead of polling: a speed trick, switched off by
 * `LG_DEV_NO_STORE_FLUSH_ON_DEMAND=1` (docs/upstream/langgraph-async-batched-store.md is the report for LangGraph).
 *
 * LangGraph wraps a graph's store in an `AsyncBatchedStore` for every run, and that wrapper polls its queue with
 * `setTimeout(0)` for as long as the run lasts, whether or not a node ever touches the store. Measured on the echo
 * graph, that loop costs ~45% more CPU per run at 10 runs at once, and ~0.5 ms more latency per run alone (the run's
 * end waits for the next timer). The server gives every graph a store (as LangGraph Platform does), so every run
 * paid it.
 *
 * `useEventDrivenBatching` replaces the polling with a flush scheduled when an operation is queued (setImmediate:
 * everything queued in the same turn still goes to `store.batch` together, in order), and nothing at all when no
 * operation is. Operations queued after `stop()` are still carried out (the polling loop left them pending forever).
 * The class is patched in place, once, and only when its code has the shape this was written against; otherwise it is
 * left alone and works as before, only slower.
 */

const PATCHED = Symbol.for("lg-dev.eventDrivenBatching");
const FLUSH_SCHEDULED = Symbol("flushScheduled");

interface Queued {
  operation: unknown;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

interface BatchedStoreInternals {
  store: { batch(ops: unknown[]): Promise<unknown[]> };
  queue: Map<number, Queued>;
  [FLUSH_SCHEDULED]?: boolean;
}

type BatchedStoreClass = { prototype: object };

/** Whether the class looks like the AsyncBatchedStore this patch was written for (polling loop, queue, inner store). */
function hasExpectedShape(proto: Record<string, unknown>): boolean {
  const enqueue = proto.enqueueOperation;
  const poll = proto.processBatchQueue;
  if (typeof enqueue !== "function" || typeof poll !== "function" || typeof proto.start !== "function") return false;
  const pollSource = Function.prototype.toString.call(poll);
  const enqueueSource = Function.prototype.toString.call(enqueue);
  return pollSource.includes("setTimeout") && pollSource.includes("this.store.batch") && enqueueSource.includes("this.queue");
}

async function flush(self: BatchedStoreInternals): Promise<void> {
  self[FLUSH_SCHEDULED] = false;
  if (self.queue.size === 0) return;
  const entries = [...self.queue.values()];
  self.queue.clear();
  try {
    const results = await self.store.batch(entries.map((e) => e.operation));
    entries.forEach((e, i) => e.resolve(results[i]));
  } catch (err) {
    for (const e of entries) e.reject(err);
  }
}

/**
 * Make `cls` (LangGraph's AsyncBatchedStore by default) flush on demand instead of polling. Returns true when the
 * class is (now or already) event-driven, false when its shape was not recognised and it was left as it is.
 */
export function useEventDrivenBatching(cls: BatchedStoreClass = AsyncBatchedStore): boolean {
  const proto = cls.prototype as Record<string | symbol, unknown>;
  if (proto[PATCHED] === true) return true;
  if (!hasExpectedShape(proto)) return false;
  const enqueue = proto.enqueueOperation as (this: BatchedStoreInternals, op: unknown) => Promise<unknown>;
  proto.enqueueOperation = function (this: BatchedStoreInternals, operation: unknown) {
    const result = enqueue.call(this, operation);
    if (!this[FLUSH_SCHEDULED]) {
      this[FLUSH_SCHEDULED] = true;
      setImmediate(() => void flush(this));
    }
    return result;
  };
  // start() still marks the store running (LangGraph checks isRunning); there is just no loop left to run.
  proto.processBatchQueue = async function () {};
  proto[PATCHED] = true;
  return true;
}

/** Set to `1` to leave LangGraph's store wrapper polling as shipped (to compare, or to rule this trick out). */
export const NO_STORE_FLUSH_ON_DEMAND = "LG_DEV_NO_STORE_FLUSH_ON_DEMAND";

/** What {@link flushStoresOnDemand} needs. */
export interface FlushStoresOnDemandOptions {
  /** Import a package as the project does (its own @langchain/langgraph, when that is another copy than lg-dev's). */
  importProjectPackage(specifier: string): Promise<Record<string, unknown>>;
  logger: Pick<Logger, "debug">;
  env?: NodeJS.ProcessEnv;
  /** LangGraph's class in lg-dev's own copy (the default); tests hand another. */
  ownClass?: BatchedStoreClass;
}

/**
 * Make the store wrapper event-driven in lg-dev's copy of LangGraph and in the project's, when that is another copy,
 * unless the environment switches it off. Returns how many classes are event-driven now.
 */
export async function flushStoresOnDemand(options: FlushStoresOnDemandOptions): Promise<number> {
  if ((options.env ?? process.env)[NO_STORE_FLUSH_ON_DEMAND] === "1") return 0;
  const classes: BatchedStoreClass[] = [options.ownClass ?? AsyncBatchedStore];
  try {
    const projects = (await options.importProjectPackage("@langchain/langgraph")).AsyncBatchedStore;
    if (typeof projects === "function" && !classes.includes(projects)) classes.push(projects as BatchedStoreClass);
  } catch {
    // The project has no @langchain/langgraph of its own: its graphs use lg-dev's.
  }
  const patched = classes.map((cls) => useEventDrivenBatching(cls));
  if (patched.includes(false)) options.logger.debug("LangGraph's AsyncBatchedStore has an unexpected shape: left polling as it is");
  return patched.filter(Boolean).length;
}
