#!/usr/bin/env node
// Hot reload: time from saving a file to the new answer, and memory over many consecutive reloads.
//
//   npm run build && node bench/reload.mjs [--saves 30] [--reloads 300] [--modules 0,50] [--json out.json]
//
// The server runs in this process (dist/dev startDev, the same code the CLI runs) so that memory can be read
// after a forced GC: RSS alone mixes what is retained with what V8 has not returned yet. The project is
// generated in a temp dir: an echo graph importing a helper, plus `--modules` extra project modules the graph
// imports (to see how the per-reload cost scales with the size of the project).
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");

if (typeof globalThis.gc !== "function") {
  // Re-run with --expose-gc so retained heap can be measured after a full collection.
  const r = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith("--") ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []),
);
const SAVES = Number(args.saves ?? 30);
const RELOADS = Number(args.reloads ?? 300);
const MODULE_COUNTS = String(args.modules ?? "0,50").split(",").map(Number);
const BOUND_MS = 10_000;

const { startDev } = await import(join(REPO, "dist/dev/index.js"));
const { createLogger } = await import(join(REPO, "dist/logger.js"));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const mb = (bytes) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** A project: graph.ts imports helper.ts and `modules` lib files (each a few dozen functions and a table). */
function makeProject(modules) {
  const dir = mkdtempSync(join(tmpdir(), "lg-dev-bench-reload-"));
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"), "dir");
  mkdirSync(join(dir, "src/lib"), { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "bench-reload", private: true, type: "module" }));
  writeFileSync(join(dir, "langgraph.json"), JSON.stringify({ graphs: { echo: "./src/graph.ts:graph" } }));
  writeFileSync(join(dir, "src/helper.ts"), helperSource(0));
  for (let m = 0; m < modules; m++) {
    const fns = Array.from({ length: 40 }, (_, f) => `export function f${f}(x: number): number { return x * ${f + 1} + ${m}; }`);
    const table = `export const TABLE = Array.from({ length: 200 }, (_, i) => ({ id: i, name: "row" + i, module: ${m} }));`;
    writeFileSync(join(dir, `src/lib/m${m}.ts`), [...fns, table, ""].join("\n"));
  }
  writeFileSync(join(dir, "src/graph.ts"), graphSource("v0", modules));
  return dir;
}

function helperSource(n) {
  return `export function decorate(text: string): string { return \`h${n}(\${text})\`; }\n`;
}

function graphSource(version, modules) {
  const imports = Array.from({ length: modules }, (_, m) => `import * as m${m} from "./lib/m${m}.js";`);
  const sum = modules ? Array.from({ length: modules }, (_, m) => `m${m}.TABLE.length`).join(" + ") : "0";
  return `import { Annotation, StateGraph } from "@langchain/langgraph";
import { decorate } from "./helper.js";
${imports.join("\n")}
const State = Annotation.Root({ text: Annotation<string>, answer: Annotation<string> });
export const VERSION = "${version}";
const ROWS = ${sum};
export const graph = new StateGraph(State)
  .addNode("respond", (s: typeof State.State) => ({ answer: \`\${VERSION} \${decorate(s.text)} \${ROWS}\` }))
  .addEdge("__start__", "respond")
  .compile();
`;
}

async function start(dir) {
  const reloads = { done: 0, failed: 0, lines: [] };
  const sink = {
    out: (s) => {
      if (/ reloaded /.test(s)) reloads.done++;
      reloads.lines.push(s);
      if (reloads.lines.length > 50) reloads.lines.shift();
    },
    err: (s) => {
      if (/reload failed/.test(s)) {
        reloads.failed++;
        process.stderr.write(s);
      }
    },
  };
  const server = await startDev(
    { config: dir, port: 0, host: "127.0.0.1", browser: false, reload: true, jobsPerWorker: 10, studioUrl: "", logLevel: "info", cwd: dir },
    createLogger("info", sink),
  );
  return { server, reloads };
}

async function ask(url, text = "q") {
  const res = await fetch(`${url}/runs/wait`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ assistant_id: "echo", input: { text } }),
  });
  if (res.status !== 200) throw new Error(`runs/wait answered ${res.status}: ${await res.text()}`);
  return (await res.json()).answer;
}

