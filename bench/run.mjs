#!/usr/bin/env node
// `npm run bench`: lg-dev vs the official `langgraphjs dev` vs a bare Fastify ceiling, one after the other, on the
// same fixture (bench/fixture: echo graph + token auth). See bench/README.md.
//
//   node bench/run.mjs [--quick] [--no-official] [--no-scaling] [--capacity-seconds N] [--no-cache]
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureOfficial } from "./lib/official.mjs";
import { cleanupAll, machineInfo, machineLine, machineLoad, phaseRunner } from "./lib/proc.mjs";
import { interleavedCapacity, interleavedStartup, mainWorkloads, reload, restartWithHistory, scaling, startup } from "./lib/phases.mjs";
import { buildScalingTable, buildTable, growth, MAIN_HEADER, markdownTable, notesMarkdown, notesText, runFacts, SCALING_HEADER, textTable } from "./lib/report.mjs";
import { BENCH_DIR, ceiling, fixtureCopy, lgDev, official, REPO_ROOT } from "./lib/servers.mjs";
import { capacity } from "./lib/workloads.mjs";

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : dflt;
};
if (flag("--help") || flag("-h")) {
  process.stdout.write(`node bench/run.mjs [options]
  --quick                skip the 100,000-thread scaling step (and make one capacity run instead of three)
  --no-official          do not install/run the official server (lg-dev and Fastify only)
  --no-scaling           skip the scaling phase
  --capacity-seconds N   length of each autocannon capacity run (default 5; 3 runs, median; --quick: 1 run of 5)
  --no-cache             always npm-install the official server into a temp dir (ignore /tmp/official)
  --only NAME            run only lg-dev, official, fastify or scaling (debugging; the table shows what ran)
`);
  process.exit(0);
}
const quick = flag("--quick");
const onlyIdx = argv.indexOf("--only");
const only = onlyIdx >= 0 ? argv[onlyIdx + 1] : undefined;
const wants = (name) => !only || only === name;
const capacitySeconds = option("--capacity-seconds", 5);
const capacityRounds = quick ? 1 : 3;
const log = (msg) => process.stderr.write(`${msg}\n`);
const started = performance.now();

// LG_BENCH_LGDEV_BIN: measure another lg-dev build (an A/B experiment); such a run does not replace RESULTS.md.
const experiment = process.env.LG_BENCH_LGDEV_BIN;
const results = {
  date: new Date().toISOString(),
  ...(experiment ? { lgdev_bin: experiment } : {}),
  command: `npm run bench${argv.length ? ` -- ${argv.join(" ")}` : ""}`,
  machine: machineInfo(),
  settings: { quick, capacity_seconds: capacitySeconds, capacity_rounds: capacityRounds, capacity_connections: 64 },
  official: {},
  servers: {},
  scaling: null,
  errors: [],
};

/** Run a phase; on failure record the error and carry on with the rest of the benchmark. */
const phase = phaseRunner({ log, errors: results.errors, stackLines: 6 });

/** Every phase for one server kind (lg-dev or official), each on its own temp copy of the fixture. */
async function benchServer(kind, { capacityLater = false } = {}) {
  log(`\n== ${kind.name}`);
  const out = {};
  results.servers[kind.name] = out;
  const proj = fixtureCopy(`lg-bench-${kind.name}-`, kind.nodeModules);
  try {
    if (!capacityLater) {
      out.startup = await phase(`${kind.name}: start-up ×3`, () => startup(kind, proj.dir, 3));
      if (out.startup) log(`  start-up ${out.startup.samples.join(", ")} ms`);
    }
    const rounds = capacityLater ? 0 : capacityRounds;
    out.main = await phase(`${kind.name}: workloads`, () => mainWorkloads(kind, proj.dir, { capacitySeconds, capacityRounds: rounds, log }));
  } finally {
    proj.remove();
  }
  out.reload = await phase(`${kind.name}: hot reload`, () => reload(kind, kind.nodeModules, log));
  out.restart = await phase(`${kind.name}: restart with stored history`, () => restartWithHistory(kind, kind.nodeModules, { log }));
}

