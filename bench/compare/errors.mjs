#!/usr/bin/env node
// Error answers side by side: lg-dev and the official server (`langgraphjs dev`) on the same project (an echo graph,
// a factory graph, and token auth for two users whose `.on` handlers stamp and filter an owner on threads and
// assistants), sent the same requests; prints each answer and marks the ones that differ.
//
//   node bench/compare/errors.mjs            # both servers (the official one from /tmp/official or npm)
//   node bench/compare/errors.mjs --json     # the answers as JSON, for a diff
//
// Exit code 0 when every answer matches, 1 when some differ (the list says which, and the notes say which ones lg-dev
// answers differently on purpose), 2 when a server did not start.
import { writeFileSync, mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { cleanupAll, tempDir } from "../lib/proc.mjs";
import { lgDev, official } from "../lib/servers.mjs";
import { ensureOfficial } from "../lib/official.mjs";

const TOKENS = { user1: "bench-token", user2: "user2-token" };
const FILES = {
  "langgraph.json": JSON.stringify({
    node_version: "20",
    graphs: { echo: "./src/echo.ts:graph", factory: "./src/factory.ts:makeGraph" },
    auth: { path: "./src/auth.ts:auth" },
  }),
  "src/echo.ts": `
import { Annotation, StateGraph } from "@langchain/langgraph";
const State = Annotation.Root({ text: Annotation<string> });
export const graph = new StateGraph(State).addNode("say", (s) => ({ text: "echo: " + (s.text ?? "") })).addEdge("__start__", "say").compile();
`,
  "src/factory.ts": `
import { Annotation, StateGraph, type LangGraphRunnableConfig } from "@langchain/langgraph";
const State = Annotation.Root({ seen: Annotation<string> });
export function makeGraph(config: LangGraphRunnableConfig) {
  const node = (config.configurable?.node_name as string | undefined) ?? "default_node";
  return new StateGraph(State).addNode(node, () => ({ seen: node })).addEdge("__start__", node).compile();
}
`,
  "src/auth.ts": `
import { Auth, HTTPException } from "@langchain/langgraph-sdk/auth";
const USERS: Record<string, string> = ${JSON.stringify(Object.fromEntries(Object.entries(TOKENS).map(([u, t]) => [t, u])))};
export const auth = new Auth()
  .authenticate(async (request: Request) => {
    const token = (request.headers.get("authorization") ?? "").replace(/^Bearer /, "");
    const identity = USERS[token];
    if (!identity) throw new HTTPException(401, { message: "Invalid token" });
    return { identity, permissions: [] };
  })
  .on("threads", ({ value, user }) => {
    if (value && typeof value === "object" && "metadata" in value) (value as any).metadata = { ...((value as any).metadata ?? {}), owner: user.identity };
    return { owner: user.identity };
  })
  .on("assistants", ({ value, user }) => {
    if (value && typeof value === "object" && "metadata" in value) (value as any).metadata = { ...((value as any).metadata ?? {}), owner: user.identity };
    return { owner: user.identity };
  });
`,
};

const UNKNOWN = "00000000-0000-4000-8000-000000000000";

/** Send one request as `user`; the answer as {status, body} (JSON bodies reduced to their shape where ids vary). */
async function send(url, user, method, path, body) {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${TOKENS[user]}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text };
}

/** Replace ids that differ between the two servers by their role. */
function normalise(text, ids) {
  let out = text;
  for (const [name, id] of Object.entries(ids)) if (id) out = out.replaceAll(id, `<${name}>`);
  return out.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>").replace(/\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)/g, "<time>");
}

