// Phases of the benchmark that start their own server instances: start-up, the main workload set, reload,
// restart with stored history, and scaling. Every server is stopped in a `finally`.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { sleep, treeRss, waitQuiet } from "./proc.mjs";
import { fixtureCopy } from "./servers.mjs";
import { median, round } from "./stats.mjs";
import {
  bulkRuns,
  bulkThreads,
  capacity,
  capacityRun,
  capacityWarmUp,
  combineCapacity,
  createLatency,
  fanOut,
  idleMemory,
  INPUT,
  reloadTime,
  sdk,
  seqLatency,
  steadyState,
  streamLatency,
  waitLatency,
  warmUp,
} from "./workloads.mjs";

/**
 * Start-up of several servers in turns: `rounds` rounds, each starting every server once (rotated order), on its
 * own project copy; median per server. Start-up is mostly CPU, and this machine's speed drifts over minutes.
 */
export async function interleavedStartup(kinds, { rounds = 3 } = {}) {
  const projects = kinds.map((kind) => fixtureCopy(`lg-bench-startup-${kind.name}-`, kind.nodeModules));
  const samples = kinds.map(() => []);
  try {
    for (let round = 0; round < rounds; round++) {
      for (let j = 0; j < kinds.length; j++) {
        const i = (j + round) % kinds.length;
        samples[i].push((await startup(kinds[i], projects[i].dir, 1)).samples[0]);
      }
    }
  } finally {
    for (const p of projects) p.remove();
  }
  return Object.fromEntries(kinds.map((kind, i) => [kind.name, { ms: round(median(samples[i]), 0), samples: samples[i].map((t) => round(t, 0)) }]));
}

/** Spawn -> first 200 on /ok (with the token), `reps` times on the same project; median. */
export async function startup(kind, projectDir, reps = 3) {
  const times = [];
  for (let i = 0; i < reps; i++) {
    await waitQuiet({ maxWaitMs: 15_000 });
    const srv = await kind.start({ projectDir });
    times.push(srv.startupMs);
    await srv.stop();
  }
  return { ms: round(median(times), 0), samples: times.map((t) => round(t, 0)) };
}

/** The workload set on one long-lived instance: memory, latency, fan-out, capacity. */
export async function mainWorkloads(kind, projectDir, { capacitySeconds, capacityRounds, log }) {
  const out = {};
  const srv = await kind.start({ projectDir });
  try {
    log(`  warm-up`);
    await warmUp(srv.url);
    out.idle_memory = await idleMemory(srv.pid);
    log(`  idle memory ${out.idle_memory.mb} MB (${out.idle_memory.processes} processes)`);
    await steadyState(srv.url);
    out.memory_after_1000_runs = await idleMemory(srv.pid);
    log(`  steady state: 1,000 runs at concurrency 16; memory then ${out.memory_after_1000_runs.mb} MB`);
    out.create_c1 = await createLatency(srv.url, 1, 400);
    out.create_c16 = await createLatency(srv.url, 16, 3200);
    log(`  threads.create p50 c1 ${out.create_c1.p50} ms, c16 ${out.create_c16.p50} ms`);
    out.wait_c1 = await waitLatency(srv.url, 1, 200);
    out.wait_c16 = await waitLatency(srv.url, 16, 640);
    log(`  runs.wait p50 c1 ${out.wait_c1.p50} ms, c16 ${out.wait_c16.p50} ms`);
    out.stream = await streamLatency(srv.url, 60);
    log(`  runs.stream ttfe p50 ${out.stream.ttfe.p50} ms, end ${out.stream.end.p50} ms`);
    out.fanout = await fanOut(srv.url);
    log(`  fan-out: ${out.fanout.complete}/${out.fanout.joiners} joiners got all ${out.fanout.expected_events} events`);
    if (capacityRounds > 0) {
      out.capacity_auth = await capacity(srv.url, { auth: true, seconds: capacitySeconds, rounds: capacityRounds, pid: srv.pid });
      log(`  POST /threads (token): ${out.capacity_auth.rps} req/s (runs: ${out.capacity_auth.rounds_rps.join(", ")})`);
      out.capacity_401 = await capacity(srv.url, { auth: false, seconds: capacitySeconds, rounds: capacityRounds, pid: srv.pid });
      log(`  POST /threads (no token, 401): ${out.capacity_401.rps} req/s (runs: ${out.capacity_401.rounds_rps.join(", ")})`);
    }
    out.memory_after_load_mb = round(treeRss(srv.pid).bytes / 1024 / 1024, 1);
  } finally {
    await srv.stop();
  }
  return out;
}

