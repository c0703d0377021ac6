#!/usr/bin/env node
// Count the statements lg-dev sends to PostgreSQL per POST /threads and per runs.wait (echo graph), with
// log_statement=all on a throwaway cluster. `npm run build && tsx bench/pg-roundtrips.mjs [runs]`.
import { readFileSync } from "node:fs";
import { startPgCluster } from "../test/helpers/pg-cluster.ts";
import { AUTH, cleanupAll } from "./lib/proc.mjs";
import { fixtureCopy, lgDev } from "./lib/servers.mjs";

const n = Number(process.argv[2] ?? 5);
const cluster = await startPgCluster();
const kind = lgDev();
const fx = fixtureCopy("lg-bench-pgrt-", kind.nodeModules);
let server;
try {
  const url = await cluster.createDatabase("rt");
  server = await kind.start({ projectDir: fx.dir, reload: false, extraArgs: ["--postgres", url] });
  const post = (path, body) =>
    fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...AUTH }, body: JSON.stringify(body) }).then(async (r) => {
      if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return r.json();
    });
  // warm up (graph load, first statements)
  const warm = await post("/threads", {});
  await post(`/threads/${warm.thread_id}/runs/wait`, { assistant_id: "echo", input: { messages: [{ role: "user", content: "hi" }] } });
  await new Promise((r) => setTimeout(r, 300));
  const mark = () => readFileSync(cluster.dir + "/server.log", "utf8").length;
  await cluster.query("ALTER SYSTEM SET log_statement = 'all'");
  await cluster.query("ALTER SYSTEM SET log_line_prefix = '%m [%p] %a '");
  await cluster.query("SELECT pg_reload_conf()");
  await new Promise((r) => setTimeout(r, 300));
  const section = async (label, fn) => {
    const from = mark();
    await fn();
    await new Promise((r) => setTimeout(r, 500));
    const text = readFileSync(cluster.dir + "/server.log", "utf8").slice(from);
    const stmts = text.split("\n").filter((l) => /LOG:  (statement|execute)/.test(l) && !/pg_reload_conf|ALTER SYSTEM/.test(l));
    console.log(`\n== ${label}: ${stmts.length} statements`);
    let t0;
    for (const s of stmts) {
      const m = /^(\S+ \S+) \S+ \[(\d+)\]/.exec(s);
      const t = m ? Date.parse(m[1].replace(" ", "T") + "Z") : NaN;
      t0 ??= t;
      const ms = Number.isNaN(t) ? "" : String(t - t0).padStart(4);
      console.log(`  ${ms} ${m?.[2] ?? ""} ${s.replace(/^.*?LOG:  /, "").slice(0, 150)}`);
    }
  };
  const threads = [];
  await section(`POST /threads ×${n}`, async () => {
    for (let i = 0; i < n; i++) threads.push((await post("/threads", {})).thread_id);
  });
  await section(`runs.wait ×1`, async () => {
    await post(`/threads/${threads[0]}/runs/wait`, { assistant_id: "echo", input: { messages: [{ role: "user", content: "hi" }] } });
  });
} finally {
  await server?.stop(5000);
  fx.remove();
  await cluster.destroy();
  cleanupAll();
}
