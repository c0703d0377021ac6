#!/usr/bin/env node
// `npm run bench:chaos`: several `lg-dev serve` processes on one PostgreSQL, driven through the SDK while processes
// are SIGKILLed and restarted, stopped with SIGTERM and restarted, and the database itself restarts. Then, with all
// processes back: every acknowledged thread, store item and run is there, every run ended (none left pending or
// running), no run executed twice and none succeeded without executing, and no thread is left busy. Writes
// bench/CHAOS.md. Run with tsx (it loads the throwaway-cluster helper of the tests).
//
//   npm run bench:chaos -- [--seconds 60] [--processes 3] [--workers 8] [--seed 1]
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Client } from "@langchain/langgraph-sdk";
import { startPgCluster } from "../test/helpers/pg-cluster.ts";
import { freePort, machineInfo, machineLine, sleep } from "./lib/proc.mjs";
import { BENCH_DIR, REPO_ROOT } from "./lib/servers.mjs";

const { values: opts } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    processes: { type: "string", default: "3" },
    workers: { type: "string", default: "8" },
    seed: { type: "string", default: "1" },
    "no-write": { type: "boolean", default: false },
  },
});
const SECONDS = Number(opts.seconds);
const PROCESSES = Number(opts.processes);
const WORKERS = Number(opts.workers);
let seed = Number(opts.seed) >>> 0 || 1;
if (!(SECONDS > 0) || !(PROCESSES >= 2) || !(WORKERS >= 1)) throw new Error("--seconds > 0, --processes >= 2 and --workers >= 1");
const log = (m) => process.stderr.write(`[${((performance.now() - T0) / 1000).toFixed(1).padStart(6)} s] ${m}\n`);
const T0 = performance.now();

/** A small PRNG (mulberry32), so a run can be repeated with its seed. */
function random() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];

// The graph records each execution (its tag and the executing pid) in a file and may sleep (abortably), so a kill
// lands mid-run now and then. A run executed twice shows as a repeated tag.
const GRAPH = `
import { appendFileSync } from "node:fs";
import { Annotation, StateGraph } from "@langchain/langgraph";
const State = Annotation.Root({ tag: Annotation<string>, ms: Annotation<number>, n: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }) });
export const graph = new StateGraph(State)
  .addNode("work", async (s, config) => {
    appendFileSync(process.env.RECORD_FILE!, s.tag + " " + process.pid + "\\n");
    if (s.ms) await new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, s.ms);
      config.signal?.addEventListener("abort", () => (clearTimeout(t), reject(new Error("aborted"))));
    });
    return { n: 1 };
  })
  .addEdge("__start__", "work")
  .compile();
`;

const project = mkdtempSync(join(tmpdir(), "lg-chaos-"));
mkdirSync(join(project, "src"));
writeFileSync(join(project, "langgraph.json"), JSON.stringify({ graphs: { record: "./src/record.ts:graph" } }));
writeFileSync(join(project, "src", "record.ts"), GRAPH);
symlinkSync(join(REPO_ROOT, "node_modules"), join(project, "node_modules"), "dir");
const recordFile = join(project, "executions.txt");

const cluster = await startPgCluster();
const dbUrl = await cluster.createDatabase("chaos");

