// Soak: 100,000 runs over 10,000 threads with deletes mixed in (a third of the threads deleted right after their
// runs, the others once 1,000 newer threads have been through: a steady state, as a long dev session), against lg-dev in this process (so its internal
// maps can be read), with the journal on. It samples heap (after a GC), RSS, the data directory's size and the
// sizes of lg-dev's internal maps over time, then deletes everything and checks that memory comes back to within
// 10 % of where it started and that the journal compacts. Not a test: it reports figures.
//
//   npm run bench:soak                       # the full soak (a few minutes)
//   npm run bench:soak -- --runs 10000 --threads 1000
//
// Exit code 1 when a check fails (memory not back within 10 %, the data directory not compacted).
import { execFileSync } from "node:child_process";
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { REPO_ROOT, fixtureCopy } from "./lib/servers.mjs";

if (typeof globalThis.gc !== "function") {
  // Measuring memory needs explicit GCs: run again with --expose-gc.
  try {
    execFileSync(process.execPath, ["--expose-gc", ...process.execArgv, new URL(import.meta.url).pathname, ...process.argv.slice(2)], { stdio: "inherit" });
    process.exit(0);
  } catch (err) {
    process.exit(err.status ?? 1);
  }
}

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "100000" },
    threads: { type: "string", default: "10000" },
    concurrency: { type: "string", default: "16" },
    samples: { type: "string", default: "10" },
    window: { type: "string", default: "1000" },
    "compact-mb": { type: "string" },
    markdown: { type: "string" },
  },
});
const RUNS = Number(args.runs);
const THREADS = Number(args.threads);
const RUNS_PER_THREAD = Math.max(1, Math.round(RUNS / THREADS));
const CONCURRENCY = Number(args.concurrency);
const WINDOW = Number(args.window);
const SAMPLE_EVERY = Math.max(1, Math.floor(THREADS / Number(args.samples)));
const HEADERS = { authorization: "Bearer bench-token", "content-type": "application/json" };

const { startDev } = await import(join(REPO_ROOT, "dist", "dev", "index.js"));
const { createLogger } = await import(join(REPO_ROOT, "dist", "logger.js"));

const log = (...a) => process.stderr.write(`${a.join(" ")}\n`);
const mb = (bytes) => Math.round((bytes / 1048576) * 10) / 10;

function dirBytes(dir) {
  let total = 0;
  const files = {};
  try {
    for (const f of readdirSync(dir)) {
      const size = statSync(join(dir, f)).size;
      files[f] = size;
      total += size;
    }
  } catch {
    /* not there yet */
  }
  return { total, files };
}

