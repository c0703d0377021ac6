#!/usr/bin/env node
// `npm run bench:floor`: how much of lg-dev's `runs.wait` latency at concurrency 16 is lg-dev's own. The same SDK
// workload runs against lg-dev (bench/fixture) and against the floor: a bare Fastify route running the same echo
// graph on LangGraph's MemorySaver, with no auth, records, persistence or streams (lib/floor-server.mjs), on the
// HTTP thread and, to size what a worker thread could buy, on one worker thread. See bench/README.md.
//
//   node bench/floor.mjs [--rounds N]
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanupAll, freePort, machineInfo, machineLine, machineLoad, spawnGroup, treeCpuSeconds, waitQuiet, waitReady } from "./lib/proc.mjs";
import { BENCH_DIR, fixtureCopy, lgDev } from "./lib/servers.mjs";
import { median, round, summary } from "./lib/stats.mjs";
import { createThreads, INPUT, lastText, pool, sdk, steadyState } from "./lib/workloads.mjs";

const argv = process.argv.slice(2);
const roundsIdx = argv.indexOf("--rounds");
const rounds = roundsIdx >= 0 ? Number(argv[roundsIdx + 1]) : 3;
const log = (msg) => process.stderr.write(`${msg}\n`);

function floor(mode) {
  const script = join(BENCH_DIR, "lib", "floor-server.mjs");
  return {
    name: `floor (${mode === "worker" ? "graph on a worker thread" : "graph on the HTTP thread"})`,
    nodeModules: join(BENCH_DIR, "..", "node_modules"),
    async start({ projectDir }) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const proc = spawnGroup(process.execPath, [script, String(port), mode], { cwd: projectDir, env: { ...process.env, LANGSMITH_TRACING: "false" }, logFile: join(projectDir, "floor.log") });
      await waitReady(url, { proc });
      return { url, pid: proc.pid, stop: (graceMs) => proc.stop(graceMs) };
    },
  };
}

/** A fresh instance: 1,000 runs to steady state, then 640 measured runs at concurrency 16 (p50, p99, CPU per run). */
async function measure(kind) {
  const proj = fixtureCopy("lg-bench-floor-", kind.nodeModules);
  const srv = await kind.start({ projectDir: proj.dir });
  try {
    await steadyState(srv.url);
    const c = sdk(srv.url);
    const threads = await createThreads(c, 640);
    await waitQuiet();
    let wrong = 0;
    const cpu0 = treeCpuSeconds(srv.pid);
    const r = await pool({
      concurrency: 16,
      count: threads.length,
      maxMs: 60_000,
      fn: async (i) => {
        if (lastText(await c.runs.wait(threads[i], "echo", { input: INPUT })) !== "echo: hi") wrong += 1;
      },
    });
    const cpuMs = ((treeCpuSeconds(srv.pid) - cpu0) * 1000) / threads.length;
    if (r.errors || wrong) throw new Error(`${kind.name}: ${r.errors} failed runs, ${wrong} wrong answers (${r.firstError ?? ""})`);
    return { ...summary(r.samples), server_cpu_ms_per_run: round(cpuMs, 3) };
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
