#!/usr/bin/env node
// `http.app` side by side: the official `langgraphjs dev` and lg-dev serve the same project with the same Hono app
// (middleware around the API, an API path taken over, routes of its own), the same requests go to both, and the
// answers are compared; then the cost of the middleware on an API call is timed on each (and on lg-dev without it).
//
//   npm run build && node bench/compare/http-app.mjs [--requests 300]
//
// The official server is found or installed as bench/run.mjs does it (bench/lib/official.mjs).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureOfficial } from "../lib/official.mjs";
import { AUTH, cleanupAll } from "../lib/proc.mjs";
import { fixtureCopy, lgDev, official } from "../lib/servers.mjs";
import { cell, table } from "./lib.mjs";

const args = process.argv.slice(2);
const REQUESTS = Number(args[args.indexOf("--requests") + 1] || 300);

/** The custom app: what the official server's docs show for http.app, and the body rewrites a proxy would do. */
const APP = `import { Hono } from "hono";

export const app = new Hono();

app.use(async (c, next) => {
  if (c.req.header("x-block") === "yes") return c.text("blocked by middleware", 401);
  await next();
  c.header("x-middleware", "seen");
});

// Replaces the request before anyone read it: both servers' API reads the new body.
app.use("/threads", async (c, next) => {
  if (c.req.method === "POST") {
    c.req.raw = new Request(c.req.raw.url, { method: "POST", headers: c.req.raw.headers, body: JSON.stringify({ metadata: { replaced: true } }) });
  }
  await next();
});

// Reads the body, changes it, and puts a new request in place.
app.use("/threads/search", async (c, next) => {
  const body = await c.req.json();
  c.req.raw = new Request(c.req.raw, { body: JSON.stringify({ ...body, limit: 1 }) });
  await next();
});

app.get("/custom/hello", (c) => c.json({ hello: "world", user: c.get("auth")?.user?.identity ?? null }));
app.get("/info", (c) => c.json({ overridden: true }));
`;

function project(server, withApp) {
  const tmp = fixtureCopy(`lg-compare-http-${server.name}-`, server.nodeModules);
  mkdirSync(join(tmp.dir, "src"), { recursive: true });
  writeFileSync(join(tmp.dir, "src", "app.ts"), APP);
  const config = {
    graphs: { echo: "./src/echo.ts:graph" },
    auth: { path: "./src/auth.ts:auth" },
    ...(withApp ? { http: { app: "./src/app.ts:app" } } : {}),
  };
  writeFileSync(join(tmp.dir, "langgraph.json"), JSON.stringify(config, null, 2));
  return tmp;
}

const json = { "content-type": "application/json" };
const parsed = (f) => (text) => f(JSON.parse(text));
const events = (text) => [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1]).join(",");
/**
 * [label, path, init, pick]: every request carries the token unless it says otherwise; `pick` is the part of the body
 * http.app is about (the servers' JSON differs in field order and extra fields, which is not this comparison's).
 */
const REQUESTS_TO_COMPARE = [
  ["custom route without a token", "/custom/hello", { auth: false }],
  ["custom route", "/custom/hello", {}],
  ["API path taken over (GET /info)", "/info", {}],
  ["API route through the middleware (POST /assistants/search)", "/assistants/search", { method: "POST", body: "{}", headers: json }, parsed((a) => `${a.length} assistant(s): ${a.map((x) => x.graph_id)}`)],
  ["middleware answers early", "/assistants/search", { method: "POST", body: "{}", headers: { ...json, "x-block": "yes" } }],
  ["body replaced before it was read (POST /threads)", "/threads", { method: "POST", body: JSON.stringify({ metadata: { original: true } }), headers: json }, parsed((t) => `metadata ${JSON.stringify(t.metadata)}`)],
  ["body read, then replaced (POST /threads/search, limit 10 -> 1)", "/threads/search", { method: "POST", body: JSON.stringify({ limit: 10 }), headers: json }, parsed((a) => `${a.length} thread(s)`)],
  ["path nobody serves", "/nowhere", {}],
  ["API error through the middleware", "/threads/00000000-0000-4000-8000-000000000000", {}],
  ["event stream through the middleware", "/runs/stream", { method: "POST", headers: json, body: JSON.stringify({ assistant_id: "echo", input: { messages: [{ role: "user", content: "hi" }] }, stream_mode: "values" }) }, events],
];

async function ask(url, [, path, init, pick = normalise]) {
  const headers = { ...(init.auth === false ? {} : AUTH), ...init.headers };
  const res = await fetch(`${url}${path}`, { method: init.method ?? "GET", body: init.body, headers });
  const text = await res.text();
  let body;
  try {
    body = res.ok ? pick(text) : cell(text);
  } catch {
    body = cell(text);
  }
  return { status: res.status, middleware: res.headers.get("x-middleware") ?? "-", type: (res.headers.get("content-type") ?? "-").split(";")[0], body };
}

async function timeCalls(url, n) {
  const init = { method: "POST", body: JSON.stringify({ limit: 1 }), headers: { ...AUTH, ...json } };
  for (let i = 0; i < 30; i++) await (await fetch(`${url}/assistants/search`, init)).arrayBuffer();
  const ms = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await (await fetch(`${url}/assistants/search`, init)).arrayBuffer();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(n / 2)], p90: ms[Math.floor(n * 0.9)] };
}

async function main() {
  const found = await ensureOfficial();
  if (found.error) throw new Error(found.error);
  const servers = [official(found.dir), lgDev()];
  const answers = {};
  const timings = {};
  for (const server of servers) {
    const tmp = project(server, true);
    const running = await server.start({ projectDir: tmp.dir, reload: false });
    try {
      // Two threads first, so that "limit 1" shows in the search answer.
      for (let i = 0; i < 2; i++) await fetch(`${running.url}/threads`, { method: "POST", body: "{}", headers: { ...AUTH, ...json } });
      answers[server.name] = [];
      for (const r of REQUESTS_TO_COMPARE) answers[server.name].push(await ask(running.url, r));
      timings[server.name] = await timeCalls(running.url, REQUESTS);
    } finally {
      await running.stop();
      tmp.remove();
    }
  }
  const bare = lgDev();
  const tmp = project(bare, false);
  const running = await bare.start({ projectDir: tmp.dir, reload: false });
  try {
    timings["lg-dev without http.app"] = await timeCalls(running.url, REQUESTS);
  } finally {
    await running.stop();
    tmp.remove();
  }

  console.log("\n## http.app: the same Hono app on both servers\n");
  const rows = REQUESTS_TO_COMPARE.map(([label], i) => {
    const a = answers.official[i];
    const b = answers["lg-dev"][i];
    const show = (x) => `${x.status} ${x.type} mw:${x.middleware} ${x.body}`;
    const same = a.status === b.status && a.middleware === b.middleware && a.type === b.type && a.body === b.body ? "same" : "differs";
    return [label, show(a), show(b), same];
  });
  console.log(table(["request", "official", "lg-dev", ""], rows));
  console.log(`\n## POST /assistants/search through the middleware, ${REQUESTS} sequential calls (ms)\n`);
  console.log(table(["server", "p50", "p90"], Object.entries(timings).map(([name, t]) => [name, t.p50.toFixed(2), t.p90.toFixed(2)])));
}

try {
  await main();
} finally {
  cleanupAll();
}
