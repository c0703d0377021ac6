// Durability benchmark: start-up time with a large history, and write throughput persist vs memory-only.
//   npm run build && node bench/durability.mjs [--threads 10000] [--checkpoints 100000] [--puts 50000]
// Each start-up is timed in a fresh child process (a cold heap, like a real restart).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { openStorage } from "../dist/storage/embedded/durable.js";
import { checkpointKey } from "../dist/storage/embedded/storage.js";

const { values: args } = parseArgs({
  options: {
    threads: { type: "string", default: "10000" },
    checkpoints: { type: "string", default: "100000" },
    puts: { type: "string", default: "50000" },
    mode: { type: "string" }, // internal: build | open
    dir: { type: "string" },
    crash: { type: "boolean", default: false },
    journalOnly: { type: "boolean", default: false },
  },
});
const THREADS = Number(args.threads);
const CHECKPOINTS = Number(args.checkpoints);
const quiet = { error: console.error, warn: console.error, info() {}, debug() {}, level: "warn" };
const self = fileURLToPath(import.meta.url);
const mib = (b) => (b / 1048576).toFixed(1);

const iso = () => new Date().toISOString();
const id = (p, i) => `${p}${String(i).padStart(8, "0")}-0000-4000-8000-000000000000`;
const message = (i, role) => ({ lc: 1, type: "constructor", id: ["langchain_core", "messages", role], kwargs: { content: `message ${i} `.repeat(8), id: id("m", i), additional_kwargs: {}, response_metadata: {} } });

/** Fill storage the way a few weeks of use would: threads, their runs, checkpoints and pending writes. */
function fill(storage) {
  const perThread = Math.max(1, Math.round(CHECKPOINTS / THREADS));
  let cp = 0;
  for (let t = 0; t < THREADS; t++) {
    const thread_id = id("t", t);
    const messages = [message(t, "HumanMessage"), message(t + 1, "AIMessage")];
    storage.threads.set(thread_id, { thread_id, created_at: iso(), updated_at: iso(), metadata: { graph_id: "agent", user: "u1" }, status: "idle", config: {}, values: { messages }, interrupts: {} });
    for (let r = 0; r < 2; r++) {
      const run_id = id(`r${r}`, t);
      storage.runs.set(run_id, { run_id, thread_id, assistant_id: id("a", 0), created_at: iso(), updated_at: iso(), status: "success", metadata: {}, kwargs: { input: { messages: [message(t, "HumanMessage")] }, config: { configurable: {} }, stream_mode: ["values"], stream_subgraphs: false, stream_resumable: false, temporary: false }, multitask_strategy: "reject" });
    }
    for (let c = 0; c < perThread && cp < CHECKPOINTS; c++, cp++) {
      const checkpoint_id = `1ef${String(c).padStart(5, "0")}-0000-6000-8000-${String(t).padStart(12, "0")}`;
      const checkpoint = JSON.stringify({ v: 4, id: checkpoint_id, ts: iso(), channel_values: { messages: messages.slice(0, 1 + (c % 2)) }, channel_versions: { __start__: c, messages: c + 1 }, versions_seen: { agent: { messages: c } } });
      const metadata = JSON.stringify({ source: "loop", step: c, parents: {} });
      storage.checkpoints.set(checkpointKey(thread_id, "", checkpoint_id), { thread_id, checkpoint_ns: "", checkpoint_id, parent_checkpoint_id: c ? `prev${c}` : undefined, checkpoint: ["json", checkpoint], metadata: ["json", metadata], enc: "utf8" });
    }
  }
}

