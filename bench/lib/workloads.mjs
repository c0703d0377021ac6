// The workloads, each against a base URL. Capacity uses autocannon (a light load generator: the SDK client itself
// tops out near 2,000 req/s on 2 cores); user-perceived latency uses the real SDK client.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@langchain/langgraph-sdk";
import autocannon from "autocannon";
import { AUTH, sleep, treeCpuSeconds, treeRss, waitQuiet } from "./proc.mjs";
import { median, round, summary } from "./stats.mjs";

export const INPUT = { messages: [{ role: "user", content: "hi" }] };

/** An SDK client with the bench token and no retries (a failure must show, not be hidden by a retry). */
export function sdk(url, { token = true } = {}) {
  return new Client({ apiUrl: url, apiKey: null, defaultHeaders: token ? { ...AUTH } : {}, callerOptions: { maxRetries: 0 } });
}

/** Run autocannon; resolves with its result object. */
export function cannon(opts) {
  return new Promise((resolve, reject) => {
    autocannon({ connections: 64, pipelining: 1, timeout: 20, ...opts }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

/**
 * Capacity of POST /threads at 64 connections: with the token (expect 200s) or without (expect 401s).
 * A 1 s warm-up run, then `rounds` measured runs of `seconds`, each after the machine is quiet; the median run is
 * the figure (a shared 2-core machine moves single runs by 10-20%). CPU figures are over all runs.
 */
export async function capacity(url, { auth, seconds = 5, rounds = 3, pid }) {
  await capacityWarmUp(url, { auth });
  const runs = [];
  for (let i = 0; i < rounds; i++) runs.push(await capacityRun(url, { auth, seconds, pid }));
  return combineCapacity(runs);
}

function capacityOptions(url, auth) {
  return {
    url: `${url}/threads`,
    method: "POST",
    connections: 64,
    headers: { "content-type": "application/json", ...(auth ? AUTH : {}) },
    body: "{}",
  };
}

/** One second of the capacity load, not measured (JIT, connections, first allocations). */
export async function capacityWarmUp(url, { auth }) {
  await waitQuiet();
  await cannon({ ...capacityOptions(url, auth), duration: 1 });
}

/** One measured capacity run (after the machine is quiet): the raw figures `combineCapacity` takes. */
export async function capacityRun(url, { auth, seconds = 5, pid }) {
  const busyBefore = await waitQuiet();
  const cpu0 = process.cpuUsage();
  const srvCpu0 = pid ? treeCpuSeconds(pid) : undefined;
  const r = await cannon({ ...capacityOptions(url, auth), duration: seconds });
  const serverCpu = pid ? treeCpuSeconds(pid) - srvCpu0 : undefined;
  const cpu = process.cpuUsage(cpu0);
  const secs = (r.finish - r.start) / 1000;
  const expected = Number(auth ? r["2xx"] : r.statusCodeStats?.["401"]?.count ?? 0);
  return { r, secs, expected, rps: Math.round(expected / secs), clientCpu: (cpu.user + cpu.system) / 1e6, serverCpu, busyBefore };
}

/** The median run's throughput and latency; errors, and CPU per request, over all runs. */
export function combineCapacity(runs) {
  const mid = [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)];
  const totalSecs = runs.reduce((n, x) => n + x.secs, 0);
  const totalRequests = runs.reduce((n, x) => n + x.r.requests.total, 0);
  const hasServerCpu = runs.every((x) => x.serverCpu !== undefined);
  const serverCpu = runs.reduce((n, x) => n + (x.serverCpu ?? 0), 0);
  return {
    rps: mid.rps,
    rounds_rps: runs.map((x) => x.rps),
    total_rps: Math.round(mid.r.requests.total / mid.secs),
    unexpected: runs.reduce((n, x) => n + x.r.requests.total - x.expected, 0),
    errors: runs.reduce((n, x) => n + x.r.errors, 0),
    timeouts: runs.reduce((n, x) => n + x.r.timeouts, 0),
    latency_p50_ms: mid.r.latency.p50,
    latency_p99_ms: mid.r.latency.p99,
    seconds: round(mid.secs, 1),
    // CPU the load generator itself used (100% = one core): near 100% means the figure is client-bound.
    client_cpu_pct: Math.round((runs.reduce((n, x) => n + x.clientCpu, 0) / totalSecs) * 100),
    // CPU the server's process tree used per answered request: robust to other load on the machine.
    server_cpu_pct: hasServerCpu ? Math.round((serverCpu / totalSecs) * 100) : null,
    server_cpu_us_per_req: hasServerCpu ? Math.round((serverCpu * 1e6) / Math.max(1, totalRequests)) : null,
    machine_busy_before_pct: Math.max(...runs.map((x) => x.busyBefore)),
  };
}

/**
 * Run `fn(i)` from `concurrency` workers until `count` calls were made or `maxMs` passed; returns latency samples (ms)
 * and the number of failed calls (failures are not timed).
 */
export async function pool({ concurrency, count, maxMs = 15_000, fn }) {
  const samples = [];
  let issued = 0;
  let errors = 0;
  let firstError;
  const deadline = performance.now() + maxMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < count && performance.now() < deadline) {
        const i = issued++;
        const t = performance.now();
        try {
          await fn(i);
          samples.push(performance.now() - t);
        } catch (err) {
          errors += 1;
          firstError ??= err;
        }
      }
    }),
  );
  return { samples, errors, firstError: firstError ? String(firstError.message ?? firstError).slice(0, 200) : undefined };
}

