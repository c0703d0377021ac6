#!/usr/bin/env node
// Thread config side by side: what lg-dev and the official server store as a thread's `config` when runs start on
// it (assistant, thread and run config merged), and whether state reads and updates of a factory graph
// (`(config) => graph`, whose node names come from the config) use it.
//
//   node bench/compare/thread-config.mjs [--json]
//
// Exit code 0 when every answer matches, 1 when some differ, 2 when a server did not start.
import { normalise, runAsScript, send } from "./lib.mjs";

const FILES = {
  "langgraph.json": JSON.stringify({ node_version: "20", graphs: { factory: "./src/factory.ts:makeGraph" } }),
  "src/factory.ts": `
import { Annotation, StateGraph, type LangGraphRunnableConfig } from "@langchain/langgraph";
const State = Annotation.Root({ seen: Annotation<string> });
/** Node names come from the config: a state update naming one needs the graph built with the run's config. */
export function makeGraph(config: LangGraphRunnableConfig) {
  const node = (config.configurable?.node_name as string | undefined) ?? "default_node";
  return new StateGraph(State).addNode(node, () => ({ seen: node })).addEdge("__start__", node).compile();
}
`,
};

/** JSON with object keys sorted (key order is not part of the contract). */
const sorted = (v) =>
  Array.isArray(v) ? v.map(sorted) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])])) : v;

/** Only the parts of an answer this comparison is about, keys sorted. */
const pickFields = (text, fields) => {
  try {
    const v = JSON.parse(text);
    if (!fields) return text;
    const one = (o) => Object.fromEntries(fields.filter((f) => f in o).map((f) => [f, o[f]]));
    return JSON.stringify(sorted(Array.isArray(v) ? v.map(one) : one(v)));
  } catch {
    return text;
  }
};

async function scenario(url) {
  const json = async (method, path, body) => JSON.parse((await send(url, method, path, body)).body);
  const a = (await json("POST", "/assistants", { graph_id: "factory", config: { configurable: { node_name: "from_assistant", a: 1 }, tags: ["t1"] } })).assistant_id;
  const t = (await json("POST", "/threads", {})).thread_id;
  const t2 = (await json("POST", "/threads", {})).thread_id;
  const ids = { a, t, t2 };
  const steps = [
    ["GET", `/threads/${t}`, undefined, ["config"]],
    ["POST", `/threads/${t}/runs/wait`, { assistant_id: a, input: {}, config: { configurable: { b: 2 }, recursion_limit: 30 } }],
    ["GET", `/threads/${t}`, undefined, ["config", "metadata"]],
    ["POST", `/threads/${t}/state`, { values: { seen: "updated" }, as_node: "from_assistant" }, []],
    ["GET", `/threads/${t}/state`, undefined, ["values", "next"]],
    ["POST", `/threads/${t}/history`, {}, ["values", "next"]],
    ["POST", `/threads/${t}/runs/wait`, { assistant_id: a, input: {}, config: { configurable: { b: 3, c: 4 } } }],
    ["GET", `/threads/${t}`, undefined, ["config"]],
    ["POST", `/threads/${t2}/runs/wait`, { assistant_id: "factory", input: {}, config: { configurable: { node_name: "n2" } } }],
    ["GET", `/threads/${t2}`, undefined, ["config"]],
    ["POST", `/threads/${t2}/state`, { values: { seen: "x" }, as_node: "n2" }, []],
    ["POST", `/threads/${t2}/state`, { values: { seen: "x" }, as_node: "no_such_node" }, []],
    ["GET", `/threads/${t2}/state`, undefined, ["values", "next"]],
  ];
  const answers = [];
  for (const [method, path, body, fields] of steps) {
    const r = await send(url, method, path, body);
    answers.push({ request: normalise(`${method} ${path}`, ids), status: r.status, body: normalise(pickFields(r.body, r.status < 300 ? fields : undefined), ids).slice(0, 300) });
  }
  return answers;
}

const HEADERS_NOTE =
  "the official server also copies request headers (`user-agent`, `x-*`) into every run's configurable, and so into the thread's config; lg-dev does not pass request headers to runs";
const NOTES = {
  "GET /threads/<t>": HEADERS_NOTE,
  "GET /threads/<t2>": HEADERS_NOTE,
  "POST /threads/<t2>/state": "an `as_node` the graph does not have is the client's mistake: lg-dev answers 422 with LangGraph's message, the official server 500",
};

runAsScript({ files: FILES, scenario, notes: NOTES });
