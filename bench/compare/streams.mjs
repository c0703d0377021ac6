#!/usr/bin/env node
// Streams, event for event: run the official dev server and lg-dev on the same project (test/fixtures/streams),
// send both the same requests, record the raw SSE frames (ids included) and JSON answers, normalise what is
// generated (uuids, timestamps) and print every difference.
//
//   node bench/compare/streams.mjs                 # every scenario
//   node bench/compare/streams.mjs messages join   # scenarios whose name contains one of the words
//   node bench/compare/streams.mjs --show          # also print both normalised captures
//
// The official server comes from $LG_BENCH_OFFICIAL_DIR or /tmp/official (exact versions, see lib/official.mjs) or
// is installed from npm into a temp dir. Exit code 1 when a difference is found that is not listed in ACCEPTED.
import { cpSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { ensureOfficial } from "../lib/official.mjs";
import { cleanupAll, sleep, tempDir } from "../lib/proc.mjs";
import { REPO_ROOT, lgDev, official } from "../lib/servers.mjs";
import { diff, makeNormaliser, outline, readSse } from "./lib.mjs";

const FIXTURE = join(REPO_ROOT, "test", "fixtures", "streams");
const args = process.argv.slice(2);
const show = args.includes("--show");
const only = args.filter((a) => !a.startsWith("--"));

/**
 * Differences we chose to keep, each a transform of the two normalised captures of a scenario (applied before the
 * comparison, and reported when it changed something), with the reason.
 */
const ACCEPTED = [
  {
    why:
      "the official server runs every graph through streamEvents, so chat models always stream (their messages are " +
      "AIMessageChunks with ids run-<uuid>); lg-dev streams them only for runs that ask for messages, messages-tuple or events " +
      "(streaming every run costs ~20% per run)",
    apply(official, lgdev) {
      const strip = (v) =>
        Array.isArray(v)
          ? v.map(strip)
          : v && typeof v === "object"
            ? Object.fromEntries(
                Object.entries(v)
                  .filter(([k, x]) => !(k === "tool_call_chunks" && Array.isArray(x) && x.length === 0))
                  .map(([k, x]) => [k, k === "id" && typeof x === "string" ? x.replace(/^run-(<id:\d+>)$/, "$1") : strip(x)]),
              )
            : v;
      return [strip(official), strip(lgdev)];
    },
  },
  {
    why:
      "with stream_subgraphs the official server never sends messages/complete (it reads its chunks as [mode, payload] " +
      "pairs); lg-dev sends them after each root values chunk, as without subgraphs",
    apply(official, lgdev, name) {
      if (!name.startsWith("subgraphs:")) return [official, lgdev];
      const renumber = (frames) => frames.map((f, i) => (f.id === undefined ? f : { ...f, id: String(i) }));
      const out = { ...lgdev };
      for (const [part, cap] of Object.entries(lgdev)) {
        if (!cap?.frames || official[part]?.frames?.some((f) => f.event === "messages/complete")) continue;
        out[part] = { ...cap, frames: renumber(cap.frames.filter((f) => f.event !== "messages/complete")) };
      }
      return [official, out];
    },
  },
  {
    why:
      "a debug checkpoint event of the official server may show its tasks' later results: its worker merges each task " +
      "result into the checkpoint object it already published, and the event carries the merge when its writer lags; " +
      "lg-dev sends each event as it was when published",
    apply(official, lgdev) {
      const out = { ...official };
      for (const [part, cap] of Object.entries(official ?? {})) {
        const mine = lgdev?.[part]?.frames;
        if (!cap?.frames || !mine) continue;
        const byTask = new Map();
        for (const f of mine) if (f.data?.type === "checkpoint") for (const t of f.data.payload?.tasks ?? []) byTask.set(t.id, t);
        out[part] = {
          ...cap,
          frames: cap.frames.map((f) => {
            if (f.data?.type !== "checkpoint" || !Array.isArray(f.data.payload?.tasks)) return f;
            const tasks = f.data.payload.tasks.map((t) => ("result" in t && byTask.has(t.id) && !("result" in byTask.get(t.id)) ? byTask.get(t.id) : t));
            return { ...f, data: { ...f.data, payload: { ...f.data.payload, tasks } } };
          }),
        };
      }
      return [out, lgdev];
    },
  },
  {
    why:
      "runs/wait on a failed run: the official server serialises the error event's data a second time " +
      '({"error":"Error","message":"{\\"error\\":…}"}); lg-dev answers the error itself ({"error":"LookupFailed","message":…})',
    apply(official, lgdev) {
      const err = lgdev?.wait?.body?.__error__;
      if (!err || official?.wait?.body?.__error__?.message !== JSON.stringify(err)) return [official, lgdev];
      return [{ ...official, wait: lgdev.wait }, lgdev];
    },
  },
  {
    why:
      "joining a run on an unknown thread under custom auth: the official server fails inside the stream (an empty " +
      "stream); lg-dev answers as for a hidden thread, so that the two cannot be told apart",
    apply(official, lgdev, name) {
      if (!name.startsWith("auth:")) return [official, lgdev];
      return [official, { ...lgdev, unknownThread: official.unknownThread }];
    },
  },
];

const chatInput = { messages: [{ role: "user", content: "what is the weather?" }] };

/** A client for one server: JSON requests and raw SSE captures. */
function clientFor(base, headers = {}) {
  const call = async (method, path, body, extra = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers, ...extra },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
    return res;
  };
  const json = async (method, path, body, extra) => {
    const res = await call(method, path, body, extra);
    const text = await res.text();
    let parsed = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* plain text */
    }
    return { status: res.status, body: parsed };
  };
  const sse = async (method, path, body, extra) => {
    const res = await call(method, path, body, extra);
    const type = res.headers.get("content-type") ?? "";
    if (!type.includes("text/event-stream")) return { status: res.status, body: await res.text() };
    return { status: res.status, frames: await readSse(res) };
  };
  return {
    json,
    sse,
    async thread(extra) {
      return (await json("POST", "/threads", {}, extra)).body.thread_id;
    },
    /** Poll a run until it has ended (without reading its stream). */
    async settled(threadId, runId, extra) {
      for (let i = 0; i < 300; i++) {
        const r = await json("GET", `/threads/${threadId}/runs/${runId}`, undefined, extra);
        if (r.body?.status && r.body.status !== "pending" && r.body.status !== "running") return r.body.status;
        await sleep(50);
      }
      throw new Error(`run ${runId} did not end`);
    },
  };
}

