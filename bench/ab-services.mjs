#!/usr/bin/env node
// The services layer of one lg-dev build, in process, without HTTP: what the storage interface changed, measured
// without the network and the neighbours' request load. Prints one JSON line:
//   threads_us: CPU µs per threads.create; runs_us: CPU µs per threaded run (runs.create + wait, echo graph);
//   threads_per_s / runs_per_s: the same as throughput (16 concurrent).
//
//   node bench/ab-services.mjs [--dist <dist dir of a build>] [--threads N] [--runs N]
// Compare two builds by running it for each, alternately (bench/ab.mjs does the same over HTTP).
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { AIMessage } from "@langchain/core/messages";
import { MessagesAnnotation, StateGraph } from "@langchain/langgraph";

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : dflt;
};
const DIST = resolve(opt("--dist", new URL("../dist", import.meta.url).pathname));
const THREADS = Number(opt("--threads", 20000));
const RUNS = Number(opt("--runs", 2000));
const load = (p) => import(pathToFileURL(resolve(DIST, p)).href);

// This build's embedded backend, or (an older build) the storage that came before it.
const embedded = await load("storage/embedded/backend.js").catch(() => undefined);
const { Storage } = await load(embedded ? "storage/embedded/storage.js" : "storage/storage.js");
const { buildServices } = await load("services/index.js");
const { createDisabledAuthService } = await load("auth/index.js");

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const graphs = new Map();
const storage = new Storage();
const services = buildServices({
  ...(embedded ? { backend: new embedded.EmbeddedBackend(storage) } : { storage }),
  auth: { current: createDisabledAuthService() },
  graphs: { has: (id) => graphs.has(id), get: (id) => graphs.get(id) },
  logger: silent,
  concurrency: 16,
  allowBlocking: true,
});
const echo = new StateGraph(MessagesAnnotation)
  .addNode("respond", (s) => ({ messages: [new AIMessage({ content: `echo: ${s.messages.at(-1)?.content}` })] }))
  .addEdge("__start__", "respond")
  .compile({ checkpointer: services.checkpointer, store: services.graphStore });
graphs.set("echo", { graphId: "echo", file: "<bench>", exportName: "graph", kind: "compiled", resolve: async () => echo });
await services.assistants.ensureSystemAssistants(["echo"]);

/** Run `fn(i)` for i < n, 16 at a time; returns CPU µs per call and calls per second. */
async function measure(n, fn) {
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < n) await fn(next++);
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { us: (cpu.user + cpu.system) / n, perSecond: n / secs };
}

const ctx = {};
const input = { messages: [{ role: "user", content: "hi" }] };
const runOnce = async (threadId) => {
  const run = await services.runs.create(ctx, threadId, { assistant_id: "echo", input });
  const outcome = await services.runs.waitFor(run.run_id);
  if (outcome.status !== "success") throw new Error(`run ended ${outcome.status}`);
};
// Warm-up: JIT and first allocations.
await measure(2000, () => services.threads.create(ctx, {}));
const warm = await Promise.all(Array.from({ length: 200 }, () => services.threads.create(ctx, {})));
await measure(200, (i) => runOnce(warm[i].thread_id));

const t = await measure(THREADS, () => services.threads.create(ctx, {}));
const threadIds = (await Promise.all(Array.from({ length: RUNS }, () => services.threads.create(ctx, {})))).map((x) => x.thread_id);
const r = await measure(RUNS, (i) => runOnce(threadIds[i]));
await services.stop();
process.stdout.write(
  `${JSON.stringify({ dist: DIST, threads_us: Math.round(t.us), threads_per_s: Math.round(t.perSecond), runs_us: Math.round(r.us), runs_per_s: Math.round(r.perSecond) })}\n`,
);
