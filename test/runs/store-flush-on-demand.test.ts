/** LangGraph's per-run store wrapper made event-driven: same batching and results, no polling timer. */
import { AsyncBatchedStore, BaseStore, InMemoryStore, type Operation, type OperationResults } from "@langchain/langgraph-checkpoint";
import { Annotation, StateGraph, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { afterEach, describe, expect, it, vi } from "vitest";
import { flushStoresOnDemand, useEventDrivenBatching } from "../../src/runs/store-flush-on-demand.js";

/** An in-memory store that records every batch it is given. */
class RecordingStore extends BaseStore {
  readonly batches: Operation[][] = [];
  readonly inner = new InMemoryStore();
  failWith: Error | undefined;
  async batch<Op extends Operation[]>(ops: Op): Promise<OperationResults<Op>> {
    this.batches.push([...ops]);
    if (this.failWith) throw this.failWith;
    return this.inner.batch(ops);
  }
}

/** setTimeout calls made from LangGraph's batch.js (its polling loop) while `fn` runs. */
async function pollingTimersDuring(fn: () => Promise<unknown>): Promise<number> {
  let fromBatch = 0;
  const original = globalThis.setTimeout;
  const spy = vi.spyOn(globalThis, "setTimeout").mockImplementation(((cb: () => void, ms?: number, ...args: unknown[]) => {
    if (new Error().stack?.includes("store/batch")) fromBatch += 1;
    return original(cb, ms, ...args);
  }) as typeof setTimeout);
  try {
    await fn();
  } finally {
    spy.mockRestore();
  }
  return fromBatch;
}

const stores: AsyncBatchedStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.stop();
});
const started = (inner: BaseStore) => {
  const s = new AsyncBatchedStore(inner);
  s.start();
  stores.push(s);
  return s;
};

describe("LangGraph's AsyncBatchedStore as shipped", () => {
  it("polls with setTimeout while it runs, even with nothing to do (what the patch removes)", async () => {
    const s = started(new RecordingStore());
    const timers = await pollingTimersDuring(() => new Promise((r) => setTimeout(r, 30)));
    await s.stop();
    expect(timers).toBeGreaterThan(3);
  });
});

describe("useEventDrivenBatching", () => {
  it("recognises the installed LangGraph's class, patches it once, and leaves an unknown shape alone", async () => {
    expect(useEventDrivenBatching()).toBe(true);
    expect(useEventDrivenBatching(AsyncBatchedStore)).toBe(true);
    class Other {
      enqueueOperation() {}
      processBatchQueue() {}
      start() {}
    }
    const before = Other.prototype.processBatchQueue;
    expect(useEventDrivenBatching(Other)).toBe(false);
    expect(Other.prototype.processBatchQueue).toBe(before);
  });

  it("keeps no timer running while idle", async () => {
    useEventDrivenBatching();
    const s = started(new RecordingStore());
    const timers = await pollingTimersDuring(() => new Promise((r) => setTimeout(r, 30)));
    expect(timers).toBe(0);
    expect(s.isRunning).toBe(true);
  });

  it("sends the operations queued in one turn to the store as one batch, in order, each with its own result", async () => {
    useEventDrivenBatching();
    const inner = new RecordingStore();
    const s = started(inner);
    await s.put(["ns"], "a", { n: 1 });
    const [a, missing, , b] = await Promise.all([s.get(["ns"], "a"), s.get(["ns"], "zzz"), s.put(["ns"], "b", { n: 2 }), s.get(["ns"], "a")]);
    expect(inner.batches.map((ops) => ops.length)).toEqual([1, 4]);
    expect(a?.value).toEqual({ n: 1 });
    expect(missing).toBeNull();
    expect(b?.value).toEqual({ n: 1 });
    expect((await s.get(["ns"], "b"))?.value).toEqual({ n: 2 });
    expect((await s.search(["ns"])).map((i) => i.key).sort()).toEqual(["a", "b"]);
  });

  it("rejects every operation of a batch the store failed, and carries on with the next", async () => {
    useEventDrivenBatching();
    const inner = new RecordingStore();
    const s = started(inner);
    inner.failWith = new Error("disk on fire");
    const results = await Promise.allSettled([s.put(["ns"], "a", { n: 1 }), s.get(["ns"], "a")]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect((results[0] as PromiseRejectedResult).reason.message).toBe("disk on fire");
    inner.failWith = undefined;
    await s.put(["ns"], "a", { n: 2 });
    expect((await s.get(["ns"], "a"))?.value).toEqual({ n: 2 });
  });

  it("still carries out an operation queued after stop()", async () => {
    useEventDrivenBatching();
    const s = started(new RecordingStore());
    await s.stop();
    await s.put(["ns"], "late", { ok: true });
    expect((await s.get(["ns"], "late"))?.value).toEqual({ ok: true });
  });

  it("serves a graph's nodes their store, and a run ends without the polling loop", async () => {
    useEventDrivenBatching();
    const State = Annotation.Root({ seen: Annotation<number> });
    const graph = new StateGraph(State)
      .addNode("count", async (_s, config: LangGraphRunnableConfig) => {
        const prev = await config.store!.get(["visits"], "n");
        const n = ((prev?.value.n as number | undefined) ?? 0) + 1;
        await config.store!.put(["visits"], "n", { n });
        return { seen: n };
      })
      .addEdge("__start__", "count")
      .compile({ store: new InMemoryStore() });
    let last: unknown;
    const timers = await pollingTimersDuring(async () => {
      for (let i = 0; i < 3; i++) last = await graph.invoke({ seen: 0 });
    });
    expect(last).toEqual({ seen: 3 });
    expect(timers).toBe(0);
  });
});

/** A store wrapper shaped like LangGraph's (a polling loop over a queue), for patching without touching the real one. */
function pollingStoreClass() {
  return class Polling {
    queue = new Map<number, unknown>();
    store = { batch: async (ops: unknown[]) => ops };
    enqueueOperation(operation: unknown) {
      this.queue.set(this.queue.size, operation);
    }
    async processBatchQueue() {
      await new Promise((r) => setTimeout(r, 0));
      await this.store.batch([...this.queue.values()]);
    }
    start() {}
  };
}

describe("flushStoresOnDemand (start-up) and LG_DEV_NO_STORE_FLUSH_ON_DEMAND=1", () => {
  const logger = { debug: () => undefined };

  it("patches lg-dev's copy of LangGraph and the project's own, when that is another", async () => {
    const own = pollingStoreClass();
    const projects = pollingStoreClass();
    const shipped = own.prototype.processBatchQueue;
    const count = await flushStoresOnDemand({ ownClass: own, logger, env: {}, importProjectPackage: async () => ({ AsyncBatchedStore: projects }) });
    expect(count).toBe(2);
    expect(own.prototype.processBatchQueue).not.toBe(shipped);
    // A project without a LangGraph of its own: lg-dev's copy alone.
    const alone = pollingStoreClass();
    expect(await flushStoresOnDemand({ ownClass: alone, logger, env: {}, importProjectPackage: () => Promise.reject(new Error("none")) })).toBe(1);
  });

  it("switched off, leaves every copy polling as shipped", async () => {
    const own = pollingStoreClass();
    const shipped = own.prototype.processBatchQueue;
    const env = { LG_DEV_NO_STORE_FLUSH_ON_DEMAND: "1" };
    const count = await flushStoresOnDemand({ ownClass: own, logger, env, importProjectPackage: async () => ({ AsyncBatchedStore: pollingStoreClass() }) });
    expect(count).toBe(0);
    expect(own.prototype.processBatchQueue).toBe(shipped);
  });
});
