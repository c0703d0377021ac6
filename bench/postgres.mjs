#!/usr/bin/env node
// `npm run bench:postgres`: lg-dev on the embedded store beside lg-dev on PostgreSQL (one process, and two processes
// on one database), on the bench fixture (echo graph + token auth): POST /threads capacity (autocannon, 64
// connections in all) and runs.wait p50 at concurrency 1 and 16. Writes bench/POSTGRES.md.
// Run with tsx (it loads the throwaway-cluster helper of the tests): `npm run bench:postgres -- [--seconds N]`.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startPgCluster } from "../test/helpers/pg-cluster.ts";
import { AUTH, cleanupAll, machineInfo, machineLine } from "./lib/proc.mjs";
import { BENCH_DIR, fixtureCopy, lgDev } from "./lib/servers.mjs";
import { cannon, capacityWarmUp, waitLatency } from "./lib/workloads.mjs";

const argv = process.argv.slice(2);
const seconds = argv.includes("--seconds") ? Number(argv[argv.indexOf("--seconds") + 1]) : 5;
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

const kind = lgDev();
const rows = [];
const cluster = await startPgCluster();
try {
  const configs = [
    { name: "lg-dev, embedded store", processes: 1, args: [] },
    { name: "lg-dev --postgres, 1 process", processes: 1, db: "bench_one" },
    { name: "lg-dev --postgres, 2 processes on one database", processes: 2, db: "bench_two" },
  ];
  for (const c of configs) {
    log(`== ${c.name}`);
    const url = c.db ? await cluster.createDatabase(c.db) : undefined;
    const servers = [];
    const fixtures = [];
    for (let i = 0; i < c.processes; i++) {
      const fx = fixtureCopy("lg-bench-pg-", kind.nodeModules);
      fixtures.push(fx);
      servers.push(await kind.start({ projectDir: fx.dir, reload: false, extraArgs: url ? ["--postgres", url] : [] }));
    }
    try {
      const cap = await capacity(servers.map((s) => s.url));
      log(`   POST /threads: ${cap.rps}/s (${cap.errors} errors)`);
      const w1 = await waitLatency(servers[0].url, 1, 200);
      const w16 = await waitLatency(servers[0].url, 16, 400);
      log(`   runs.wait p50: c=1 ${w1.p50} ms, c=16 ${w16.p50} ms (errors ${w1.errors + w16.errors})`);
      rows.push({ name: c.name, capacity: cap.rps, capErrors: cap.errors, w1: w1.p50, w16: w16.p50, waitErrors: w1.errors + w16.errors });
    } finally {
      for (const s of servers) await s.stop(5000);
      for (const fx of fixtures) fx.remove();
    }
  }
} finally {
  await cluster.destroy();
  cleanupAll();
}

const table = [
  "| server | POST /threads capacity (req/s, 64 connections) | runs.wait p50, c=1 (ms) | runs.wait p50, c=16 (ms) | errors |",
  "|---|---:|---:|---:|---:|",
  ...rows.map((r) => `| ${r.name} | ${r.capacity} | ${r.w1} | ${r.w16} | ${r.capErrors + r.waitErrors} |`),
  "| takeover of a SIGKILLed process's run | 5.5-5.7 s, measured by test/e2e/multi-process.test.ts (lease 5 s, sweep every 2 s: at most 7 s) | | | |",
].join("\n");
const md = `# PostgreSQL backend benchmark

\`npm run bench:postgres -- --seconds ${seconds}\` on ${new Date().toISOString().slice(0, 10)}; ${machineLine(machineInfo())}.
PostgreSQL 15 from Debian's binaries on a throwaway cluster on the same machine (fsync off, as the tests run it:
test/helpers/pg-cluster.ts). Two processes: the load is split over both (32 connections each); runs.wait goes to the first.
lg-dev, PostgreSQL and the load generator share the machine (and, on the development machine, other jobs): compare
rows of one run with each other, not with bench/RESULTS.md.

${table}
`;
writeFileSync(join(BENCH_DIR, "POSTGRES.md"), md);
process.stdout.write(`${md}\n`);