/** Create `n` threads (16 at a time) and return their ids. */
export async function createThreads(client, n, metadata) {
  const ids = [];
  const r = await pool({ concurrency: 16, count: n, maxMs: 120_000, fn: async () => ids.push((await client.threads.create(metadata ? { metadata } : undefined)).thread_id) });
  if (r.errors) throw new Error(`creating threads failed: ${r.firstError}`);
  return ids;
}

/** The text of the last message in a thread's values (the echo graph's answer). */
export const lastText = (values) => {
  const m = values?.messages?.at?.(-1);
  return typeof m?.content === "string" ? m.content : undefined;
};

/** A few of each call, so JIT, lazy imports and graph compilation are out of the way. */
export async function warmUp(url) {
  const c = sdk(url);
  for (let i = 0; i < 30; i++) await c.threads.create();
  for (let i = 0; i < 15; i++) {
    const t = await c.threads.create();
    const v = await c.runs.wait(t.thread_id, "echo", { input: INPUT });
    if (i === 0 && lastText(v) !== "echo: hi") throw new Error(`echo graph answered ${JSON.stringify(v).slice(0, 200)}`);
  }
  for (let i = 0; i < 5; i++) {
    const t = await c.threads.create();
    for await (const _ of c.runs.stream(t.thread_id, "echo", { input: INPUT, streamMode: "values" })) {
      /* drain */
    }
  }
}

/**
 * Steady state for the latency figures: V8 optimises a run's code path only after many runs (lg-dev's runs.wait at
 * concurrency 16 went 54 -> 31 -> 24 -> 23 ms over its first four batches of 640 runs). 1,000 runs at concurrency
 * 16 bring a server there (~35 s for the official server). Taken after the idle-memory figure, which keeps its
 * definition (after the light warm-up above).
 */
export async function steadyState(url) {
  const c = sdk(url);
  const threads = await createThreads(c, 1000);
  const r = await pool({ concurrency: 16, count: threads.length, maxMs: 120_000, fn: (i) => c.runs.wait(threads[i], "echo", { input: INPUT }) });
  if (r.errors) throw new Error(`warm-up runs failed: ${r.firstError}`);
}

/** Idle memory of the whole process tree: median of 5 samples, 200 ms apart, after `settleMs` of idleness. */
export async function idleMemory(pid, settleMs = 2000) {
  await sleep(settleMs);
  const samples = [];
  let processes = 0;
  for (let i = 0; i < 5; i++) {
    const r = treeRss(pid);
    samples.push(r.bytes);
    processes = r.processes;
    await sleep(200);
  }
  return { mb: round(median(samples) / 1024 / 1024, 1), processes };
}

/** threads.create latency at a concurrency. */
export async function createLatency(url, concurrency, count) {
  const c = sdk(url);
  const busyBefore = await waitQuiet();
  const r = await pool({ concurrency, count, fn: () => c.threads.create() });
  return { ...summary(r.samples), errors: r.errors, firstError: r.firstError, machine_busy_before_pct: busyBefore };
}

