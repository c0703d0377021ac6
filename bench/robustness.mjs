#!/usr/bin/env node
// `npm run bench:robustness`: what happens to requests and data when the project is saved under load (A), and what
// survives a SIGKILL of the server under write load (B) — lg-dev and the official `langgraphjs dev`, one after the
// other, each on fresh temp copies of bench/fixture, started exactly as bench/run.mjs starts them. See bench/README.md.
//
//   node bench/robustness.mjs [--rounds 5] [--saves 5] [--only lg-dev|official] [--seed S] [--json path]
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ensureOfficial } from "./lib/official.mjs";
import { AUTH, cleanupAll, groupAlive, machineInfo, machineLine, machineLoad, phaseRunner, sleep, treePids, waitReady } from "./lib/proc.mjs";
import { markdownTable, notesMarkdown, notesText, runFacts, textTable } from "./lib/report.mjs";
import { BENCH_DIR, fixtureCopy, lgDev, official, REPO_ROOT } from "./lib/servers.mjs";
import { median, round } from "./lib/stats.mjs";
import { lastText } from "./lib/workloads.mjs";

const { values: opts } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    saves: { type: "string", default: "5" },
    only: { type: "string" },
    seed: { type: "string", default: "1" },
    json: { type: "string", default: join(BENCH_DIR, "results", "robustness.json") },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (opts.help) {
  process.stdout.write(`node bench/robustness.mjs [options]
  --rounds N     SIGKILL rounds per server (default 5; each round on a fresh copy of the fixture)
  --saves N      saves of src/echo.ts during the load phase (default 5)
  --only NAME    lg-dev or official (a partial run does not rewrite bench/ROBUSTNESS.md)
  --seed S       seed of the PRNG that picks the kill moments and the writers' mix (default 1)
  --json PATH    raw results (default bench/results/robustness.json)
`);
  process.exit(0);
}
const ROUNDS = Number(opts.rounds);
const SAVES = Number(opts.saves);
const SEED = Number(opts.seed) >>> 0;
const ONLY = opts.only;
const JSON_PATH = resolve(opts.json);
if (!Number.isInteger(ROUNDS) || ROUNDS < 0 || !Number.isInteger(SAVES) || SAVES < 0) throw new Error("--rounds and --saves take a non-negative integer");
if (ONLY && !["lg-dev", "official"].includes(ONLY)) throw new Error("--only takes lg-dev or official");
if (!Number.isFinite(Number(opts.seed))) throw new Error("--seed takes a number");

// Phase A
const SEED_THREADS = 50;
const LOAD_CONCURRENCY = 4;
const SAVE_BOUND_MS = 15_000;
const AFTER_SAVE_MS = 1000;
// Phase B
const WRITERS = 8;
const KILL_MIN_MS = 1000;
const KILL_MAX_MS = 4000;
// Every request and every phase is bounded.
const REQUEST_TIMEOUT_MS = 30_000;
const VERIFY_CONCURRENCY = 8;
const WATCHDOG_MS = 40 * 60_000;
const FAILURE_BACKOFF_MS = 100; // a worker pauses after a failed request (as a client would), so a server that is down is not hammered

const log = (msg) => process.stderr.write(`${msg}\n`);
const started = performance.now();

/** mulberry32: a small seeded PRNG (uniform floats in [0, 1)). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const subSeed = (...parts) => parts.reduce((h, p) => Math.imul(h ^ (p >>> 0), 0x9e3779b1) >>> 0, 0x811c9dc5);

/** One HTTP call with the bench token; never throws. `ok` = 2xx. */
async function call(base, method, path, body, timeoutMs = REQUEST_TIMEOUT_MS) {
  const sentAt = performance.now();
  try {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...AUTH, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = undefined;
    }
    return { status: res.status, ok: res.status >= 200 && res.status < 300, json, text, headers: res.headers, sentAt, at: performance.now() };
  } catch (err) {
    const cause = err?.cause?.code ?? err?.cause?.message ?? err?.name ?? err?.message ?? String(err);
    return { status: 0, ok: false, error: String(cause), sentAt, at: performance.now() };
  }
}
const why = (r) => (r.status ? `HTTP ${r.status}${r.text ? ` ${r.text.slice(0, 120)}` : ""}` : r.error);