async function main() {
  log(`lg-dev benchmark: ${results.machine.nproc} CPUs (${results.machine.cpu}), node ${results.machine.node}`);
  // Other work on the machine skews every figure: record how busy it was before we started (and after, in report()).
  ({ busy_pct: results.machine.busy_before_pct, loadavg: results.machine.loadavg_before } = await machineLoad());
  log(`  machine busy before start: ${results.machine.busy_before_pct}% of all CPUs (load average ${results.machine.loadavg_before.join(", ")})`);
  let officialKind;
  if (flag("--no-official") || !wants("official")) {
    results.official = { skipped: "--no-official" };
  } else {
    const inst = await phase("official server: find or install", () => ensureOfficial({ log, noCache: flag("--no-cache") }));
    if (inst?.dir) {
      results.official = { source: inst.source, packages: "@langchain/langgraph-cli@1.5.1 @langchain/langgraph-api@1.5.1 @langchain/langgraph@1.7.3 @langchain/core@1.4.0" };
      log(`  official server: ${inst.source}`);
      officialKind = official(inst.dir);
    } else {
      results.official = { error: inst?.error ?? "could not install the official server" };
      log(`  the official server could not be installed; reporting lg-dev's own figures only. ${results.official.error}`);
    }
  }

  // With every server in the run, capacity is measured at the end with the servers taking turns, each run on a
  // fresh instance (see interleavedCapacity); a partial run (--only, no official server) measures it per server.
  const together = Boolean(officialKind) && only === undefined;
  results.settings.capacity_interleaved = together;
  if (wants("lg-dev")) await benchServer(lgDev(), { capacityLater: together });
  if (officialKind) await benchServer(officialKind, { capacityLater: together });
  if (together) {
    log(`\n== start-up, the servers taking turns`);
    const got = await phase("start-up (interleaved)", () => interleavedStartup([lgDev(), officialKind], { rounds: 3 }));
    for (const [name, s] of Object.entries(got ?? {})) {
      results.servers[name].startup = s;
      log(`  ${name}: ${s.samples.join(", ")} ms`);
    }
    await benchCapacityTogether([lgDev(), officialKind, ceiling()]);
  }
  else if (wants("fastify")) await benchCeiling();
  if (!flag("--no-scaling") && (wants("lg-dev") || only === "scaling")) {
    log(`\n== scaling (lg-dev)`);
    const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
    results.scaling = (await phase("lg-dev: scaling", () => scaling(lgDev(), join(REPO_ROOT, "node_modules"), { sizes, log }))) ?? null;
  }
}

/** Capacity of lg-dev, the official server and the bare Fastify ceiling, in turns (`capacityRounds` rounds). */
async function benchCapacityTogether(kinds) {
  log(`\n== capacity, the servers taking turns`);
  const got = await phase("capacity (interleaved)", () => interleavedCapacity(kinds, { seconds: capacitySeconds, rounds: capacityRounds, log }));
  if (!got) return;
  for (const [name, { auth, unauth }] of Object.entries(got)) {
    const target = name === "fastify" ? (results.servers.fastify = {}) : (results.servers[name].main ??= {});
    target.capacity_auth = auth;
    target.capacity_401 = unauth;
    log(`  ${name}: token ${auth.rps} req/s, 401 ${unauth.rps} req/s (medians)`);
  }
}

/** The same capacity workloads against a bare Fastify route: the ceiling on this machine. */
async function benchCeiling() {
  log(`\n== bare Fastify ceiling`);
  const ceil = ceiling();
  const tmp = fixtureCopy("lg-bench-fastify-", join(REPO_ROOT, "node_modules"));
  await phase("fastify: capacity", async () => {
    const srv = await ceil.start({ projectDir: tmp.dir });
    try {
      const auth = await capacity(srv.url, { auth: true, seconds: capacitySeconds, rounds: capacityRounds, pid: srv.pid });
      log(`  POST /threads (token): ${auth.rps} req/s`);
      const unauth = await capacity(srv.url, { auth: false, seconds: capacitySeconds, rounds: capacityRounds, pid: srv.pid });
      log(`  POST /threads (no token, 401): ${unauth.rps} req/s`);
      results.servers.fastify = { capacity_auth: auth, capacity_401: unauth };
    } finally {
      await srv.stop();
    }
  });
  tmp.remove();
}

