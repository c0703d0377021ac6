#!/usr/bin/env node
// `npm run bench:postgres`: the official dev server (in-memory) beside lg-dev on the embedded store and lg-dev on
// PostgreSQL (one process, and two processes on one database), on the bench fixture (echo graph + token auth):
// POST /threads capacity (autocannon, 64 connections in all) and runs.wait p50 at concurrency 1 and 16. The servers
// take turns, each round on fresh instances; the table gives the median of the rounds and each capacity as a multiple
// of the official server's in the same run. Writes bench/POSTGRES.md.
// Run with tsx (it loads the throwaway-cluster helper of the tests):
//   npm run bench:postgres -- [--seconds N] [--rounds N] [--no-official] [--no-cache]
// The official server is found or installed as `npm run bench` does it (lib/official.mjs: $LG_BENCH_OFFICIAL_DIR,
// /tmp/official, else a temp-dir npm install).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startPgCluster } from "../test/helpers/pg-cluster.ts";
import { ensureOfficial } from "./lib/official.mjs";
import { AUTH, cleanupAll, machineInfo, machineLine, machineLoad } from "./lib/proc.mjs";
import { BENCH_DIR, fixtureCopy, lgDev, official } from "./lib/servers.mjs";
import { median } from "./lib/stats.mjs";
import { cannon, capacityWarmUp, INPUT, sdk, waitLatency } from "./lib/workloads.mjs";

const argv = process.argv.slice(2);
const option = (name, dflt) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : dflt);
const seconds = option("--seconds", 5);
const rounds = option("--rounds", 3);
const log = (m) => process.stderr.write(`${m}\n`);

/** POST /threads with the token at 64 connections spread over `urls`, for `seconds`: 2xx per second in all. */
async function capacity(urls) {
  for (const url of urls) await capacityWarmUp(url, { auth: true });
  const per = Math.floor(64 / urls.length);
  const results = await Promise.all(
    urls.map((url) =>
      cannon({ url: `${url}/threads`, method: "POST", connections: per, headers: { "content-type": "application/json", ...AUTH }, body: "{}", duration: seconds }),
    ),
  );
  const ok = results.reduce((n, r) => n + Number(r["2xx"]), 0);
  const errors = results.reduce((n, r) => n + r.errors + r.non2xx, 0);
  const secs = Math.max(...results.map((r) => (r.finish - r.start) / 1000));
  return { rps: Math.round(ok / secs), errors };
}

/** A few runs first: the first run of a graph loads and compiles it (on every server). */
async function warmRuns(url) {
  const c = sdk(url);
  for (let i = 0; i < 20; i++) {
    const t = await c.threads.create();
    await c.runs.wait(t.thread_id, "echo", { input: INPUT });
  }
}

const load = await machineLoad();
const configs = [];
let officialSource;
if (!argv.includes("--no-official")) {
  const inst = await ensureOfficial({ log, noCache: argv.includes("--no-cache") });
  if (inst.dir) {
    officialSource = inst.source;
    configs.push({ name: "official `langgraphjs dev` (in-memory)", kind: official(inst.dir), processes: 1, official: true });
  } else log(`the official server could not be installed: ${inst.error}`);
}
const lg = lgDev();
configs.push(
  { name: "lg-dev, embedded store", kind: lg, processes: 1 },
  { name: "lg-dev --postgres, 1 process", kind: lg, processes: 1, db: "bench_one" },
  { name: "lg-dev --postgres, 2 processes on one database", kind: lg, processes: 2, db: "bench_two" },
);
const samples = new Map(configs.map((c) => [c.name, []]));
const cluster = await startPgCluster();
try {
  for (let round = 1; round <= rounds; round++) {
    for (const c of configs) {
      log(`== round ${round}/${rounds}: ${c.name}`);
      const url = c.db ? await cluster.createDatabase(`${c.db}_${round}`) : undefined;
      const servers = [];
      const fixtures = [];
      try {
        for (let i = 0; i < c.processes; i++) {
          const fx = fixtureCopy("lg-bench-pg-", c.kind.nodeModules);
          fixtures.push(fx);
          servers.push(await c.kind.start({ projectDir: fx.dir, reload: false, extraArgs: url ? ["--postgres", url] : [] }));
        }
        const cap = await capacity(servers.map((s) => s.url));
        log(`   POST /threads: ${cap.rps}/s (${cap.errors} errors)`);
        await warmRuns(servers[0].url);
        // The official server takes ~0.5 s per run here (its queue): fewer runs keep its rows to a minute.
        const w1 = await waitLatency(servers[0].url, 1, c.official ? 40 : 200);
        const w16 = await waitLatency(servers[0].url, 16, c.official ? 160 : 400);
        log(`   runs.wait p50: c=1 ${w1.p50} ms, c=16 ${w16.p50} ms (errors ${w1.errors + w16.errors})`);
        samples.get(c.name).push({ capacity: cap.rps, w1: w1.p50, w16: w16.p50, errors: cap.errors + w1.errors + w16.errors });
      } finally {
        for (const s of servers) await s.stop(5000);
        for (const fx of fixtures) fx.remove();
      }
    }
  }
} finally {
  await cluster.destroy();
  cleanupAll();
}
const after = await machineLoad();

