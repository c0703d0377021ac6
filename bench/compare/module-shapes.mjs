#!/usr/bin/env node
// lg-dev and the official server (`langgraphjs dev`) on the same project: test/fixtures/module-shapes, whose graphs
// import real npm packages of every module shape (and the retrieval template's mongodb/pinecone module). Both must
// serve every graph and answer the same. Prints one line per graph and exits 1 on any difference.
//
//   npm run build && node bench/compare/module-shapes.mjs
//
// The official server is found or installed as for `npm run bench` (bench/lib/official.mjs); the fixture's packages
// are installed from npm (the cache first) into a temp copy.
import { execFileSync } from "node:child_process";
import { cpSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@langchain/langgraph-sdk";
import { ensureOfficial } from "../lib/official.mjs";
import { cleanupAll, tempDir } from "../lib/proc.mjs";
import { REPO_ROOT, lgDev, official } from "../lib/servers.mjs";

const RUNS = [
  ["shapes", {}, {}],
  ["retrieval_graph", { query: "q" }, { retrieverProvider: "mongodb", userId: "alice" }],
  ["indexer", { docs: [] }, { retrieverProvider: "pinecone" }],
];

async function answers(server) {
  const client = new Client({ apiUrl: server.url, callerOptions: { maxRetries: 0 } });
  const out = {};
  for (const [graph, input, configurable] of RUNS) {
    try {
      out[graph] = await client.runs.wait(null, graph, { input, config: { configurable } });
    } catch (err) {
      out[graph] = { error: String(err?.message ?? err) };
    }
  }
  return out;
}

let failed = false;
try {
  const found = await ensureOfficial();
  if (found.error) throw new Error(found.error);
  console.error(`official server: ${found.source}`);
  const project = tempDir("lg-compare-shapes-");
  cpSync(join(REPO_ROOT, "test", "fixtures", "module-shapes"), project.dir, { recursive: true });
  execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: project.dir, stdio: "inherit" });
  symlinkSync(join(REPO_ROOT, "node_modules", "@langchain"), join(project.dir, "node_modules", "@langchain"), "dir");

  const results = {};
  for (const kind of [lgDev(), official(found.dir)]) {
    const server = await kind.start({ projectDir: project.dir, reload: false, extraArgs: kind.name === "lg-dev" ? ["--no-persist"] : [] });
    try {
      results[kind.name] = await answers(server);
    } finally {
      await server.stop();
    }
  }
  for (const [graph] of RUNS) {
    const a = JSON.stringify(results["lg-dev"][graph]);
    const b = JSON.stringify(results.official[graph]);
    const same = a === b;
    failed ||= !same;
    console.log(`${same ? "same     " : "DIFFERENT"} ${graph}${same ? "" : `\n  lg-dev:   ${a}\n  official: ${b}`}`);
  }
} catch (err) {
  console.error(err);
  failed = true;
} finally {
  cleanupAll();
}
process.exit(failed ? 1 : 0);