/** One process slot: a fixed port, restarted on it after each kill. */
class Slot {
  constructor(index, port) {
    this.index = index;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.client = new Client({ apiUrl: this.url, callerOptions: { maxRetries: 0 }, timeoutMs: 30_000 });
    this.child = undefined;
    this.starts = 0;
  }
  get up() {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }
  async start() {
    this.starts++;
    const child = spawn(process.execPath, [process.env.LG_BENCH_LGDEV_BIN || join(REPO_ROOT, "bin", "lg-dev.js"), "serve", "--port", String(this.port), "--host", "127.0.0.1", "--shutdown-grace", "2"], {
      cwd: project,
      env: { ...process.env, POSTGRES_URI: dbUrl, RECORD_FILE: recordFile, LG_DEV_STATIC_SCHEMAS: "0", NO_COLOR: "1", PORT: undefined },
      stdio: ["ignore", process.env.LG_CHAOS_LOGS ? "pipe" : "ignore", "pipe"],
    });
    // LG_CHAOS_LOGS=<dir>: each process start's output in <dir>/p<slot>-<start>.log (to look into a failure).
    if (process.env.LG_CHAOS_LOGS) {
      mkdirSync(process.env.LG_CHAOS_LOGS, { recursive: true });
      const file = createWriteStream(join(process.env.LG_CHAOS_LOGS, `p${this.index}-${this.starts}.log`));
      child.stdout.pipe(file);
      child.stderr.pipe(file);
    }
    let err = "";
    child.stderr.on("data", (d) => (err = (err + d).slice(-4000)));
    this.child = child;
    this.exited = new Promise((r) => child.on("exit", (code, signal) => r(code ?? signal)));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (!this.up) throw new Error(`process ${this.index} exited while starting:\n${err}`);
      try {
        if ((await fetch(`${this.url}/ok`)).ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`process ${this.index} not ready in 60 s:\n${err}`);
      await sleep(50);
    }
  }
  async signal(sig) {
    if (!this.up) return;
    this.child.kill(sig);
    const force = setTimeout(() => this.child.kill("SIGKILL"), 20_000);
    await this.exited;
    clearTimeout(force);
  }
}

const slots = [];
for (let i = 0; i < PROCESSES; i++) slots.push(new Slot(i, await freePort()));
await Promise.all(slots.map((s) => s.start()));
log(`${PROCESSES} lg-dev serve processes on one PostgreSQL (ports ${slots.map((s) => s.port).join(", ")})`);

// What the servers acknowledged.
const acked = { threads: new Set(), items: new Map(), runs: new Map() };
const outcomes = { ok: 0, failed: 0, byStatus: new Map() };
let running = true;
let tagCount = 0;

async function worker(w) {
  while (running) {
    const slot = pick(slots);
    const r = random();
    try {
      if (r < 0.25 || acked.threads.size === 0) {
        const thread = await slot.client.threads.create({ metadata: { chaos: true, worker: w } });
        acked.threads.add(thread.thread_id);
      } else if (r < 0.45) {
        const key = `k${w}-${tagCount++}`;
        const value = { w, at: Date.now() };
        await slot.client.store.putItem(["chaos", `w${w}`], key, value);
        acked.items.set(key, { namespace: ["chaos", `w${w}`], value });
      } else {
        const threadId = pick([...acked.threads]);
        const tag = `t${tagCount++}`;
        const ms = random() < 0.3 ? Math.floor(random() * 1500) : 0;
        const run = await slot.client.runs.create(threadId, "record", { input: { tag, ms }, multitaskStrategy: "enqueue" });
        acked.runs.set(run.run_id, { threadId, tag });
      }
      outcomes.ok++;
    } catch (err) {
      outcomes.failed++;
      const status = err?.status ?? (String(err?.message ?? err).match(/fetch failed|ECONNREFUSED|socket/i) ? "connection" : "other");
      outcomes.byStatus.set(status, (outcomes.byStatus.get(status) ?? 0) + 1);
      await sleep(100); // as a client would, rather than hammering a process that is down
    }
  }
}

// The faults: cycled so that each kind happens, spaced 3-6 s apart, on random processes.
const FAULTS = ["sigkill", "sigterm", "db-restart", "sigkill", "sigkill", "sigterm", "db-restart", "sigkill"];
const faults = [];
async function chaos() {
  const end = performance.now() + SECONDS * 1000;
  let i = 0;
  await sleep(3000);
  while (performance.now() < end - 5000) {
    const kind = FAULTS[i++ % FAULTS.length];
    const started = performance.now();
    if (kind === "db-restart") {
      await cluster.stop();
      await sleep(1500 + random() * 1500);
      await cluster.start();
      faults.push({ kind, ms: Math.round(performance.now() - started) });
      log(`database restarted (down ${Math.round(performance.now() - started)} ms)`);
    } else {
      const slot = pick(slots.filter((s) => s.up));
      await slot.signal(kind === "sigkill" ? "SIGKILL" : "SIGTERM");
      await sleep(500 + random() * 1500);
      await slot.start();
      faults.push({ kind, process: slot.index, ms: Math.round(performance.now() - started) });
      log(`${kind.toUpperCase()} process ${slot.index}, restarted (${Math.round(performance.now() - started)} ms)`);
    }
    await sleep(3000 + random() * 3000);
  }
  while (performance.now() < end) await sleep(100);
}