const rows = configs.map((c) => {
  const s = samples.get(c.name);
  return {
    name: c.name,
    official: Boolean(c.official),
    capacity: median(s.map((x) => x.capacity)),
    capacities: s.map((x) => x.capacity),
    w1: median(s.map((x) => x.w1)),
    w1s: s.map((x) => x.w1),
    w16: median(s.map((x) => x.w16)),
    errors: s.reduce((n, x) => n + x.errors, 0),
  };
});
const off = rows.find((r) => r.official);
// The official server's capacity swings with the machine's load more than lg-dev's: each round's lg-dev figure is
// divided by the official one of the same round, and the column shows the median of those ratios.
const ratios = (r) => (off && !r.official ? r.capacities.map((c, i) => c / off.capacities[i]) : []);
const ratio = (r) => (ratios(r).length ? `${median(ratios(r)).toFixed(2)}×` : "");
const pg1 = rows.find((r) => r.name === "lg-dev --postgres, 1 process");
const verdict = (ok) => (ok ? "met" : "**not met**");
const pg1Ratios = ratios(pg1);
const targets = [
  off
    ? `- POST /threads capacity, one process on PostgreSQL ≥ 3× the official server's: median of the rounds' ratios ${ratio(pg1)} — ${verdict(median(pg1Ratios) >= 3)}; ` +
      `met in ${pg1Ratios.filter((x) => x >= 3).length} of ${pg1Ratios.length} rounds (${pg1Ratios.map((x) => `${x.toFixed(2)}×`).join(", ")}).`
    : "- POST /threads capacity ≥ 3× the official server's: not measured (no official server in this run).",
  `- runs.wait p50 at concurrency 1 on PostgreSQL ≤ 15 ms: ${pg1.w1} ms (median of the rounds) — ${verdict(pg1.w1 <= 15)}; ` +
    `met in ${pg1.w1s.filter((x) => x <= 15).length} of ${pg1.w1s.length} rounds.`,
];
const table = [
  "| server | POST /threads capacity (req/s, 64 connections) | × official | runs.wait p50, c=1 (ms) | runs.wait p50, c=16 (ms) | errors |",
  "|---|---:|---:|---:|---:|---:|",
  ...rows.map((r) => `| ${r.name} | ${r.capacity} | ${ratio(r)} | ${r.w1} | ${r.w16} | ${r.errors} |`),
  "| takeover of a SIGKILLed process's run | 5.5-5.7 s, measured by test/e2e/multi-process.test.ts (lease 5 s, sweep every 2 s: at most 7 s) | | | | |",
].join("\n");
const perRound = rows
  .map((r) => `- ${r.name}: capacity ${r.capacities.join(", ")} req/s${ratios(r).length ? ` (${ratios(r).map((x) => `${x.toFixed(2)}×`).join(", ")} the official)` : ""}; runs.wait c=1 p50 ${r.w1s.join(", ")} ms`)
  .join("\n");
const md = `# PostgreSQL backend benchmark

\`npm run bench:postgres -- --seconds ${seconds} --rounds ${rounds}\` on ${new Date().toISOString().slice(0, 10)}; ${machineLine({ ...machineInfo(), busy_before_pct: load.busy_pct, busy_after_pct: after.busy_pct })}.
PostgreSQL 15 from Debian's binaries on a throwaway cluster on the same machine (fsync off, as the tests run it:
test/helpers/pg-cluster.ts). Two processes: the load is split over both (32 connections each); runs.wait goes to the first.
The official server: @langchain/langgraph-cli 1.5.1 (\`langgraphjs dev\`, in-memory), ${officialSource ?? "not run"}.
The servers take turns, ${rounds} round(s) on fresh instances; each figure is the median of the rounds.
lg-dev, PostgreSQL and the load generator share the machine (and, on the development machine, other jobs): compare
rows of one run with each other, not with bench/RESULTS.md.

${table}

Targets (issue 16 point 7):
${targets.join("\n")}

Each round:
${perRound}
`;
writeFileSync(join(BENCH_DIR, "POSTGRES.md"), md);
process.stdout.write(`${md}\n`);