const project = fixtureCopy("lg-dev-soak-", join(REPO_ROOT, "node_modules"));
const dataDir = join(project.dir, ".langgraph_api");
let server;
try {
  server = await startDev(
    { config: project.dir, port: 0, host: "127.0.0.1", browser: false, reload: false, jobsPerWorker: 10, studioUrl: "http://127.0.0.1", logLevel: "warn", persist: true },
    createLogger("warn"),
  );
  const base = server.url;
  const { services } = server;

  async function api(method, path, body) {
    const res = await fetch(base + path, { method, headers: HEADERS, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  /** Sizes of lg-dev's internal maps: what would grow if something leaked. */
  function internals() {
    const s = server.backend.storage; // the embedded backend's collections
    const ex = services.executor;
    const st = services.streams;
    const indexEntries = (c) => [...c.indexes.values()].reduce((n, idx) => n + idx.map.size, 0);
    const order = (c) => (c.order ? c.order.keys.length : 0);
    return {
      threads: s.threads.size,
      "stored runs": s.runs.size,
      checkpoints: s.checkpoints.size,
      writes: s.writes.size,
      store: s.store.size,
      "run index keys": indexEntries(s.runs),
      "checkpoint index keys": indexEntries(s.checkpoints) + indexEntries(s.writes),
      "thread index keys": indexEntries(s.threads),
      "thread order slots": order(s.threads),
      "executor outcomes": ex.outcomes.size,
      "executor waiters": ex.waiters.size,
      "executor busy threads": ex.busyThreads.size,
      "stream channels": st.channels.size,
      "stream thread listeners": st.threadListeners.size,
    };
  }

  const samples = [];
  let runsDone = 0;
  const t0 = performance.now();
  function sample(label) {
    globalThis.gc();
    globalThis.gc();
    const mem = process.memoryUsage();
    const row = { label, runs: runsDone, seconds: Math.round((performance.now() - t0) / 100) / 10, heapMB: mb(mem.heapUsed), rssMB: mb(mem.rss), dataMB: mb(dirBytes(dataDir).total), ...internals() };
    samples.push(row);
    log(`${label.padEnd(22)} runs ${String(row.runs).padStart(6)}  ${String(row.seconds).padStart(6)} s  heap ${row.heapMB} MB  rss ${row.rssMB} MB  data ${row.dataMB} MB  threads ${row.threads}  runs ${row["stored runs"]}  outcomes ${row["executor outcomes"]}  channels ${row["stream channels"]}`);
    return row;
  }

  const human = (text) => ({ messages: [{ role: "user", content: text }] });

  /** One thread's life: created, RUNS_PER_THREAD runs (wait, some streamed, some background + join), then maybe deleted. */
  async function threadLife(i) {
    const { thread_id: id } = await api("POST", "/threads", { metadata: { soak: i % 10 } });
    let firstRun;
    for (let r = 0; r < RUNS_PER_THREAD; r++) {
      const body = { assistant_id: "echo", input: human(`t${i} r${r}`) };
      if (r % 5 === 1) {
        const res = await fetch(`${base}/threads/${id}/runs/stream`, { method: "POST", headers: HEADERS, body: JSON.stringify({ ...body, stream_mode: ["values", "updates"] }) });
        if (res.status !== 200) throw new Error(`stream: ${res.status}`);
        await res.text();
      } else if (r % 5 === 2) {
        const run = await api("POST", `/threads/${id}/runs`, body);
        await api("GET", `/threads/${id}/runs/${run.run_id}/join`);
        firstRun ??= run.run_id;
      } else {
        await api("POST", `/threads/${id}/runs/wait`, body);
      }
      runsDone += 1;
    }
    await api("PUT", "/store/items", { namespace: ["soak", String(i % 100)], key: `k${i}`, value: { i, text: "x".repeat(100) } });
    // Deletes mixed in: a third of the threads go at once, a third lose a run, every other store item goes; the
    // threads kept are deleted once WINDOW newer threads have been through, so the live set reaches a steady state.
    if (i % 3 === 0) await api("DELETE", `/threads/${id}`);
    else {
      if (i % 3 === 1 && firstRun) await api("DELETE", `/threads/${id}/runs/${firstRun}`);
      kept.push(id);
      while (kept.length > WINDOW) await api("DELETE", `/threads/${kept.shift()}`);
    }
    if (i % 2 === 0) await api("DELETE", "/store/items", { namespace: ["soak", String(i % 100)], key: `k${i}` });
  }
  const kept = [];

  async function deleteEverything() {
    for (;;) {
      const page = await api("POST", "/threads/search", { limit: 1000, select: ["thread_id"] });
      if (page.length === 0) break;
      let next = 0;
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (next < page.length) await api("DELETE", `/threads/${page[next++].thread_id}`);
      }));
    }
    for (;;) {
      const { items } = await api("POST", "/store/items/search", { namespace_prefix: ["soak"], limit: 1000 });
      if (items.length === 0) break;
      for (const it of items) await api("DELETE", "/store/items", { namespace: it.namespace, key: it.key });
    }
  }

  // Warm-up: the first runs load modules, fill JIT caches and pools. The baseline is taken after it is deleted.
  log(`soak: ${RUNS_PER_THREAD * THREADS} runs over ${THREADS} threads, concurrency ${CONCURRENCY}, data in ${dataDir}`);
  for (let i = 0; i < 50; i++) await threadLife(-1 - i);
  await deleteEverything();
  kept.length = 0;
  runsDone = 0;
  const start = sample("start (after warm-up)");

  let next = 0;
  const peak = { dataMB: 0 };
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < THREADS) {
        const i = next++;
        await threadLife(i);
        if ((i + 1) % SAMPLE_EVERY === 0) {
          const row = sample(`after ${i + 1} threads`);
          peak.dataMB = Math.max(peak.dataMB, row.dataMB);
        }
      }
    }),
  );
  const full = sample("all runs done");
  const beforeDelete = dirBytes(dataDir);
  await deleteEverything();
  const emptied = sample("everything deleted");
  const afterDelete = dirBytes(dataDir);
  const seconds = (performance.now() - t0) / 1000;

  // Closing snapshots the (now empty) state and drops the journals it covers.
  await server.close();
  server = undefined;
  const afterClose = dirBytes(dataDir);
  log(`data dir: ${mb(beforeDelete.total)} MB with everything, ${mb(afterDelete.total)} MB after deleting it, ${mb(afterClose.total)} MB after close (${Object.entries(afterClose.files).map(([f, b]) => `${f} ${b} B`).join(", ")})`);

  const heapGrowth = (emptied.heapMB - start.heapMB) / start.heapMB;
  const checks = [
    { check: "heap after deleting everything, vs start", value: `${emptied.heapMB} vs ${start.heapMB} MB (${(heapGrowth * 100).toFixed(1)} %)`, ok: heapGrowth <= 0.1 },
    { check: "data dir after close, vs with everything", value: `${mb(afterClose.total)} vs ${mb(beforeDelete.total)} MB (peak ${peak.dataMB} MB)`, ok: afterClose.total < beforeDelete.total / 10 },
    { check: "internal maps empty after deleting everything", value: JSON.stringify(Object.fromEntries(Object.entries(internals()).filter(([, v]) => v > 0))), ok: Object.values(internals()).every((v) => v === 0) },
  ];
  const header = ["sample", "runs", "s", "heap MB", "RSS MB", "data MB", "threads", "stored runs", "checkpoints", "outcomes", "stream channels", "run index keys"];
  const md = [
    `Soak (\`npm run bench:soak\`, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}): ${RUNS_PER_THREAD * THREADS} runs over ${THREADS} threads at concurrency ${CONCURRENCY} in ${Math.round(seconds)} s (${Math.round((RUNS_PER_THREAD * THREADS) / seconds)} runs/s, load generator in the same process).`,
    "",
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...samples.map((r) => `| ${[r.label, r.runs, r.seconds, r.heapMB, r.rssMB, r.dataMB, r.threads, r["stored runs"], r.checkpoints, r["executor outcomes"], r["stream channels"], r["run index keys"]].join(" | ")} |`),
    "",
    ...checks.map((c) => `- ${c.ok ? "PASS" : "FAIL"} ${c.check}: ${c.value}`),
  ].join("\n");
  process.stdout.write(`${md}\n`);
  if (args.markdown) writeFileSync(args.markdown, `${md}\n`);
  process.exitCode = checks.every((c) => c.ok) ? 0 : 1;
} finally {
  if (server) await server.close().catch(() => undefined);
  project.remove();
}
