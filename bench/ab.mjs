#!/usr/bin/env node
// A/B of two lg-dev builds on the hot paths, interleaved (A B A B ...) so that a machine whose speed drifts moves both:
//   - POST /threads capacity (autocannon, 64 connections), requests/s
//   - POST /runs/wait capacity (stateless runs.wait on the echo graph, autocannon, 16 connections), runs/s
//   - runs.wait latency at concurrency 1 on fresh threads (SDK client), p50 ms
//   - the server's CPU time (its process tree, user + system) per POST /threads and per stateless runs.wait: on a
//     shared machine throughput moves with the neighbours' load, CPU per request much less
// Each round starts each server on a fresh copy of bench/fixture. The figure per build is the median over rounds;
// the ratio A/B is taken round by round and its median reported.
//
//   node bench/ab.mjs --b /tmp/other/bin/lg-dev.js [--a bin/lg-dev.js] [--rounds 5] [--seconds 3] [--waits 100]
import { join } from "node:path";
import { AUTH, cleanupAll, freePort, spawnGroup, treeCpuSeconds, waitReady } from "./lib/proc.mjs";
import { fixtureCopy, REPO_ROOT } from "./lib/servers.mjs";
import { median, round } from "./lib/stats.mjs";
import { cannon, createThreads, INPUT, lastText, sdk, seqLatency } from "./lib/workloads.mjs";

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : dflt;
};
const builds = { A: opt("--a", join(REPO_ROOT, "bin", "lg-dev.js")), B: opt("--b", undefined) };
if (!builds.B) {
  process.stderr.write("usage: node bench/ab.mjs --b <other lg-dev bin> [--a <bin>] [--rounds N] [--seconds S] [--waits N]\n");
  process.exit(2);
}
const rounds = Number(opt("--rounds", 5));
const seconds = Number(opt("--seconds", 3));
const waits = Number(opt("--waits", 100));
const log = (m) => process.stderr.write(`${m}\n`);

async function start(bin) {
  const project = fixtureCopy("lg-dev-ab-", join(REPO_ROOT, "node_modules"));
  const port = await freePort();
  const env = { ...process.env, BROWSER: "none", NO_COLOR: "1", LANGSMITH_TRACING: "false" };
  delete env.NODE_OPTIONS;
  const proc = spawnGroup(process.execPath, [bin, "--config", project.dir, "--port", String(port), "--host", "127.0.0.1", "--no-browser", "--no-reload"], {
    cwd: project.dir,
    env,
    logFile: join(project.dir, "lg-dev.log"),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url, { proc, timeoutMs: 90_000 });
  return { url, pid: proc.pid, stop: async () => (await proc.stop(5000), project.remove()) };
}

const json = { "content-type": "application/json", ...AUTH };

async function measure(bin) {
  const s = await start(bin);
  try {
    // Warm-up: JIT, connections, first allocations (not measured).
    await cannon({ url: `${s.url}/threads`, method: "POST", headers: json, body: "{}", duration: 1 });
    await cannon({ url: `${s.url}/runs/wait`, method: "POST", headers: json, body: JSON.stringify({ assistant_id: "echo", input: INPUT }), connections: 16, duration: 1 });
    const cpu0 = treeCpuSeconds(s.pid);
    const t = await cannon({ url: `${s.url}/threads`, method: "POST", headers: json, body: "{}", duration: seconds });
    const cpu1 = treeCpuSeconds(s.pid);
    const w = await cannon({ url: `${s.url}/runs/wait`, method: "POST", headers: json, body: JSON.stringify({ assistant_id: "echo", input: INPUT }), connections: 16, duration: seconds });
    const cpu2 = treeCpuSeconds(s.pid);
    const bad = t.non2xx + t.errors + w.non2xx + w.errors;
    if (bad > 0) throw new Error(`${bin}: ${bad} failed requests`);
    const c = sdk(s.url);
    const threads = await createThreads(c, waits);
    let wrong = 0;
    let i = 0;
    const lat = await seqLatency(waits, async () => {
      const v = await c.runs.wait(threads[i++], "echo", { input: INPUT });
      if (lastText(v) !== "echo: hi") wrong += 1;
    });
    if (wrong) throw new Error(`${bin}: ${wrong} wrong runs.wait answers`);
    return {
      threads_rps: t.requests.total / ((t.finish - t.start) / 1000),
      wait_rps: w.requests.total / ((w.finish - w.start) / 1000),
      wait_p50_ms: lat.p50,
      threads_cpu_us: ((cpu1 - cpu0) * 1e6) / t.requests.total,
      wait_cpu_us: ((cpu2 - cpu1) * 1e6) / w.requests.total,
    };
  } finally {
    await s.stop();
  }
}

const rows = { A: [], B: [] };
try {
  for (let r = 0; r < rounds; r++) {
    for (const k of r % 2 === 0 ? ["A", "B"] : ["B", "A"]) {
      const m = await measure(builds[k]);
      rows[k].push(m);
      log(
        `round ${r + 1} ${k}: POST /threads ${Math.round(m.threads_rps)}/s (${Math.round(m.threads_cpu_us)} µs CPU each), ` +
          `runs/wait ${Math.round(m.wait_rps)}/s (${Math.round(m.wait_cpu_us)} µs CPU each), runs.wait p50 ${round(m.wait_p50_ms, 2)} ms`,
      );
    }
  }
} finally {
  cleanupAll();
}

const keys = ["threads_rps", "wait_rps", "wait_p50_ms", "threads_cpu_us", "wait_cpu_us"];
const out = { A: builds.A, B: builds.B, rounds, seconds, waits, median: {}, ratio_A_over_B: {} };
for (const k of keys) {
  out.median[k] = { A: round(median(rows.A.map((x) => x[k])), 2), B: round(median(rows.B.map((x) => x[k])), 2) };
  out.ratio_A_over_B[k] = round(median(rows.A.map((x, i) => x[k] / rows.B[i][k])), 3);
}
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
