#!/usr/bin/env node
// Thread search and count at scale, in-process: N threads created through the services over one Storage (no HTTP),
// then each query timed many times.
//
//   npm run build && node bench/search.mjs [--threads 100000] [--iterations 300] [--dist path/to/dist] [--json out.json]
//
// Metadata: graph_id "agent" (all), user_id one of 1000 (100 threads each), owner one of 10; 1% of threads busy.
// "auth" queries run with an authorization handler that returns {owner: "owner-3"} for every search.
import { writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith("--") ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []),
);
const N = Number(args.threads ?? 100_000);
const ITER = Number(args.iterations ?? 300);
const DIST = resolve(args.dist ?? resolve(REPO, "dist"));
const load = (p) => import(pathToFileURL(resolve(DIST, p)).href);

// This build's embedded backend, or (--dist of an older build) the storage that came before it.
const embedded = await load("storage/embedded/backend.js").catch(() => undefined);
const { Storage } = await load(embedded ? "storage/embedded/storage.js" : "storage/storage.js");
const { buildServices } = await load("services/index.js");
const { createDisabledAuthService } = await load("auth/index.js");

const silent = { debug() {}, info() {}, warn() {}, error() {}, child() { return silent; } };
const noAuth = createDisabledAuthService();
const ownerAuth = { ...noAuth, enabled: true, authorize: async () => ({ owner: "owner-3" }) };
const auth = { current: noAuth };
const storage = new Storage();
const services = buildServices({ ...(embedded ? { backend: new embedded.EmbeddedBackend(storage) } : { storage }), auth, graphs: { has: () => false, get: () => undefined }, logger: silent, concurrency: 1 });
const { threads } = services;
const ctx = {};

let t = performance.now();
for (let i = 0; i < N; i++) {
  const th = await threads.create(ctx, { metadata: { graph_id: "agent", user_id: `user-${i % 1000}`, owner: `owner-${i % 10}` } });
  if (i % 100 === 7) threads.setStatus(th.thread_id, "busy");
}
const createMs = performance.now() - t;
console.log(`created ${N} threads in ${(createMs / 1000).toFixed(1)} s (${DIST})`);

const queries = [
  ["search all (default sort created_at desc)", () => threads.search(ctx, {})],
  ["search all, created_at asc", () => threads.search(ctx, { sort_order: "asc" })],
  ["search all, offset 5000", () => threads.search(ctx, { offset: 5000 })],
  ["search all, sort_by updated_at", () => threads.search(ctx, { sort_by: "updated_at" })],
  ["search all, sort_by thread_id asc", () => threads.search(ctx, { sort_by: "thread_id", sort_order: "asc" })],
  ["search all, sort_by status", () => threads.search(ctx, { sort_by: "status" })],
  ["metadata user_id (100 matches)", () => threads.search(ctx, { metadata: { user_id: `user-${Math.floor(Math.random() * 1000)}` } })],
  ["metadata graph_id (all match)", () => threads.search(ctx, { metadata: { graph_id: "agent" } })],
  ["metadata graph_id + user_id", () => threads.search(ctx, { metadata: { graph_id: "agent", user_id: "user-42" } })],
  ["status busy (1000 matches)", () => threads.search(ctx, { status: "busy" })],
  ["values filter (full scan)", () => threads.search(ctx, { values: { x: 1 } })],
  ["count metadata user_id", () => threads.count(ctx, { metadata: { user_id: "user-42" } })],
  ["count all", () => threads.count(ctx, {})],
  ["auth owner: search all", () => threads.search(ctx, {}), ownerAuth],
  ["auth owner: metadata user_id", () => threads.search(ctx, { metadata: { user_id: "user-43" } }), ownerAuth],
];

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const results = [];
for (const [name, fn, authService] of queries) {
  auth.current = authService ?? noAuth;
  for (let i = 0; i < 20; i++) await fn();
  const times = [];
  let sample;
  for (let i = 0; i < ITER; i++) {
    t = performance.now();
    sample = await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const r = { name, p50: pct(times, 50), p99: pct(times, 99), total: typeof sample === "number" ? sample : sample.total };
  results.push(r);
  console.log(`${name.padEnd(44)} p50 ${r.p50.toFixed(3).padStart(8)} ms   p99 ${r.p99.toFixed(3).padStart(8)} ms   total ${r.total}`);
}
auth.current = noAuth;
if (args.json) writeFileSync(args.json, JSON.stringify({ threads: N, iterations: ITER, createMs, results }, null, 2));
process.exit(0);