const userInput = (content) => ({ messages: [{ role: "user", content }] });

/** Run `fn(item)` over `items`, `concurrency` at a time. */
async function mapPool(items, concurrency, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

/** Is this process still there (a zombie counts as gone)? */
const pidAlive = (pid) => {
  try {
    process.kill(pid, 0);
    // A zombie is dead for our purpose.
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};

/** Process group of a pid (from /proc), undefined if it is gone. */
const pgrpOf = (pid) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
  } catch {
    return undefined;
  }
};

// ---------------------------------------------------------------------------------------------------------------
// A. Saves under load

const ECHO_PREFIX_LINE = /export const PREFIX = "[^"]*";/;

async function savesUnderLoad(kind) {
  const proj = fixtureCopy(`lg-robust-saves-${kind.name}-`, kind.nodeModules);
  const file = join(proj.dir, "src", "echo.ts");
  const original = readFileSync(file, "utf8");
  if (!ECHO_PREFIX_LINE.test(original)) throw new Error("bench/fixture/src/echo.ts has no PREFIX line");
  let srv;
  try {
    srv = await kind.start({ projectDir: proj.dir });
    const base = srv.url;
    log(`  started in ${Math.round(srv.startupMs)} ms; creating ${SEED_THREADS} threads with one echo run each`);

    // 50 threads, each with one finished run.
    const threads = await mapPool([...Array(SEED_THREADS).keys()], 4, async (i) => {
      const t = await call(base, "POST", "/threads", { metadata: { bench: "saves", n: i } });
      if (!t.ok || !t.json?.thread_id) throw new Error(`creating thread ${i}: ${why(t)}`);
      const r = await call(base, "POST", `/threads/${t.json.thread_id}/runs/wait`, { assistant_id: "echo", input: userInput(`thread-${i}`) });
      if (!r.ok || lastText(r.json) !== `echo: thread-${i}`) throw new Error(`run on thread ${i}: ${why(r)}`);
      return { thread_id: t.json.thread_id, n: i, expect: `echo: thread-${i}` };
    });
    const probe = await call(base, "POST", "/runs/wait", { assistant_id: "echo", input: userInput("ping") });
    if (lastText(probe.json) !== "echo: ping") throw new Error(`stateless echo run answered ${why(probe)}`);
    // Both servers set their file watchers up after they answer: give them a second, as bench/lib reloadTime does.
    await sleep(1000);

    // The load: 4 workers, each a loop of stateless echo runs, for the whole phase.
    const prefixes = ["echo: "];
    const firstSeenAt = [performance.now()]; // when each prefix was first seen in a reply
    let waiting = null; // { idx, resolve }
    let stop = false;
    let seq = 0;
    const load = { total: 0, failed: 0, reasons: {}, first_failure: undefined, stale: 0, lastOkAt: undefined, maxGap: 0 };
    const failure = (reason) => {
      load.failed += 1;
      load.reasons[reason] = (load.reasons[reason] ?? 0) + 1;
      load.first_failure ??= reason;
    };
    const workers = Array.from({ length: LOAD_CONCURRENCY }, async () => {
      while (!stop) {
        const text = `load-${seq++}`;
        const r = await call(base, "POST", "/runs/wait", { assistant_id: "echo", input: userInput(text) });
        load.total += 1;
        if (!r.ok) {
          failure(r.status ? `HTTP ${r.status}` : r.error);
          await sleep(FAILURE_BACKOFF_MS);
          continue;
        }
        const reply = lastText(r.json);
        const idx = prefixes.findIndex((p) => reply === `${p}${text}`);
        if (idx < 0) {
          failure(`unexpected reply ${JSON.stringify(reply ?? r.text?.slice(0, 80))}`);
          continue;
        }
        // The longest time without any good reply (all workers together): how long the server was unusable.
        if (load.lastOkAt !== undefined) load.maxGap = Math.max(load.maxGap, r.at - load.lastOkAt);
        load.lastOkAt = Math.max(load.lastOkAt ?? 0, r.at);
        if (firstSeenAt[idx] === undefined) firstSeenAt[idx] = r.at;
        // An older prefix in a reply to a request sent after a newer one had been served: stale code.
        if (firstSeenAt.some((t, j) => j > idx && t !== undefined && t < r.sentAt)) load.stale += 1;
        if (waiting && idx === waiting.idx) waiting.resolve(r.at);
      }
    });

    const saves = [];
    const t0Phase = performance.now();
    for (let s = 1; s <= SAVES; s++) {
      const prefix = `v${s}: `;
      prefixes.push(prefix);
      const idx = prefixes.length - 1;
      const seen = new Promise((res) => (waiting = { idx, resolve: res }));
      const t0 = performance.now();
      writeFileSync(file, original.replace(ECHO_PREFIX_LINE, `export const PREFIX = "${prefix}";`));
      const at = await Promise.race([seen, sleep(SAVE_BOUND_MS).then(() => null)]);
      waiting = null;
      const ms = at === null ? null : round(at - t0, 0);
      saves.push(ms);
      log(`  save ${s}: ${ms === null ? `n/a (no reply with the new prefix within ${SAVE_BOUND_MS / 1000} s)` : `${ms} ms to the new behaviour`}; ${load.failed}/${load.total} requests failed so far`);
      await sleep(AFTER_SAVE_MS);
    }
    stop = true;
    await Promise.all(workers);
    const phaseS = round((performance.now() - t0Phase) / 1000, 1);

    // Every seeded thread still there, with its state?
    let ready = true;
    try {
      await waitReady(base, { timeoutMs: 30_000, proc: srv.proc });
    } catch {
      ready = false;
    }
    const checks = await mapPool(threads, 4, async (t) => {
      const g = await call(base, "GET", `/threads/${t.thread_id}`);
      if (!g.ok || g.json?.thread_id !== t.thread_id) return `thread: ${why(g)}`;
      const st = await call(base, "GET", `/threads/${t.thread_id}/state`);
      if (!st.ok) return `state: ${why(st)}`;
      if (lastText(st.json?.values) !== t.expect) return `state values: last message ${JSON.stringify(lastText(st.json?.values))}`;
      return null;
    });
    const lost = checks.filter(Boolean);
    const valid = saves.filter((x) => x !== null);
    const out = {
      saves_ms: saves,
      p50_ms: valid.length ? round(median(valid), 0) : null,
      max_ms: valid.length ? Math.max(...valid) : null,
      never: saves.length - valid.length,
      requests: load.total,
      failed: load.failed,
      failure_reasons: load.reasons,
      first_failure: load.first_failure,
      stale_replies: load.stale,
      longest_gap_ms: round(load.maxGap, 0),
      phase_s: phaseS,
      threads_kept: SEED_THREADS - lost.length,
      threads_total: SEED_THREADS,
      threads_lost_example: lost[0],
      server_answering_at_check: ready,
    };
    log(`  ${out.failed}/${out.requests} requests failed${out.first_failure ? ` (first: ${out.first_failure})` : ""}; threads kept ${out.threads_kept}/${SEED_THREADS}${lost[0] ? ` (e.g. ${lost[0]})` : ""}`);
    return out;
  } finally {
    if (srv) await srv.stop();
    proj.remove();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// B. SIGKILL under load

/** SIGKILL the server's whole process group (and any descendant that left it); wait until all of it is gone. */
async function killGroup(srv) {
  const pids = treePids(srv.pid);
  // A descendant that called setsid/setpgid is not in the group: it is killed by its own id.
  const outside = pids.filter((pid) => pgrpOf(pid) !== undefined && pgrpOf(pid) !== srv.pid);
  try {
    process.kill(-srv.pid, "SIGKILL");
  } catch {
    /* already gone */
  }
  const deadline = Date.now() + 10_000;
  let escaped = 0;
  for (const pid of outside) {
    if (pidAlive(pid)) {
      escaped += 1;
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  }
  while ((groupAlive(srv.pid) || pids.some(pidAlive)) && Date.now() < deadline) await sleep(10);
  await srv.stop(0); // bookkeeping only: the group is gone
  return { processes: pids.length, escaped };
}

/** Is the store API there? A put + get of a probe item before the writers start (not counted). */
async function storeSupport(base) {
  const put = await call(base, "PUT", "/store/items", { namespace: ["bench"], key: "probe", value: { n: -1 } });
  if ([404, 405, 422, 501].includes(put.status)) return { supported: false, why: `PUT /store/items: ${why(put)}` };
  if (!put.ok) return { supported: false, why: `PUT /store/items failed: ${why(put)}`, error: true };
  const get = await call(base, "GET", "/store/items?namespace=bench&key=probe");
  if (!get.ok || get.json?.value?.n !== -1) return { supported: false, why: `GET /store/items after a PUT: ${why(get)}` };
  return { supported: true };
}

const KINDS = ["thread", "store", "run"];

/** Files of the server's data dir: name -> { bytes, age_ms (since last write) }. */
function dataFiles(dir) {
  const out = {};
  try {
    for (const name of readdirSync(dir)) {
      const st = statSync(join(dir, name));
      if (st.isFile()) out[name] = { bytes: st.size, age_ms: Math.round(Date.now() - st.mtimeMs) };
    }
  } catch {
    /* no data dir */
  }
  return out;
}

async function killRound(kind, round, killMs) {
  const proj = fixtureCopy(`lg-robust-kill-${kind.name}-${round}-`, kind.nodeModules);
  let srv;
  try {
    srv = await kind.start({ projectDir: proj.dir });
    const base = srv.url;
    const store = await storeSupport(base);
    const acks = { thread: [], store: [], run: [] };
    const attempts = { thread: 0, store: 0, run: 0 };
    let failedBeforeKill = 0;
    let firstFailure;
    let stop = false;
    let seq = 0;
    const t0 = performance.now();
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      const rng = mulberry32(subSeed(SEED, round, w));
      const mine = [];
      while (!stop) {
        const n = seq++;
        const x = rng();
        let r;
        if (x < 0.4 || mine.length === 0) {
          attempts.thread += 1;
          r = await call(base, "POST", "/threads", { metadata: { n } });
          if (r.ok && r.json?.thread_id) {
            acks.thread.push({ thread_id: r.json.thread_id, n });
            mine.push(r.json.thread_id);
          }
        } else if (x < 0.7 && store.supported) {
          attempts.store += 1;
          const key = `k-${round}-${w}-${n}`;
          r = await call(base, "PUT", "/store/items", { namespace: ["bench"], key, value: { n } });
          if (r.ok) acks.store.push({ key, n });
        } else {
          attempts.run += 1;
          const thread_id = mine[Math.floor(rng() * mine.length)];
          const text = `run-${n}`;
          r = await call(base, "POST", `/threads/${thread_id}/runs/wait`, { assistant_id: "echo", input: userInput(text) });
          if (r.ok) {
            const loc = r.headers.get("content-location") ?? "";
            acks.run.push({ thread_id, text, run_id: /\/runs\/([^/?]+)/.exec(loc)?.[1], reply_ok: lastText(r.json) === `echo: ${text}` });
          }
        }
        if (!r.ok && !stop) {
          failedBeforeKill += 1;
          firstFailure ??= why(r);
          await sleep(FAILURE_BACKOFF_MS);
        }
      }
    });
    await sleep(Math.max(0, killMs - (performance.now() - t0)));
    stop = true;
    const killedAt = performance.now();
    const killed = await killGroup(srv);
    const settled = await Promise.race([Promise.all(writers).then(() => true), sleep(REQUEST_TIMEOUT_MS + 5000).then(() => false)]);
    if (!settled) throw new Error("writers did not settle after the kill");
    srv = undefined;
    const dataAfterKill = dataFiles(join(proj.dir, ".langgraph_api"));

    // Restart on the same directory, then check every acknowledged write.
    const srv2 = await kind.start({ projectDir: proj.dir });
    srv = srv2;
    const base2 = srv2.url;
    const threadCheck = await mapPool(acks.thread, VERIFY_CONCURRENCY, async (a) => {
      const g = await call(base2, "GET", `/threads/${a.thread_id}`);
      return g.ok && g.json?.metadata?.n === a.n ? null : `thread ${a.thread_id}: ${g.ok ? `metadata ${JSON.stringify(g.json?.metadata)}` : why(g)}`;
    });
    const storeCheck = await mapPool(acks.store, VERIFY_CONCURRENCY, async (a) => {
      const g = await call(base2, "GET", `/store/items?namespace=bench&key=${encodeURIComponent(a.key)}`);
      return g.ok && g.json?.value?.n === a.n ? null : `store ${a.key}: ${g.ok ? `answered ${g.text.slice(0, 80)}` : why(g)}`;
    });
    const states = new Map();
    const runLists = new Map();
    const once = (map, key, fn) => {
      if (!map.has(key)) map.set(key, fn());
      return map.get(key);
    };
    let runOnly = 0;
    const runCheck = await mapPool(acks.run, VERIFY_CONCURRENCY, async (a) => {
      const st = await once(states, a.thread_id, () => call(base2, "GET", `/threads/${a.thread_id}/state`));
      const msgs = st.ok ? st.json?.values?.messages ?? [] : [];
      if (msgs.some((m) => m?.content === `echo: ${a.text}`)) return null;
      const rl = await once(runLists, a.thread_id, () => call(base2, "GET", `/threads/${a.thread_id}/runs?limit=1000`));
      const runs = rl.ok && Array.isArray(rl.json) ? rl.json : [];
      const found = runs.some((run) => (a.run_id ? run.run_id === a.run_id : JSON.stringify(run.kwargs?.input ?? "").includes(a.text)));
      if (found) {
        runOnly += 1;
        return null;
      }
      return `run ${a.run_id ?? a.text} on ${a.thread_id}: state ${st.ok ? "without its output" : why(st)}, runs ${rl.ok ? `${runs.length} listed, not it` : why(rl)}`;
    });
    const lostOf = { thread: threadCheck, store: storeCheck, run: runCheck };
    const out = { round, kill_at_ms: round_(killMs), killed_after_ms: round_(killedAt - t0), restart_ms: round_(srv2.startupMs), processes_killed: killed.processes, escaped_group: killed.escaped };
    for (const k of KINDS) {
      const lost = lostOf[k].filter(Boolean);
      out[k] = { attempted: attempts[k], acked: acks[k].length, lost: lost.length, lost_example: lost[0] };
    }
    out.run.run_only = runOnly; // run listed but its output not in the thread's state
    out.run.wrong_reply = acks.run.filter((a) => !a.reply_ok).length;
    if (!store.supported) out.store.unsupported = store.why;
    out.data_after_kill = dataAfterKill; // what was on disk for the restart to read
    out.failed_before_kill = failedBeforeKill;
    out.first_failure = firstFailure;
    log(
      `  round ${round}: kill at ${out.killed_after_ms} ms (${killed.processes} processes); restart ${out.restart_ms} ms; ` +
        KINDS.map((k) => `${k}s ${out[k].acked - out[k].lost}/${out[k].acked} kept${k === "store" && !store.supported ? " (store unsupported)" : ""}`).join(", ") +
        (out.run.run_only ? ` (${out.run.run_only} runs listed without their output)` : "") +
        (failedBeforeKill ? `; ${failedBeforeKill} requests failed before the kill (${firstFailure})` : ""),
    );
    return out;
  } finally {
    if (srv) await srv.stop();
    proj.remove();
  }
}
const round_ = (x) => round(x, 0);

async function killRounds(kind, durations) {
  const rounds = [];
  for (let i = 0; i < durations.length; i++) {
    try {
      rounds.push(await killRound(kind, i + 1, durations[i]));
    } catch (err) {
      const message = String(err?.stack ?? err).split("\n").slice(0, 8).join("\n");
      log(`  round ${i + 1} FAILED: ${message}`);
      rounds.push({ round: i + 1, kill_at_ms: round_(durations[i]), error: message });
    }
  }
  const totals = {};
  for (const k of KINDS) {
    const ok = rounds.filter((r) => !r.error);
    totals[k] = { acked: ok.reduce((a, r) => a + r[k].acked, 0), lost: ok.reduce((a, r) => a + r[k].lost, 0) };
    if (k === "run") totals.run.run_only = ok.reduce((a, r) => a + r.run.run_only, 0);
    if (k === "store") {
      const why = ok.find((r) => r.store.unsupported)?.store.unsupported;
      if (why) totals.store.unsupported = why;
    }
  }
  totals.all = { acked: KINDS.reduce((a, k) => a + totals[k].acked, 0), lost: KINDS.reduce((a, k) => a + totals[k].lost, 0) };
  totals.rounds_ok = rounds.filter((r) => !r.error).length;
  totals.rounds = rounds.length;
  return { rounds, totals };
}

// ---------------------------------------------------------------------------------------------------------------

const argv = process.argv.slice(2);
const results = {
  date: new Date().toISOString(),
  command: `npm run bench:robustness${argv.length ? ` -- ${argv.join(" ")}` : ""}`,
  machine: machineInfo(),
  settings: {
    seed: SEED,
    rounds: ROUNDS,
    saves: SAVES,
    seed_threads: SEED_THREADS,
    load_concurrency: LOAD_CONCURRENCY,
    save_bound_ms: SAVE_BOUND_MS,
    writers: WRITERS,
    kill_window_ms: [KILL_MIN_MS, KILL_MAX_MS],
  },
  official: {},
  servers: {},
  errors: [],
};

const phase = phaseRunner({ log, errors: results.errors, stackLines: 8 });

async function main() {
  const m = results.machine;
  log(`lg-dev robustness benchmark: ${m.nproc} CPUs (${m.cpu}), node ${m.node}; seed ${SEED} (--seed S to change)`);
  ({ busy_pct: m.busy_before_pct, loadavg: m.loadavg_before } = await machineLoad());
  // The kill moments: one per round, the same for both servers.
  const rng = mulberry32(SEED);
  const durations = Array.from({ length: ROUNDS }, () => KILL_MIN_MS + rng() * (KILL_MAX_MS - KILL_MIN_MS));
  results.settings.kill_at_ms = durations.map(round_);
  log(`  kill moments (ms after the writers start): ${results.settings.kill_at_ms.join(", ") || "none"}`);

  const kinds = [];
  if (!ONLY || ONLY === "lg-dev") {
    // bin/lg-dev.js runs dist/: this script does not build (npm run build does).
    if (!process.env.LG_BENCH_LGDEV_BIN && !existsSync(join(REPO_ROOT, "dist", "cli", "lg-dev.js"))) {
      throw new Error("dist/ is missing: run `npm run build` first");
    }
    kinds.push(lgDev());
  }
  if (!ONLY || ONLY === "official") {
    const inst = await phase("official server: find or install", () => ensureOfficial({ log }));
    if (inst?.dir) {
      results.official = { source: inst.source, packages: "@langchain/langgraph-cli@1.5.1 @langchain/langgraph-api@1.5.1 @langchain/langgraph@1.7.3 @langchain/core@1.4.0" };
      log(`  official server: ${inst.source}`);
      kinds.push(official(inst.dir));
    } else {
      results.official = { error: inst?.error ?? "could not install the official server" };
      log(`  the official server could not be installed; reporting lg-dev alone. ${results.official.error}`);
    }
  }
  for (const kind of kinds) {
    log(`\n== ${kind.name}`);
    const out = {};
    results.servers[kind.name] = out;
    out.saves = await phase(`${kind.name}: A. ${SAVES} saves of src/echo.ts under load (${LOAD_CONCURRENCY} workers)`, () => savesUnderLoad(kind));
    out.kill = await phase(`${kind.name}: B. SIGKILL under write load (${WRITERS} writers), ${ROUNDS} rounds`, () => killRounds(kind, durations));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Report

const A_HEADER = ["server", "saves", "new behaviour p50", "max", "never (15 s)", "failed / total requests", "longest gap", "stale replies", "threads kept"];
const B_HEADER = ["server", "rounds", "threads acked/lost", "store acked/lost", "runs acked/lost", "all acked/lost"];
const ROUND_HEADER = ["server", "round", "kill at", "restart", "threads acked/lost", "store acked/lost", "runs acked/lost"];

const ms = (x) => (x === null || x === undefined ? "n/a" : `${x} ms`);
const al = (x, unsupported) => (unsupported && !x.acked ? "unsupported" : `${x.acked} / ${x.lost}`);

function tables() {
  const a = [];
  const b = [];
  const r = [];
  for (const [name, s] of Object.entries(results.servers)) {
    const A = s.saves;
    a.push(A ? [name, A.saves_ms.length, ms(A.p50_ms), ms(A.max_ms), A.never, `${A.failed} / ${A.requests}`, ms(A.longest_gap_ms), A.stale_replies, `${A.threads_kept} / ${A.threads_total}`] : [name, "failed", "", "", "", "", "", "", ""]);
    const K = s.kill;
    if (K) {
      const t = K.totals;
      b.push([name, `${t.rounds_ok}/${t.rounds}`, al(t.thread), al(t.store, t.store.unsupported), `${al(t.run)}${t.run.run_only ? ` (${t.run.run_only} w/o output)` : ""}`, al(t.all)]);
      for (const x of K.rounds) {
        if (x.error) r.push([name, x.round, ms(x.kill_at_ms), "FAILED", x.error.split("\n")[0].slice(0, 60), "", ""]);
        else r.push([name, x.round, ms(x.killed_after_ms), ms(x.restart_ms), al(x.thread), al(x.store, x.store.unsupported), `${al(x.run)}${x.run.run_only ? ` (${x.run.run_only} w/o output)` : ""}`]);
      }
    } else b.push([name, "failed", "", "", "", ""]);
  }
  return { a, b, r };
}

function notes() {
  const out = [];
  const m = results.machine;
  const busy = Math.max(m.busy_before_pct ?? 0, m.busy_after_pct ?? 0);
  if (busy > 10) out.push(`WARNING: the machine was ${busy}% busy with other work when the benchmark was idle (before ${m.busy_before_pct}%, after ${m.busy_after_pct}%): timings are skewed.`);
  if (results.official.error) out.push(`Official server not measured: ${results.official.error}`);
  if (results.official.source) out.push(`Official server: ${results.official.packages} (${results.official.source}).`);
  for (const [name, s] of Object.entries(results.servers)) {
    const A = s.saves;
    if (A?.failed) out.push(`${name} A: failed requests by reason: ${Object.entries(A.failure_reasons).map(([k, v]) => `${k} ×${v}`).join(", ")}.`);
    if (A?.stale_replies) out.push(`${name} A: ${A.stale_replies} replies came from an older version of the graph after a newer one had already answered.`);
    if (A && A.threads_kept < A.threads_total) out.push(`${name} A: ${A.threads_total - A.threads_kept} of ${A.threads_total} threads lost or without their state (e.g. ${A.threads_lost_example}).`);
    const K = s.kill;
    if (!K) continue;
    if (K.totals.store.unsupported) out.push(`${name} B: store not measured: ${K.totals.store.unsupported}.`);
    const lossy = K.rounds.filter((x) => !x.error && KINDS.some((k) => x[k].lost));
    if (lossy.length) {
      const x = lossy[0];
      const ex = KINDS.map((k) => x[k].lost_example).filter(Boolean);
      const disk = (r) => {
        const files = Object.entries(r.data_after_kill ?? {});
        return files.length ? files.map(([f, v]) => `${f} ${v.bytes} B written ${v.age_ms} ms before`).join(", ") : "nothing";
      };
      out.push(`${name} B: acknowledged writes lost in round${lossy.length > 1 ? "s" : ""} ${lossy.map((r) => r.round).join(", ")}. In .langgraph_api/ right after the kill: ${lossy.map((r) => `round ${r.round}: ${disk(r)}`).join("; ")}. E.g. (round ${x.round}) ${ex.join("; ")}.`);
    }
    for (const x of K.rounds) {
      if (x.error) continue;
      if (x.escaped_group) out.push(`${name} B round ${x.round}: ${x.escaped_group} process(es) had left the server's process group; killed by pid.`);
      if (x.run.wrong_reply) out.push(`${name} B round ${x.round}: ${x.run.wrong_reply} acknowledged runs answered without the expected echo.`);
    }
    const failedBefore = K.rounds.reduce((acc, x) => acc + (x.failed_before_kill ?? 0), 0);
    if (failedBefore) out.push(`${name} B: ${failedBefore} write requests failed before the kill (first: ${K.rounds.find((x) => x.first_failure)?.first_failure}); they are not acknowledged writes.`);
  }
  for (const e of results.errors) out.push(`Phase failed: ${e.split("\n")[0]}`);
  return out;
}

function report() {
  results.duration_s = Math.round((performance.now() - started) / 1000);
  const { a, b, r } = tables();
  const m = results.machine;
  const ns = notes();
  const aTitle = `A. ${SAVES} saves of src/echo.ts (PREFIX changed) under load: ${LOAD_CONCURRENCY} workers looping POST /runs/wait (echo); time from the write to the first reply with the new prefix; ${SEED_THREADS} threads with a finished run checked at the end`;
  const bTitle = `B. SIGKILL of the server's process group ${KILL_MIN_MS / 1000}–${KILL_MAX_MS / 1000} s into ${WRITERS} concurrent writers (POST /threads, PUT /store/items, POST /threads/{id}/runs/wait); restart on the same directory; acknowledged (2xx) writes checked; seed ${SEED}`;
  const jsonRel = JSON_PATH.startsWith(`${REPO_ROOT}/`) ? relative(REPO_ROOT, JSON_PATH) : JSON_PATH;
  let text = `\nlg-dev robustness benchmark — ${results.date}\n${machineLine(m)}\n\n${aTitle}\n\n${textTable(A_HEADER, a)}\n\n${bTitle}\n\n${textTable(B_HEADER, b)}\n\nPer round\n\n${textTable(ROUND_HEADER, r)}\n`;
  text += notesText(ns);
  text += `\nTotal ${results.duration_s} s. JSON: ${jsonRel}\n`;
  process.stdout.write(text);

  mkdirSync(dirname(JSON_PATH), { recursive: true });
  writeFileSync(JSON_PATH, `${JSON.stringify({ ...results, tables: { saves: { header: A_HEADER, rows: a }, kill: { header: B_HEADER, rows: b }, rounds: { header: ROUND_HEADER, rows: r } } }, null, 2)}\n`);

  const md = [
    "# Robustness: saves under load, SIGKILL under load",
    "",
    "Generated by `bench/robustness.mjs`; see [README.md](README.md#robustness-benchmark) for what is measured and how to read it.",
    "",
    ...runFacts(results, machineLine(m)),
    "",
    `## ${aTitle}`,
    "",
    markdownTable(A_HEADER, a),
    "",
    `## ${bTitle}`,
    "",
    markdownTable(B_HEADER, b),
    "",
    "Per round (acked = the server answered 2xx; lost = not found, or found without what was written, after the restart):",
    "",
    markdownTable(ROUND_HEADER, r),
    "",
    ...notesMarkdown(ns),
  ].join("\n");
  // A partial run (--only) does not replace the committed results.
  if (!ONLY) writeFileSync(join(BENCH_DIR, "ROBUSTNESS.md"), md);
}

const watchdog = setTimeout(() => {
  log(`\nrobustness benchmark: still running after ${WATCHDOG_MS / 60_000} min; aborting`);
  results.errors.push(`aborted by the ${WATCHDOG_MS / 60_000} min watchdog`);
  cleanupAll();
  try {
    report();
  } finally {
    process.exit(2);
  }
}, WATCHDOG_MS);
watchdog.unref();

try {
  await main();
} catch (err) {
  results.errors.push(String(err?.stack ?? err));
  log(`benchmark aborted: ${err?.stack ?? err}`);
} finally {
  cleanupAll();
}
clearTimeout(watchdog);
({ busy_pct: results.machine.busy_after_pct, loadavg: results.machine.loadavg_after } = await machineLoad());
report();
process.exit(results.errors.length && !Object.keys(results.servers).length ? 1 : 0);