const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
await chaos();
running = false;
await Promise.all(workers);
log(`load stopped: ${outcomes.ok} acknowledged, ${outcomes.failed} refused or failed (${[...outcomes.byStatus].map(([k, v]) => `${k}: ${v}`).join(", ")})`);

// Verify through the SDK, round-robin over the processes (all up again).
for (const s of slots) if (!s.up) await s.start();
const via = (i) => slots[i % slots.length].client;
async function inBatches(list, fn, size = 16) {
  for (let i = 0; i < list.length; i += size) await Promise.all(list.slice(i, i + size).map((x, j) => fn(x, i + j)));
}

// Every acknowledged run must end; the slowest path is a run whose process was killed (lease expiry, then a sweep).
const settleStarted = performance.now();
let unsettled = [...acked.runs.keys()];
const statuses = new Map();
// A queue that stops moving is reported as such instead of waiting out the 120 s (no run ended nor started for 30 s).
let lastMove = performance.now();
let lastShape = "";
let stalled = false;
while (unsettled.length > 0 && performance.now() - settleStarted < 120_000) {
  const still = [];
  await inBatches(unsettled, async (runId, i) => {
    const { threadId } = acked.runs.get(runId);
    try {
      const run = await via(i).runs.get(threadId, runId);
      statuses.set(runId, run.status);
      if (run.status === "pending" || run.status === "running") still.push(runId);
    } catch (err) {
      statuses.set(runId, err?.status === 404 ? "missing" : "unreadable");
      if (err?.status !== 404) still.push(runId);
    }
  });
  unsettled = still;
  const running = still.filter((id) => statuses.get(id) === "running").length;
  log(`settling: ${still.length} not ended (${running} running), ${Math.round((performance.now() - settleStarted) / 1000)} s after the load`);
  const shape = `${still.length}/${running}`;
  if (shape !== lastShape || running > 0) [lastShape, lastMove] = [shape, performance.now()];
  else if (performance.now() - lastMove > 30_000) {
    stalled = true;
    log(`settling: stalled, no run ended or started for 30 s`);
    if (process.env.LG_CHAOS_LOGS) {
      const pgc = new (await import("pg")).default.Client({ connectionString: dbUrl });
      await pgc.connect();
      const q = async (sql) => JSON.stringify((await pgc.query(sql)).rows);
      writeFileSync(
        join(process.env.LG_CHAOS_LOGS, "db.txt"),
        [
          await q("SELECT status, count(*) FROM lgdev_runs GROUP BY 1"),
          await q("SELECT t.status, count(*) FROM lgdev_threads t WHERE EXISTS (SELECT 1 FROM lgdev_runs r WHERE r.thread_id = t.thread_id AND r.status = 'pending') GROUP BY 1"),
          await q("SELECT run_id, thread_id, status, created_at, updated_at, not_before, claimed_by, lease_until, kwargs->'attempt' AS attempt FROM lgdev_runs WHERE status = 'pending' ORDER BY created_at LIMIT 20"),
        ].join("\n"),
      );
      await pgc.end();
    }
    break;
  }
  if (unsettled.length > 0) await sleep(500);
}
const settleMs = Math.round(performance.now() - settleStarted);
log(`runs settled in ${settleMs} ms (${unsettled.length} not ended)`);

const missingThreads = [];
await inBatches([...acked.threads], async (id, i) => {
  try {
    await via(i).threads.get(id);
  } catch (err) {
    missingThreads.push(`${id} (${err?.status ?? err})`);
  }
});
const missingItems = [];
await inBatches([...acked.items], async ([key, { namespace, value }], i) => {
  const item = await via(i).store.getItem(namespace, key).catch(() => null);
  if (!item || JSON.stringify(item.value) !== JSON.stringify(value)) missingItems.push(key);
});
const busy = [];
for (let offset = 0; ; offset += 100) {
  const page = await via(offset / 100).threads.search({ status: "busy", limit: 100, offset });
  busy.push(...page.map((t) => t.thread_id));
  if (page.length < 100) break;
}

