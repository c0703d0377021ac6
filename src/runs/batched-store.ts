import { AsyncBatchedStore } from "@langchain/langgraph-checkpoint";

/**
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