const stream = (c, threadId, body) => c.sse("POST", `/threads/${threadId}/runs/stream`, body);

/** Scenarios: each returns a list of named captures. `auth: true` ones run on langgraph.auth.json. */
const SCENARIOS = {
  async "values"(c) {
    return { values: await stream(c, await c.thread(), { assistant_id: "agent", input: chatInput }) };
  },
  async "messages"(c) {
    return { stream: await stream(c, await c.thread(), { assistant_id: "agent", input: chatInput, stream_mode: ["messages"] }) };
  },
  async "messages+values"(c) {
    return { stream: await stream(c, await c.thread(), { assistant_id: "agent", input: chatInput, stream_mode: ["values", "messages"] }) };
  },
  async "messages-tuple"(c) {
    return { stream: await stream(c, await c.thread(), { assistant_id: "agent", input: chatInput, stream_mode: ["messages-tuple", "values"] }) };
  },
  async "updates custom tasks checkpoints"(c) {
    const modes = ["updates", "custom", "tasks", "checkpoints"];
    return { stream: await stream(c, await c.thread(), { assistant_id: "agent", input: chatInput, stream_mode: modes }) };
  },
  async "debug"(c) {
    return { stream: await stream(c, await c.thread(), { assistant_id: "agent", input: chatInput, stream_mode: ["debug"] }) };
  },
  async "tools"(c) {
    return { stream: await stream(c, await c.thread(), { assistant_id: "agent", input: chatInput, stream_mode: ["tools"] }) };
  },
  async "events"(c) {
    return { stream: await stream(c, await c.thread(), { assistant_id: "agent", input: chatInput, stream_mode: ["events"] }) };
  },
  async "stateless"(c) {
    return { stream: await c.sse("POST", "/runs/stream", { assistant_id: "agent", input: chatInput, stream_mode: ["values", "messages-tuple"] }) };
  },
  async "subgraphs: interrupt, state, resume"(c) {
    const t = await c.thread();
    const modes = ["values", "updates", "messages-tuple", "messages", "custom", "tasks", "checkpoints", "debug"];
    const first = await stream(c, t, { assistant_id: "sub", input: chatInput, stream_mode: modes, stream_subgraphs: true });
    const state = await c.json("GET", `/threads/${t}/state`);
    const nested = await c.json("GET", `/threads/${t}/state?subgraphs=true`);
    const task = state.body?.tasks?.[0];
    const out = { first, state, nested };
    if (task?.checkpoint) {
      out.stateAtTask = await c.json("POST", `/threads/${t}/state/checkpoint`, { checkpoint: task.checkpoint });
      out.historyAtTask = await c.json("POST", `/threads/${t}/history`, { checkpoint: task.checkpoint, limit: 2 });
      out.updateAtTask = await c.json("POST", `/threads/${t}/state`, { checkpoint: task.checkpoint, values: { messages: [{ role: "user", content: "edited" }] } });
    }
    out.resume = await stream(c, t, { assistant_id: "sub", command: { resume: "yes" }, stream_mode: ["values", "messages", "updates"], stream_subgraphs: true });
    out.final = await c.json("GET", `/threads/${t}/state`);
    return out;
  },
  async "subgraphs off: messages from a child"(c) {
    return { stream: await stream(c, await c.thread(), { assistant_id: "sub", input: chatInput, stream_mode: ["values", "messages", "messages-tuple", "updates"] }) };
  },
  async "events with subgraphs"(c) {
    return { stream: await stream(c, await c.thread(), { assistant_id: "sub", input: chatInput, stream_mode: ["events", "updates"], stream_subgraphs: true }) };
  },
  async "interrupt_before and resume"(c) {
    const t = await c.thread();
    const first = await stream(c, t, { assistant_id: "agent", input: chatInput, stream_mode: ["values", "updates"], interrupt_before: ["model"] });
    const state = await c.json("GET", `/threads/${t}/state`);
    const resume = await stream(c, t, { assistant_id: "agent", input: null, stream_mode: ["values", "updates"] });
    return { first, state, resume };
  },
  async "a failing graph"(c) {
    const t = await c.thread();
    const first = await stream(c, t, { assistant_id: "fail", input: chatInput, stream_mode: ["values", "updates", "messages", "debug"] });
    const state = await c.json("GET", `/threads/${t}/state`);
    return { first, state, wait: await c.json("POST", `/threads/${t}/runs/wait`, { assistant_id: "fail", input: chatInput }) };
  },
  async "state of a new thread"(c) {
    const t = await c.thread();
    return { state: await c.json("GET", `/threads/${t}/state`), history: await c.json("POST", `/threads/${t}/history`, {}) };
  },
  async "join: resumable replay"(c) {
    const t = await c.thread();
    const run = (await c.json("POST", `/threads/${t}/runs`, { assistant_id: "agent", input: chatInput, stream_mode: ["values", "updates"], stream_resumable: true })).body;
    await c.settled(t, run.run_id);
    const path = `/threads/${t}/runs/${run.run_id}/stream`;
    return {
      fromStart: await c.sse("GET", path, undefined, { "last-event-id": "-1" }),
      after3: await c.sse("GET", path, undefined, { "last-event-id": "3" }),
      noHeader: await c.sse("GET", path),
      byRunId: await c.sse("GET", `/runs/${run.run_id}/stream`, undefined, { "last-event-id": "-1" }),
    };
  },
  async "join: background run, never read"(c) {
    const t = await c.thread();
    const run = (await c.json("POST", `/threads/${t}/runs`, { assistant_id: "agent", input: chatInput, stream_mode: ["values"] })).body;
    await c.settled(t, run.run_id);
    const path = `/threads/${t}/runs/${run.run_id}/stream`;
    return { first: await c.sse("GET", path), second: await c.sse("GET", path) };
  },
  async "join: unknown run or thread"(c) {
    const t = await c.thread();
    const unknown = "00000000-0000-4000-8000-000000000000";
    return {
      knownThread: await c.sse("GET", `/threads/${t}/runs/${unknown}/stream`),
      unknownThread: await c.sse("GET", `/threads/${unknown}/runs/${unknown}/stream`),
      byRunId: await c.sse("GET", `/runs/${unknown}/stream`),
    };
  },
  async "auth: join a hidden thread's run"(c) {
    const t = await c.thread();
    const run = (await c.json("POST", `/threads/${t}/runs`, { assistant_id: "agent", input: chatInput, stream_resumable: true })).body;
    await c.settled(t, run.run_id);
    const bob = { "x-user": "bob" };
    const unknown = "00000000-0000-4000-8000-000000000000";
    return {
      owner: await c.sse("GET", `/threads/${t}/runs/${run.run_id}/stream`, undefined, { "last-event-id": "-1" }),
      hidden: await c.sse("GET", `/threads/${t}/runs/${run.run_id}/stream`, undefined, { ...bob, "last-event-id": "-1" }),
      unknownThread: await c.sse("GET", `/threads/${unknown}/runs/${run.run_id}/stream`, undefined, bob),
    };
  },
};