const executions = new Map();
if (existsSync(recordFile)) {
  for (const line of readFileSync(recordFile, "utf8").split("\n").filter(Boolean)) {
    const [tag] = line.split(" ");
    executions.set(tag, (executions.get(tag) ?? 0) + 1);
  }
}
const byStatus = new Map();
for (const s of statuses.values()) byStatus.set(s, (byStatus.get(s) ?? 0) + 1);
const twice = [...acked.runs.values()].filter((r) => (executions.get(r.tag) ?? 0) > 1).map((r) => r.tag);
const successWithout = [...acked.runs].filter(([id, r]) => statuses.get(id) === "success" && !executions.get(r.tag)).map(([, r]) => r.tag);
const missingRuns = [...statuses].filter(([, s]) => s === "missing").map(([id]) => id);

for (const s of slots) await s.signal("SIGTERM");
await cluster.destroy();
rmSync(project, { recursive: true, force: true });

const checks = [
  ["acknowledged threads missing", missingThreads.length, acked.threads.size],
  ["acknowledged store items missing or changed", missingItems.length, acked.items.size],
  ["acknowledged runs missing", missingRuns.length, acked.runs.size],
  ["runs not ended (pending or running) 120 s after the load", unsettled.length, acked.runs.size],
  ["runs executed more than once", twice.length, acked.runs.size],
  ["runs that succeeded without executing", successWithout.length, acked.runs.size],
  ["threads left busy", busy.length, acked.threads.size],
];
const passed = checks.every(([, bad]) => bad === 0);
const kinds = (k) => faults.filter((f) => f.kind === k).length;
const md = `# Chaos: ${PROCESSES} lg-dev processes on one PostgreSQL

\`npm run bench:chaos -- --seconds ${SECONDS} --processes ${PROCESSES} --workers ${WORKERS} --seed ${opts.seed}\` on ${new Date().toISOString().slice(0, 10)}; ${machineLine(machineInfo())}.
PostgreSQL 15 (Debian's binaries) on a throwaway cluster on the same machine, fsync off. ${WORKERS} SDK clients, each
sending to a random process: create a thread (25%), put a store item (20%), create a background run on an acknowledged
thread (55%, \`multitask_strategy: enqueue\`; 30% of runs sleep up to 1.5 s so that kills land mid-run). Meanwhile,
every 3-6 s: SIGKILL a process and restart it, SIGTERM one (grace 2 s) and restart it, or stop PostgreSQL for 1.5-3 s
and start it again. Then, with every process up, each acknowledged write is read back through the SDK.

Faults: ${kinds("sigkill")} SIGKILL, ${kinds("sigterm")} SIGTERM, ${kinds("db-restart")} database restarts. Requests: ${outcomes.ok} acknowledged,
${outcomes.failed} refused or failed while a process or the database was down (${[...outcomes.byStatus].map(([k, v]) => `${k}: ${v}`).join(", ") || "none"}).
Acknowledged: ${acked.threads.size} threads, ${acked.items.size} store items, ${acked.runs.size} runs (${[...byStatus].map(([k, v]) => `${k} ${v}`).join(", ")}); ${unsettled.length === 0 ? `all runs ended ${settleMs} ms after the load stopped` : stalled ? `${unsettled.length} runs still pending or running when the queue stopped moving (nothing started or ended for 30 s)` : `${unsettled.length} runs still pending or running ${Math.round(settleMs / 1000)} s after the load stopped`}.

| check | found | of |
|---|---:|---:|
${checks.map(([what, bad, of]) => `| ${what} | ${bad} | ${of} |`).join("\n")}

Result: **${passed ? "PASS" : "FAIL"}**.
`;
if (!opts["no-write"]) writeFileSync(join(BENCH_DIR, "CHAOS.md"), md);
process.stdout.write(`${md}\n`);
if (!passed) {
  process.stdout.write(`details: ${JSON.stringify({ missingThreads: missingThreads.slice(0, 10), missingItems: missingItems.slice(0, 10), missingRuns: missingRuns.slice(0, 10), unsettled: unsettled.slice(0, 10), twice: twice.slice(0, 10), successWithout: successWithout.slice(0, 10), busy: busy.slice(0, 10) })}\n`);
  process.exitCode = 1;
}