function dirBytes(dir) {
  return readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

function child(mode, dir, extra = []) {
  const r = spawnSync(process.execPath, ["--max-old-space-size=4096", self, "--mode", mode, "--dir", dir, "--threads", String(THREADS), "--checkpoints", String(CHECKPOINTS), ...extra], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${mode} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

if (args.mode === "build") {
  // journalOnly: never compact (everything stays in the journal); crash: exit without close (no final snapshot).
  const opened = await openStorage({ dir: args.dir, persist: true, logger: quiet, compactAfterBytes: args.journalOnly ? Infinity : undefined });
  const t = performance.now();
  fill(opened.storage);
  const fillMs = performance.now() - t;
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const c = performance.now();
  if (!args.crash) await opened.close();
  delay.disable();
  console.log(JSON.stringify({ fillMs, closeMs: performance.now() - c, maxStallMs: delay.max / 1e6 }));
  process.exit(0);
} else if (args.mode === "open") {
  const t = performance.now();
  const opened = await openStorage({ dir: args.dir, persist: true, logger: quiet });
  const ms = performance.now() - t;
  const heapMiB = process.memoryUsage().heapUsed / 1048576;
  console.log(JSON.stringify({ ms, stats: opened.stats, heapMiB }));
  process.exit(0); // no close: leave the files exactly as they are for the next measurement
} else {
  console.log(`# start-up with ${THREADS} threads, ${2 * THREADS} runs, ${CHECKPOINTS} checkpoints (node ${process.version})`);
  for (const [label, extra] of [
    ["after a clean stop (snapshot only)", []],
    ["after SIGKILL, nothing compacted (journal only)", ["--crash", "--journalOnly"]],
  ]) {
    const dir = mkdtempSync(join(tmpdir(), "lg-dev-bench-"));
    try {
      const built = child("build", dir, extra);
      const opens = [0, 1, 2].map(() => child("open", dir));
      const best = Math.min(...opens.map((o) => o.ms));
      console.log(`${label}: data ${mib(dirBytes(dir))} MiB; open ${best.toFixed(0)} ms (runs: ${opens.map((o) => o.ms.toFixed(0)).join(", ")}); heap ${opens[0].heapMiB.toFixed(0)} MiB; records ${JSON.stringify(opens[0].stats.counts)}`);
      if (!args.crash && extra.length === 0) console.log(`  snapshot at close: ${built.closeMs.toFixed(0)} ms, longest event-loop stall meanwhile ${built.maxStallMs.toFixed(0)} ms`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const N = Number(args.puts);
  const value = (i) => ({ thread_id: id("t", i), created_at: iso(), updated_at: iso(), metadata: { i }, status: "idle", config: {}, values: { text: "x".repeat(900) }, interrupts: {} });
  console.log(`\n# write throughput: ${N} puts of ~1 KB`);
  const results = {};
  for (const [label, o] of [
    ["memory-only", { persist: false }],
    ["persist", { persist: true }],
    ["persist + fsync (group commit)", { persist: true, fsync: true }],
    ["persist, 3 puts per batch", { persist: true, batch: 3 }],
  ]) {
    const dir = mkdtempSync(join(tmpdir(), "lg-dev-bench-"));
    try {
      const opened = await openStorage({ dir, persist: o.persist, fsync: o.fsync, logger: quiet, gitignore: false });
      const { storage } = opened;
      const t = performance.now();
      if (o.batch) {
        for (let i = 0; i < N; i += o.batch) storage.batch(() => { for (let j = i; j < i + o.batch && j < N; j++) storage.threads.set(`k${j}`, value(j)); });
      } else {
        for (let i = 0; i < N; i++) storage.threads.set(`k${i}`, value(i));
      }
      const ms = performance.now() - t;
      await opened.flush();
      await opened.close();
      results[label] = N / (ms / 1000);
      console.log(`${label.padEnd(32)} ${Math.round(results[label]).toLocaleString("en-US").padStart(10)} puts/s  (${((ms * 1000) / N).toFixed(2)} µs/put)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(`persist / memory-only throughput ratio: ${(results["persist"] / results["memory-only"]).toFixed(2)} (fsync: ${(results["persist + fsync (group commit)"] / results["memory-only"]).toFixed(2)})`);

  // The same through HTTP: each request creates a ~1 KB thread and updates a run (two mutations), as the API would.
  const { default: Fastify } = await import("fastify");
  const { default: autocannon } = await import("autocannon");
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  console.log(`\n# HTTP: POST creating a ~1 KB thread + a run update per request, ${seconds} s, 10 connections`);
  const http = {};
  for (const [label, o] of [["memory-only", { persist: false }], ["persist", { persist: true }], ["persist + fsync", { persist: true, fsync: true }]]) {
    const dir = mkdtempSync(join(tmpdir(), "lg-dev-bench-"));
    const opened = await openStorage({ dir, persist: o.persist, fsync: o.fsync, logger: quiet, gitignore: false });
    const app = Fastify();
    let n = 0;
    app.post("/threads", async (req) => {
      const i = n++;
      opened.storage.threads.set(`t${i}`, { ...value(i), metadata: req.body });
      opened.storage.runs.set(`r${i % 100}`, { run_id: `r${i % 100}`, thread_id: `t${i}`, status: "success" });
      return opened.storage.threads.get(`t${i}`);
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const r = await autocannon({ url: `http://127.0.0.1:${app.server.address().port}/threads`, method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ user: "u1", tag: "bench" }), connections: 10, duration: seconds });
    await app.close();
    await opened.close();
    rmSync(dir, { recursive: true, force: true });
    http[label] = r.requests.average;
    console.log(`${label.padEnd(32)} ${Math.round(r.requests.average).toLocaleString("en-US").padStart(10)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  errors ${r.errors + r.non2xx}`);
  }
  console.log(`HTTP persist / memory-only ratio: ${(http["persist"] / http["memory-only"]).toFixed(2)} (fsync: ${(http["persist + fsync"] / http["memory-only"]).toFixed(2)})`);
}