async function captureAll(kind, configFile, names) {
  const tmp = tempDir(`lg-compare-${kind.name}-`);
  cpSync(FIXTURE, tmp.dir, { recursive: true, filter: (src) => !src.includes(".langgraph_api") });
  symlinkSync(kind.nodeModules, join(tmp.dir, "node_modules"), "dir");
  // servers.mjs names the project's langgraph.json; a later --config (the auth variant) overrides it.
  const extraArgs = configFile === "langgraph.json" ? [] : ["--config", join(tmp.dir, configFile)];
  const server = await kind.start({ projectDir: tmp.dir, reload: false, extraArgs });
  const out = { url: server.url };
  try {
    for (const name of names) {
      try {
        out[name] = await SCENARIOS[name](clientFor(server.url));
      } catch (err) {
        out[name] = { failed: String(err?.stack ?? err) };
      }
    }
  } finally {
    await server.stop(5000);
    tmp.remove();
  }
  return out;
}

async function main() {
  const names = Object.keys(SCENARIOS).filter((n) => only.length === 0 || only.some((w) => n.includes(w)));
  const groups = [
    ["langgraph.json", names.filter((n) => !n.startsWith("auth:"))],
    ["langgraph.auth.json", names.filter((n) => n.startsWith("auth:"))],
  ].filter(([, list]) => list.length > 0);
  const found = await ensureOfficial({ log: (m) => console.error(m) });
  if (found.error) throw new Error(found.error);
  console.error(`official server: ${found.source}`);
  const captures = { official: {}, "lg-dev": {} };
  const urls = { official: {}, "lg-dev": {} };
  for (const [file, list] of groups) {
    for (const kind of [official(found.dir), lgDev()]) {
      console.error(`${kind.name}: ${list.length} scenario(s) on ${file}`);
      const { url, ...got } = await captureAll(kind, file, list);
      // Each group's scenarios are normalised with the URL of the server that answered them.
      for (const k of Object.keys(got)) captures[kind.name][k] = got[k];
      for (const k of Object.keys(got)) urls[kind.name][k] = url;
    }
  }
  let failures = 0;
  for (const name of names) {
    const a = makeNormaliser({ url: urls.official[name] })(captures.official[name]);
    const b = makeNormaliser({ url: urls["lg-dev"][name] })(captures["lg-dev"][name]);
    let [pa0, pb0] = [a, b];
    const notes = [];
    const differences = (x, y) => diff(x, y, "", [], Infinity).length;
    for (const acc of ACCEPTED) {
      const [x, y] = acc.apply(pa0, pb0, name);
      if (differences(x, y) < differences(pa0, pb0)) notes.push(acc.why);
      [pa0, pb0] = [x, y];
    }
    const real = [];
    for (const part of new Set([...Object.keys(pa0 ?? {}), ...Object.keys(pb0 ?? {})])) {
      const pa = pa0?.[part];
      const pb = pb0?.[part];
      if (pa?.frames && pb?.frames && outline(pa.frames) !== outline(pb.frames)) {
        real.push(`  ${part} events differ:\n    official ${outline(pa.frames)}\n    lg-dev   ${outline(pb.frames)}`);
      }
      for (const d of diff(pa, pb, part)) real.push(`  ${d}`);
    }
    failures += real.length > 0 ? 1 : 0;
    console.log(`${real.length === 0 ? "same" : "DIFFERENT"}  ${name}`);
    for (const l of real) console.log(l);
    for (const n of notes) console.log(`  accepted difference: ${n}`);
    if (show) console.log(JSON.stringify({ official: a, "lg-dev": b }, null, 1));
  }
  return failures;
}

main()
  .then((failures) => {
    cleanupAll();
    process.exit(failures > 0 ? 1 : 0);
  })
  .catch((err) => {
    console.error(err);
    cleanupAll();
    process.exit(2);
  });