/**
 * runs.wait on the echo graph at a concurrency; each run on its own fresh thread (created before timing). With the
 * server's `pid`, also its CPU per run (process tree) over the timed runs.
 */
export async function waitLatency(url, concurrency, count, { pid } = {}) {
  const c = sdk(url);
  const threads = await createThreads(c, count);
  const busyBefore = await waitQuiet();
  let wrong = 0;
  const cpu0 = pid ? treeCpuSeconds(pid) : undefined;
  const r = await pool({
    concurrency,
    count,
    maxMs: 30_000,
    fn: async (i) => {
      const v = await c.runs.wait(threads[i], "echo", { input: INPUT });
      if (lastText(v) !== "echo: hi") wrong += 1;
    },
  });
  const cpu = pid ? { server_cpu_ms_per_run: round(((treeCpuSeconds(pid) - cpu0) * 1000) / count, 3) } : {};
  return { ...summary(r.samples), errors: r.errors + wrong, firstError: r.firstError ?? (wrong ? `${wrong} wrong answers` : undefined), machine_busy_before_pct: busyBefore, ...cpu };
}

/** runs.stream on the echo graph at concurrency 1: time to the first event and to the end of the stream. */
export async function streamLatency(url, count) {
  const c = sdk(url);
  const threads = await createThreads(c, count);
  const busyBefore = await waitQuiet();
  const ttfe = [];
  const firstValues = [];
  const end = [];
  let errors = 0;
  let firstError;
  for (const tid of threads) {
    const t0 = performance.now();
    let first;
    let fv;
    try {
      for await (const chunk of c.runs.stream(tid, "echo", { input: INPUT, streamMode: "values" })) {
        const now = performance.now();
        first ??= now - t0;
        if (chunk.event === "values" && fv === undefined) fv = now - t0;
      }
      ttfe.push(first);
      if (fv !== undefined) firstValues.push(fv);
      end.push(performance.now() - t0);
    } catch (err) {
      errors += 1;
      firstError ??= String(err?.message ?? err).slice(0, 200);
    }
  }
  return { ttfe: summary(ttfe), first_values: summary(firstValues), end: summary(end), errors, firstError, machine_busy_before_pct: busyBefore };
}

/**
 * 100 SSE streams joined on one run: a `ticker` run waits `waitMs` (joiners attach meanwhile), then emits `n` ticks.
 * Every joiner must receive every `updates` event (the wait node + n ticks).
 */
export async function fanOut(url, { joiners = 100, n = 10, ms = 30, waitMs = 1500 } = {}) {
  const c = sdk(url);
  const thread = await c.threads.create();
  const run = await c.runs.create(thread.thread_id, "ticker", { input: { n, ms, wait_ms: waitMs, ticks: [] }, streamMode: ["updates"] });
  const t0 = performance.now();
  const results = await Promise.all(
    Array.from({ length: joiners }, async () => {
      const events = [];
      let last;
      try {
        for await (const e of c.runs.joinStream(thread.thread_id, run.run_id)) {
          if (e.event === "updates") {
            events.push(JSON.stringify(e.data));
            last = performance.now() - t0;
          }
        }
        return { events, last };
      } catch (err) {
        return { events, last, error: String(err?.message ?? err).slice(0, 200) };
      }
    }),
  );
  const expected = n + 1;
  const reference = results.find((r) => r.events.length === expected)?.events;
  const complete = results.filter((r) => !r.error && r.events.length === expected && reference && r.events.every((e, i) => e === reference[i])).length;
  const lasts = results.filter((r) => r.last !== undefined).map((r) => r.last);
  return {
    joiners,
    expected_events: expected,
    complete,
    all_received_everything: complete === joiners,
    min_events: Math.min(...results.map((r) => r.events.length)),
    // Spread between the first and the last joiner receiving the final event (the fan-out cost).
    last_event_spread_ms: lasts.length ? round(Math.max(...lasts) - Math.min(...lasts)) : null,
    run_ms: lasts.length ? round(Math.max(...lasts)) : null,
    errors: results.filter((r) => r.error).length,
    firstError: results.find((r) => r.error)?.error,
  };
}