/** The scenario: every request and its answer, on one server. */
async function scenario(url) {
  const json = async (user, method, path, body) => JSON.parse((await send(url, user, method, path, body)).body);
  const a1 = (await json("user1", "POST", "/assistants", { graph_id: "echo", name: "mine" })).assistant_id;
  const gone = (await json("user1", "POST", "/assistants", { graph_id: "echo", name: "to delete" })).assistant_id;
  const t1 = (await json("user1", "POST", "/threads", {})).thread_id;
  const t2 = (await json("user2", "POST", "/threads", {})).thread_id;
  const t3 = (await json("user2", "POST", "/threads", {})).thread_id;
  const t4 = (await json("user2", "POST", "/threads", {})).thread_id;
  const ids = { a1, gone, t1, t2, t3, t4, unknown: UNKNOWN };
  const requests = [
    ["user1", "GET", `/assistants/${UNKNOWN}`],
    ["user2", "GET", `/assistants/${a1}`],
    ["user2", "PATCH", `/assistants/${a1}`, { name: "x" }],
    ["user2", "DELETE", `/assistants/${a1}`],
    ["user1", "PATCH", `/assistants/${UNKNOWN}`, { name: "x" }],
    ["user1", "DELETE", `/assistants/${UNKNOWN}`],
    ["user2", "GET", `/assistants/${a1}/graph`],
    ["user2", "GET", `/assistants/${a1}/schemas`],
    ["user2", "GET", `/assistants/${a1}/subgraphs`],
    ["user1", "GET", `/assistants/${UNKNOWN}/graph`],
    ["user1", "GET", `/assistants/${UNKNOWN}/schemas`],
    ["user1", "GET", `/assistants/${UNKNOWN}/subgraphs`],
    ["user2", "POST", `/assistants/${a1}/latest`, { version: 1 }],
    ["user1", "POST", `/assistants/${UNKNOWN}/latest`, { version: 1 }],
    ["user2", "POST", `/assistants/${a1}/versions`, {}],
    ["user1", "POST", `/assistants/${UNKNOWN}/versions`, {}],
    ["user1", "DELETE", `/assistants/${gone}`],
    ["user1", "GET", `/assistants/${gone}`],
    ["user1", "POST", `/threads/${UNKNOWN}/copy`],
    ["user2", "POST", `/threads/${t1}/copy`],
    ["user1", "POST", `/runs/wait`, { assistant_id: UNKNOWN, input: {} }],
    ["user1", "POST", `/runs/wait`, { assistant_id: "nope", input: {} }],
    ["user2", "POST", `/runs/wait`, { assistant_id: a1, input: { text: "hi" } }],
    ["user2", "POST", `/threads/${t2}/runs`, { assistant_id: a1, input: { text: "hi" } }],
    ["user2", "POST", `/threads/${t3}/runs/wait`, { assistant_id: a1, input: { text: "hi" } }],
    ["user2", "POST", `/runs/batch`, [{ assistant_id: a1, input: { text: "hi" } }]],
    ["user2", "POST", `/threads/${t4}/runs/crons`, { assistant_id: a1, schedule: "0 0 * * *", input: {} }],
    ["user1", "POST", `/runs/wait`, { assistant_id: a1, input: { text: "hi" } }],
  ];
  const answers = [];
  for (const [user, method, path, body] of requests) {
    const r = await send(url, user, method, path, body);
    answers.push({ request: normalise(`${user} ${method} ${path}`, ids), status: r.status, body: normalise(r.body, ids).slice(0, 160) });
  }
  return answers;
}

/** Where lg-dev answers differently on purpose (request -> why). */
const NOTES = {
  "user2 POST /runs/wait": "issue 13.3: a run may use only an assistant its caller can read (the official server runs user1's assistant for user2 and shows its config in the run's kwargs)",
  "user1 POST /runs/wait": "lg-dev keeps `No assistant found for \"<id>\"` without the official server's second sentence (the official text starts with it)",
  "user2 POST /threads/<t2>/runs": "issue 13.3 (see above)",
  "user2 POST /threads/<t3>/runs/wait": "issue 13.3 (see above)",
  "user2 POST /runs/batch": "issue 13.3 (see above)",
  "user2 POST /threads/<t4>/runs/crons": "issue 13.3 (see above)",
};

async function main() {
  const asJson = process.argv.includes("--json");
  const found = await ensureOfficial({ log: (m) => process.stderr.write(`${m}\n`) });
  if (found.error) {
    process.stderr.write(`${found.error}\n`);
    return 2;
  }
  const results = {};
  for (const kind of [lgDev(), official(found.dir)]) {
    const tmp = tempDir(`lg-compare-${kind.name}-`);
    for (const [rel, text] of Object.entries(FILES)) {
      mkdirSync(join(tmp.dir, rel, ".."), { recursive: true });
      writeFileSync(join(tmp.dir, rel), text);
    }
    symlinkSync(kind.nodeModules, join(tmp.dir, "node_modules"), "dir");
    let server;
    try {
      server = await kind.start({ projectDir: tmp.dir, reload: false, extraArgs: kind.name === "lg-dev" ? ["--no-persist"] : [] });
    } catch (err) {
      process.stderr.write(`${kind.name} did not start: ${err.message}\n`);
      return 2;
    }
    try {
      results[kind.name] = await scenario(server.url);
    } finally {
      await server.stop(5000);
      tmp.remove();
    }
  }
  const ours = results["lg-dev"];
  const theirs = results.official;
  if (asJson) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  }
  let differ = 0;
  for (let i = 0; i < ours.length; i++) {
    const a = ours[i];
    const b = theirs[i];
    const same = a.status === b.status && a.body === b.body;
    if (!same) differ += 1;
    if (asJson) continue;
    process.stdout.write(`${same ? "  same" : "DIFFER"}  ${a.request}\n`);
    process.stdout.write(`        lg-dev   ${a.status} ${a.body}\n`);
    if (!same) process.stdout.write(`        official ${b.status} ${b.body}\n`);
    if (!same && NOTES[a.request]) process.stdout.write(`        note: ${NOTES[a.request]}\n`);
  }
  process.stdout.write(`\n${ours.length - differ} of ${ours.length} answers match\n`);
  return differ === 0 ? 0 : 1;
}

main()
  .then((code) => {
    cleanupAll();
    process.exit(code);
  })
  .catch((err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    cleanupAll();
    process.exit(2);
  });
