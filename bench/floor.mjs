#!/usr/bin/env node
// `npm run bench:floor`: how much of lg-dev's `runs.wait` latency at concurrency 16 is lg-dev's own. The same SDK
// workload runs against lg-dev (bench/fixture) and against the floor: a bare Fastify route running the same echo
// graph on LangGraph's MemorySaver, with no auth, records, persistence or streams (lib/floor-server.mjs), on the
// HTTP thread and, to size what a worker thread could buy, on one worker thread. See bench/README.md.
//
//   node bench/floor.mjs [--rounds N]
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanupAll, machineInfo, machineLine, machineLoad } from "./lib/proc.mjs";
import { BENCH_DIR, fixtureCopy, floor, lgDev } from "./lib/servers.mjs";
import { median, round } from "./lib/stats.mjs";
import { steadyState, waitLatency } from "./lib/workloads.mjs";

const argv = process.argv.slice(2);
const roundsIdx = argv.indexOf("--rounds");
const rounds = roundsIdx >= 0 ? Number(argv[roundsIdx + 1]) : 3;
const log = (msg) => process.stderr.write(`${msg}\n`);

/** A fresh instance: 1,000 runs to steady state, then 640 measured runs at concurrency 16 (p50, p99, CPU per run). */
async function measure(kind) {
  const proj = fixtureCopy("lg-bench-floor-", kind.nodeModules);
  const srv = await kind.start({ projectDir: proj.dir });
  try {
    await steadyState(srv.url);
    const r = await waitLatency(srv.url, 16, 640, { pid: srv.pid });
    if (r.errors) throw new Error(`${kind.name}: ${r.errors} failed or wrong runs (${r.firstError})`);
    return r;
  } finally {
    await srv.stop();
    proj.remove();
  }
}

const kinds = [lgDev(), floor("inproc"), floor("worker")];
const samples = new Map(kinds.map((k) => [k.name, []]));
const machine = machineInfo();
({ busy_pct: machine.busy_before_pct, loadavg: machine.loadavg_before } = await machineLoad());
log(`runs.wait at concurrency 16: lg-dev vs the floor, ${rounds} rounds (servers in turns, rotated order)`);
try {
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < kinds.length; j++) {
      const kind = kinds[(j + r) % kinds.length];
      const m = await measure(kind);
      samples.get(kind.name).push(m);
      log(`  round ${r + 1}: ${kind.name}: p50 ${m.p50} ms, p99 ${m.p99} ms, server CPU ${m.server_cpu_ms_per_run} ms/run`);
    }
  }
} finally {
  cleanupAll();
}

({ busy_pct: machine.busy_after_pct, loadavg: machine.loadavg_after } = await machineLoad());
const rows = kinds.map((k) => {
  const ms = samples.get(k.name);
  return { server: k.name, p50: round(median(ms.map((m) => m.p50)), 2), p99: round(median(ms.map((m) => m.p99)), 2), cpu: round(median(ms.map((m) => m.server_cpu_ms_per_run)), 3), rounds: ms };
});
const base = rows[1];
const lines = [
  `| server | p50 (ms) | p99 (ms) | server CPU per run (ms) | p50 / floor |`,
  `| --- | --- | --- | --- | --- |`,
  ...rows.map((r) => `| ${r.server} | ${r.p50} | ${r.p99} | ${r.cpu} | ${round(r.p50 / base.p50, 2)}× |`),
];
process.stdout.write(`\n${machineLine(machine)}\nruns.wait, SDK client, concurrency 16, 640 runs per round; medians of ${rounds} rounds\n\n${lines.join("\n")}\n`);
mkdirSync(join(BENCH_DIR, "results"), { recursive: true });
writeFileSync(join(BENCH_DIR, "results", "floor.json"), `${JSON.stringify({ date: new Date().toISOString(), machine, rounds, rows }, null, 2)}\n`);