function report() {
  results.duration_s = Math.round((performance.now() - started) / 1000);
  const table = buildTable(results);
  const scal = buildScalingTable(results.scaling);
  const growthNotes = results.scaling
    ? ["search_filtered", "search_unfiltered", "runs_list", "history"].map((k) => {
        const g = growth(results.scaling, k);
        return `${k}: ${g.length ? g.map((x) => `${x.from}→${x.to} exponent ${x.exponent}`).join(", ") : "n/a"}`;
      })
    : [];
  const notes = [];
  if (experiment) notes.push(`lg-dev build under test: ${experiment} (LG_BENCH_LGDEV_BIN experiment; RESULTS.md not rewritten).`);
  if (results.official.error) notes.push(`Official server not measured: ${results.official.error}`);
  if (results.official.skipped) notes.push(`Official server skipped (${results.official.skipped}).`);
  if (results.official.source) notes.push(`Official server: ${results.official.packages} (${results.official.source}).`);
  for (const name of ["lg-dev", "official"]) {
    const s = results.servers[name];
    if (s?.reload?.note) notes.push(`${name} reload: ${s.reload.note}`);
    const f = s?.main?.fanout;
    if (f && !f.all_received_everything) {
      notes.push(`${name} fan-out: only ${f.complete}/${f.joiners} joiners received all ${f.expected_events} events (fewest received by one joiner: ${f.min_events}); events were split between joiners instead of copied to each.`);
    }
    if (s?.restart?.note) notes.push(`${name} restart: ${s.restart.note}`);
    if (s?.restart?.ms) notes.push(`${name} restart: ${s.restart.threads} threads + ${s.restart.runs} runs, ${s.restart.stored_mb} MB in .langgraph_api/, history ${s.restart.history_kept ? "kept" : "LOST"}.`);
    for (const [k, v] of Object.entries(s?.main ?? {})) {
      if (v && typeof v === "object" && (v.errors || v.unexpected)) notes.push(`${name} ${k}: ${v.errors ?? 0} errors, ${v.unexpected ?? 0} unexpected statuses${v.firstError ? ` (${v.firstError})` : ""}`);
    }
  }
  for (const e of results.errors) notes.push(`Phase failed: ${e.split("\n")[0]}`);
  const busy = Math.max(results.machine.busy_before_pct ?? 0, results.machine.busy_after_pct ?? 0);
  if (busy > 10) {
    notes.unshift(`WARNING: the machine was ${busy}% busy with other work when the benchmark was idle (before ${results.machine.busy_before_pct}%, after ${results.machine.busy_after_pct}%; load average ${results.machine.loadavg_before?.join(", ")}): absolute figures are skewed, ratios less so. Rerun on a quiet machine.`);
  }

  const m = results.machine;
  let text = `\nlg-dev benchmark — ${results.date}\n${machineLine(m)}\n\n${textTable(MAIN_HEADER, table)}\n`;
  if (scal.length) text += `\nScaling (lg-dev; 90% bare threads, 10% threads with one echo run; search = limit 10)\n\n${textTable(SCALING_HEADER, scal)}\n\nGrowth exponents of p50 (1 = linear, 2 = quadratic): ${growthNotes.join("; ")}\n`;
  text += notesText(notes);
  text += `\nTotal ${results.duration_s} s. JSON: bench/results/${experiment ? "experiment" : "latest"}.json\n`;
  process.stdout.write(text);

  mkdirSync(join(BENCH_DIR, "results"), { recursive: true });
  writeFileSync(join(BENCH_DIR, "results", experiment ? "experiment.json" : "latest.json"), `${JSON.stringify({ ...results, table: { header: MAIN_HEADER, rows: table } }, null, 2)}\n`);

  const md = [
    "# Benchmark results",
    "",
    "Generated by `bench/run.mjs`; see [README.md](README.md) for what each figure measures. Ratios are lg-dev / official from one run on one machine.",
    "",
    ...runFacts(results, machineLine(m)),
    `- Capacity: autocannon, 64 connections, ${capacityRounds === 1 ? "one run" : `median of ${capacityRounds} runs`} of ${capacitySeconds} s (after a 1 s warm-up)${results.settings.capacity_interleaved ? ", the three servers measured in turns (rotated order), a fresh instance for every run" : ""}; latency: @langchain/langgraph-sdk Client`,
    "",
    markdownTable(MAIN_HEADER, table),
    "",
    ...(scal.length
      ? ["## Scaling (lg-dev)", "", "90% bare threads, 10% threads with one echo run; `threads.search` with `limit: 10`; run listing and history on a thread with 25 runs.", "", markdownTable(SCALING_HEADER, scal), "", `Growth exponents of p50 between sizes (1 = linear, 2 = quadratic): ${growthNotes.join("; ")}`, ""]
      : []),
    ...notesMarkdown(notes),
  ].join("\n");
  // A partial run (--only) does not replace the committed results.
  if (!only && !experiment) writeFileSync(join(BENCH_DIR, "RESULTS.md"), md);
}

try {
  await main();
} catch (err) {
  results.errors.push(String(err?.stack ?? err));
  log(`benchmark aborted: ${err?.stack ?? err}`);
} finally {
  cleanupAll();
}
({ busy_pct: results.machine.busy_after_pct, loadavg: results.machine.loadavg_after } = await machineLoad());
report();
process.exit(results.errors.length && !Object.keys(results.servers).length ? 1 : 0);
