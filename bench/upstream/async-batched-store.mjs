// Minimal reproduction for docs/upstream/langgraph-async-batched-store.md: the cost of AsyncBatchedStore's polling
// loop on a graph whose nodes never touch the store. Self-contained (only @langchain/langgraph), so it can be pasted
// into an issue. Run: node bench/upstream/async-batched-store.mjs [--fixed]
//   --fixed  patches AsyncBatchedStore as proposed in the report (flush scheduled on enqueue, no polling loop).
import { Annotation, InMemoryStore, StateGraph } from "@langchain/langgraph";
import { AsyncBatchedStore } from "@langchain/langgraph-checkpoint";

if (process.argv.includes("--fixed")) {
  // The proposed fix, applied from outside: enqueueOperation schedules one flush per turn; no loop runs.
  const proto = AsyncBatchedStore.prototype;
  const enqueue = proto.enqueueOperation;
  proto.enqueueOperation = function (operation) {
    const result = enqueue.call(this, operation);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(async () => {
        this.flushScheduled = false;
        const entries = [...this.queue.values()];
        this.queue.clear();
        try {
          const results = await this.store.batch(entries.map((e) => e.operation));
          entries.forEach((e, i) => e.resolve(results[i]));
        } catch (err) {
          for (const e of entries) e.reject(err);
        }
      });
    }
    return result;
  };
  proto.processBatchQueue = async function () {};
}

const State = Annotation.Root({ n: Annotation() });
/** One node that returns at once, or that waits `waitMs` first (as a node calling a model or an API does). */
const build = (store, waitMs) =>
  new StateGraph(State)
    .addNode("step", async (s) => {
      if (waitMs > 0) await new Promise((r) => setTimeoutOriginal(r, waitMs));
      return { n: s.n + 1 };
    })
    .addEdge("__start__", "step")
    .compile(store ? { store } : {});

// Count the timers LangGraph's store wrapper sets (its loop is the only setTimeout(…, 0) caller here).
let timers = 0;
const setTimeoutOriginal = globalThis.setTimeout.bind(globalThis);
globalThis.setTimeout = (fn, ms, ...args) => {
  if (ms === 0) timers += 1;
  return setTimeoutOriginal(fn, ms, ...args);
};

/** Median of three runs of `fn`, field by field. */
async function median3(fn) {
  const results = [await fn(), await fn(), await fn()];
  return Object.fromEntries(Object.keys(results[0]).map((k) => [k, results.map((r) => r[k]).sort((x, y) => x - y)[1]]));
}

/** Runs of a node that returns at once, one after another: what a run costs, and how long it takes end to end. */
async function sequential(graph, runs = 2000) {
  timers = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < runs; i++) await graph.invoke({ n: 0 });
  const used = process.cpuUsage(cpu);
  return {
    "ms per run": +((performance.now() - start) / runs).toFixed(3),
    "CPU µs per run": Math.round((used.user + used.system) / runs),
    "0 ms timers per run": +(timers / runs).toFixed(1),
  };
}

/** `concurrency` runs whose node waits `waitMs` (a model call, say): the CPU the process burns meanwhile. */
async function waiting(graph, concurrency = 10, waitMs = 200) {
  timers = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, () => graph.invoke({ n: 0 })));
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    "CPU ms per second": +((used.user + used.system) / 1000 / seconds).toFixed(1),
    "0 ms timers per run": Math.round(timers / concurrency),
  };
}

const graphs = {
  "no store": [build(undefined, 0), build(undefined, 200)],
  InMemoryStore: [build(new InMemoryStore(), 0), build(new InMemoryStore(), 200)],
};
for (const [instant] of Object.values(graphs)) for (let i = 0; i < 300; i++) await instant.invoke({ n: 0 }); // warm-up

const rows = {};
for (const [name, [instant, slow]] of Object.entries(graphs)) {
  rows[`${name}: node returns at once, runs one after another`] = await median3(() => sequential(instant));
  rows[`${name}: 10 runs at once, node waits 200 ms`] = await median3(() => waiting(slow));
}
console.log(process.argv.includes("--fixed") ? "AsyncBatchedStore with the proposed fix" : "AsyncBatchedStore as shipped");
console.table(rows);