/** Hot reload on a fresh instance (reload on). */
export async function reload(kind, nodeModules, log) {
  const proj = fixtureCopy(`lg-bench-reload-${kind.name}-`, nodeModules);
  const srv = await kind.start({ projectDir: proj.dir, reload: true });
  try {
    const r = await reloadTime(srv.url, proj.dir);
    log(`  reload: ${r.ms ?? "n/a"} ms ${r.note ?? ""}`);
    return r;
  } finally {
    await srv.stop();
    proj.remove();
  }
}

const dirSize = (dir) => {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? dirSize(p) : statSync(p).size;
  }
  return total;
};

/**
 * Restart with a large stored history: create `threads` threads (+ `runs` with checkpoints), stop gracefully, and
 * time the restart to the first answer; only meaningful when the server wrote `.langgraph_api/`.
 */
export async function restartWithHistory(kind, nodeModules, { threads = 10_000, runs = 500, log }) {
  const proj = fixtureCopy(`lg-bench-restart-${kind.name}-`, nodeModules);
  try {
    let probe;
    let srv = await kind.start({ projectDir: proj.dir, reload: false });
    try {
      await bulkThreads(srv.url, threads);
      await bulkRuns(srv.url, runs);
      probe = (await sdk(srv.url).threads.create({ metadata: { probe: true } })).thread_id;
      // The official server writes its store 3 s after the last change (and, in principle, on exit): wait for that.
      await sleep(4000);
    } finally {
      await srv.stop(20_000);
    }
    const dataDir = join(proj.dir, ".langgraph_api");
    if (!existsSync(dataDir) || dirSize(dataDir) === 0) {
      return { ms: null, note: `n/a: no .langgraph_api/ after ${threads} threads + ${runs} runs and a graceful stop (memory-only server)` };
    }
    const bytes = dirSize(dataDir);
    srv = await kind.start({ projectDir: proj.dir, reload: false });
    try {
      const res = await fetch(`${srv.url}/threads/${probe}`, { headers: { authorization: "Bearer bench-token" } });
      await res.arrayBuffer();
      const count = await fetch(`${srv.url}/threads/search`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer bench-token" },
        body: JSON.stringify({ limit: 1 }),
      });
      await count.arrayBuffer();
      const survived = res.status === 200;
      log(`  restart with ${threads} threads: ${Math.round(srv.startupMs)} ms (${(bytes / 1e6).toFixed(1)} MB stored, history ${survived ? "kept" : "LOST"})`);
      return { ms: round(srv.startupMs, 0), stored_mb: round(bytes / 1e6, 1), history_kept: survived, threads, runs };
    } finally {
      await srv.stop();
    }
  } finally {
    proj.remove();
  }
}

/**
 * Scaling (lg-dev): grow the thread count through `sizes` (90% bare threads, 10% threads with one echo run, all with
 * metadata {group, n}) and measure search, run listing, history and memory at each size.
 */