/** One stateless echo run over plain fetch; resolves with the reply text, or undefined on any failure. */
async function probeEcho(url) {
  try {
    const res = await fetch(`${url}/runs/wait`, {
      method: "POST",
      headers: { "content-type": "application/json", ...AUTH },
      body: JSON.stringify({ assistant_id: "echo", input: { messages: [{ role: "user", content: "ping" }] } }),
      signal: AbortSignal.timeout(3000),
    });
    if (res.status !== 200) {
      await res.arrayBuffer();
      return undefined;
    }
    return lastText(await res.json());
  } catch {
    return undefined;
  }
}

/**
 * Hot reload: rewrite the PREFIX line of src/echo.ts, then run the echo graph every ~10 ms until the reply carries
 * the new prefix. `reps` times (stops at the first timeout: the server does not reload).
 */
export async function reloadTime(url, projectDir, { reps = 3, timeoutMs = 12_000, settleMs = 1000 } = {}) {
  const file = join(projectDir, "src", "echo.ts");
  const original = readFileSync(file, "utf8");
  if ((await probeEcho(url)) !== "echo: ping") return { ms: null, note: "echo graph did not answer before the edit" };
  // Both servers set their file watchers up after answering; an edit in the first ~100 ms after lg-dev's banner is
  // missed (its watcher's initial scan has not finished), so give the watchers a second, as a user would.
  await sleep(settleMs);
  const times = [];
  for (let rep = 1; rep <= reps; rep++) {
    const prefix = `v${rep}: `;
    const t0 = performance.now();
    writeFileSync(file, original.replace(/export const PREFIX = "[^"]*";/, `export const PREFIX = "${prefix}";`));
    let seen = false;
    while (performance.now() - t0 < timeoutMs) {
      const t = performance.now();
      const text = await probeEcho(url);
      if (text?.startsWith(prefix)) {
        seen = true;
        break;
      }
      const left = 10 - (performance.now() - t);
      if (left > 0) await sleep(left);
    }
    if (!seen) {
      return { ms: times.length ? round(median(times), 0) : null, samples: times.map((t) => round(t, 0)), note: `no new behaviour ${timeoutMs / 1000} s after saving the graph file (does the server reload?)` };
    }
    times.push(performance.now() - t0);
    await sleep(1500); // let watchers settle before the next edit
  }
  return { ms: round(median(times), 0), samples: times.map((t) => round(t, 0)) };
}

/**
 * POST `n` requests with autocannon; `request(i)` gives the path and body of the i-th one (i counts from `start`).
 * Throws on any non-2xx answer or error; returns the achieved rate.
 */
async function bulkPost(url, n, { start, connections, timeout, what }, request) {
  if (n <= 0) return { rps: 0 };
  let k = start;
  const r = await cannon({
    url,
    connections,
    amount: n,
    ...(timeout ? { timeout } : {}),
    headers: { "content-type": "application/json", ...AUTH },
    requests: [{ method: "POST", setupRequest: (req) => ({ ...req, ...request(k++) }) }],
  });
  if (r.non2xx || r.errors) throw new Error(`${what}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: Math.round(r.requests.total / ((r.finish - r.start) / 1000)) };
}

/** Create `n` threads quickly with autocannon (POST /threads, 32 connections) with per-request metadata. */
export function bulkThreads(url, n, { start = 0, connections = 32 } = {}) {
  return bulkPost(url, n, { start, connections, what: "bulk thread creation" }, (i) => ({
    path: "/threads",
    body: JSON.stringify({ metadata: { group: `g${i % 100}`, n: i } }),
  }));
}

/** Create `n` threads each with one finished echo run (POST /threads/{new id}/runs/wait, if_not_exists=create). */
export function bulkRuns(url, n, { start = 0, connections = 16 } = {}) {
  return bulkPost(url, n, { start, connections, timeout: 60, what: "bulk runs" }, (i) => ({
    path: `/threads/${crypto.randomUUID()}/runs/wait`,
    body: JSON.stringify({ assistant_id: "echo", input: INPUT, if_not_exists: "create", metadata: { group: `g${i % 100}`, n: i } }),
  }));
}

/** Latency of `count` sequential calls of `fn` (SDK, concurrency 1). */
export async function seqLatency(count, fn) {
  const r = await pool({ concurrency: 1, count, maxMs: 60_000, fn });
  return { ...summary(r.samples), errors: r.errors, firstError: r.firstError };
}