async function until(what, probe) {
  const deadline = performance.now() + BOUND_MS;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** Save `file`, then poll the API until the answer shows the new code; ms from the write to that answer. */
async function saveToAnswer(url, write, expect) {
  const t0 = performance.now();
  write();
  await until("the new answer", async () => (await ask(url)).includes(expect));
  return performance.now() - t0;
}

function memory() {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

async function runFor(modules) {
  const dir = makeProject(modules);
  const { server, reloads } = await start(dir);
  const url = server.url;
  try {
    // The watcher's initial scan runs in the background; a first save proves it is live.
    await until("the first answer", async () => (await ask(url)).startsWith("v0 "));
    let n = 0;
    await until("the watcher", async () => {
      writeFileSync(join(dir, "src/helper.ts"), helperSource(++n));
      await sleep(100);
      return reloads.done > 0;
    });
    await until("the warm-up reload", async () => (await ask(url)).includes(`h${n}(`));

    // 1. Save -> new answer.
    const graphTimes = [];
    for (let i = 1; i <= SAVES; i++) {
      graphTimes.push(await saveToAnswer(url, () => writeFileSync(join(dir, "src/graph.ts"), graphSource(`v${i}`, modules)), `v${i} `));
      await sleep(20);
    }
    const helperTimes = [];
    for (let i = 1; i <= SAVES; i++) {
      n++;
      helperTimes.push(await saveToAnswer(url, () => writeFileSync(join(dir, "src/helper.ts"), helperSource(n)), `h${n}(`));
      await sleep(20);
    }

    // 2. Memory over RELOADS consecutive reloads (each one checked by a run on the new code).
    const samples = [{ reloads: 0, ...memory() }];
    for (let i = 1; i <= RELOADS; i++) {
      n++;
      const before = reloads.done;
      writeFileSync(join(dir, "src/helper.ts"), helperSource(n));
      await until(`reload ${i}`, () => reloads.done > before);
      const answer = await ask(url);
      if (!answer.includes(`h${n}(`)) throw new Error(`reload ${i}: stale answer ${answer}`);
      if (i % 50 === 0) samples.push({ reloads: i, ...memory() });
    }
    const first = samples[0];
    const last = samples.at(-1);
    // Growth per reload: least-squares slope over the samples. RSS skips the first sample: right after the
    // latency phase it still holds memory V8 returns to the system a little later.
    const slope = (key, from = 0) => {
      const xs = samples.slice(from).map((s) => s.reloads);
      const ys = samples.slice(from).map((s) => s[key]);
      const mx = xs.reduce((a, b) => a + b) / xs.length;
      const my = ys.reduce((a, b) => a + b) / ys.length;
      return xs.reduce((acc, x, i) => acc + (x - mx) * (ys[i] - my), 0) / xs.reduce((acc, x) => acc + (x - mx) ** 2, 0);
    };
    return {
      modules,
      project_files: modules + 2,
      save_graph_to_answer_ms: { n: graphTimes.length, p50: round(pct(graphTimes, 50)), p90: round(pct(graphTimes, 90)), max: round(Math.max(...graphTimes)) },
      save_helper_to_answer_ms: { n: helperTimes.length, p50: round(pct(helperTimes, 50)), p90: round(pct(helperTimes, 90)), max: round(Math.max(...helperTimes)) },
      reloads: RELOADS,
      failed_reloads: reloads.failed,
      rss_mb: { before: mb(first.rss), after_50: mb(samples[1]?.rss ?? first.rss), after: mb(last.rss), growth_from_50: mb(last.rss - (samples[1]?.rss ?? first.rss)) },
      heap_after_gc_mb: { before: mb(first.heap), after: mb(last.heap), growth: mb(last.heap - first.heap) },
      per_reload_kb: { rss: round(slope("rss", 1) / 1024), heap: round(slope("heap") / 1024) },
      samples: samples.map((s) => ({ reloads: s.reloads, rss_mb: mb(s.rss), heap_mb: mb(s.heap) })),
    };
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = [];
for (const modules of MODULE_COUNTS) {
  process.stderr.write(`project with ${modules + 2} files: ${SAVES} graph saves, ${SAVES} helper saves, ${RELOADS} reloads...\n`);
  const r = await runFor(modules);
  results.push(r);
  const { samples, ...rest } = r;
  console.log(JSON.stringify(rest));
  console.log(`  samples: ${samples.map((s) => `${s.reloads}:${s.rss_mb}/${s.heap_mb}`).join("  ")}  (reloads:rss/heap MB)`);
}
if (args.json) writeFileSync(args.json, JSON.stringify({ node: process.version, results }, null, 2));
process.exit(0);