export async function scaling(kind, nodeModules, { sizes, log }) {
  const proj = fixtureCopy(`lg-bench-scaling-${kind.name}-`, nodeModules);
  const srv = await kind.start({ projectDir: proj.dir, reload: false });
  const c = sdk(srv.url);
  const rows = [];
  try {
    await warmUp(srv.url);
    // A probe thread with 25 runs: its run list and history are measured at every size.
    const probe = (await c.threads.create({ metadata: { probe: true } })).thread_id;
    for (let i = 0; i < 25; i++) await c.runs.wait(probe, "echo", { input: INPUT });
    let have = await c.threads.count();
    for (const size of sizes) {
      const add = Math.max(0, size - have);
      const withRuns = Math.floor(add / 10);
      const t0 = performance.now();
      const bt = await bulkThreads(srv.url, add - withRuns, { start: have });
      const br = await bulkRuns(srv.url, withRuns, { start: have + add - withRuns });
      have += add;
      const fillS = round((performance.now() - t0) / 1000, 1);
      log(`  ${size} threads: filled in ${fillS} s (${bt.rps} threads/s, ${br.rps} runs/s)`);
      const search = await seqLatency(50, () => c.threads.search({ metadata: { group: "g7" }, limit: 10 }));
      const searchAll = await seqLatency(50, () => c.threads.search({ limit: 10 }));
      const count = await seqLatency(20, () => c.threads.count({ metadata: { group: "g7" } }));
      const runList = await seqLatency(50, () => c.runs.list(probe, { limit: 10 }));
      const history = await seqLatency(50, () => c.threads.getHistory(probe, { limit: 10 }));
      const getOne = await seqLatency(50, () => c.threads.get(probe));
      await sleep(1000);
      const rss = treeRss(srv.pid).bytes;
      const row = {
        threads: size,
        fill_s: fillS,
        search_filtered: search,
        search_unfiltered: searchAll,
        count_filtered: count,
        runs_list: runList,
        history,
        thread_get: getOne,
        rss_mb: round(rss / 1024 / 1024, 1),
      };
      rows.push(row);
      log(`    search(metadata) p50 ${search.p50} ms p99 ${search.p99} ms; search(all) p50 ${searchAll.p50} ms; runs.list ${runList.p50} ms; history ${history.p50} ms; RSS ${row.rss_mb} MB`);
    }
  } finally {
    await srv.stop();
    proj.remove();
  }
  return rows;
}

/**
 * Capacity of several servers measured in turns: each round measures every server once, in a rotated order, so
 * that a machine getting faster or slower during the benchmark moves every server's figures alike instead of
 * skewing the ratios. Every measured run gets a fresh instance on a fresh copy of the fixture (after a 1 s warm-up):
 * a run of POST /threads at full speed stores a few hundred thousand threads, and a store that keeps growing from
 * run to run would make later runs slower than earlier ones for a reason that is not the server's speed.
 * Returns { [name]: { auth, unauth } }.
 */
export async function interleavedCapacity(kinds, { seconds, rounds, log }) {
  const runs = new Map(kinds.map((kind) => [kind.name, { auth: [], unauth: [] }]));
  const measure = async (kind, auth) => {
    const proj = fixtureCopy(`lg-bench-capacity-${kind.name}-`, kind.nodeModules);
    const srv = await kind.start({ projectDir: proj.dir });
    try {
      await capacityWarmUp(srv.url, { auth });
      return await capacityRun(srv.url, { auth, seconds, pid: srv.pid });
    } finally {
      await srv.stop();
      proj.remove();
    }
  };
  for (let round = 0; round < rounds; round++) {
    const order = kinds.map((_, i) => kinds[(i + round) % kinds.length]);
    for (const kind of order) {
      const a = await measure(kind, true);
      const u = await measure(kind, false);
      runs.get(kind.name).auth.push(a);
      runs.get(kind.name).unauth.push(u);
      log(`  round ${round + 1}: ${kind.name} token ${a.rps} req/s, 401 ${u.rps} req/s`);
    }
  }
  const out = {};
  for (const [name, r] of runs) out[name] = { auth: combineCapacity(r.auth), unauth: combineCapacity(r.unauth) };
  return out;
}
