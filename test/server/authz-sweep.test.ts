/**
 * Authentication and authorization across every endpoint, through `app.inject()` (no port).
 *
 * The Auth below is the "private conversations" rule set made strict: every create stamps `owner`, every other
 * operation filters on it (threads with a plain value, assistants with `$eq`, the store with `$contains` on the
 * namespace). Alice owns the world; Bob and the Studio user (a third tenant here: the handlers run for it too) must
 * find it invisible - 404 exactly as for an id that does not exist, never 403, never a trace in searches, counts,
 * copies or streams. Eve's handlers return `false`: 403 everywhere.
 */
import { randomUUID } from "node:crypto";
import { Auth, HTTPException } from "@langchain/langgraph-sdk/auth";
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAuthService } from "../../src/auth/index.js";
import type { AuthService } from "../../src/auth/types.js";
import { makeTestApp } from "../helpers/app.js";

type Who = "alice" | "bob" | "eve" | "studio" | "nobody";
type Value = Record<string, unknown> & { metadata?: Record<string, unknown> | null; value?: Record<string, unknown> | null };

const TOKENS = new Map([
  ["Bearer alice-token", "alice"],
  ["Bearer bob-token", "bob"],
  ["Bearer eve-token", "eve"],
]);

/** The sweep's Auth: owner stamping on create, owner filters on everything else. */
export function sweepAuth(): AuthService {
  const auth = new Auth()
    .authenticate(async (request: Request) => {
      const identity = TOKENS.get(request.headers.get("authorization") ?? "");
      if (!identity) throw new HTTPException(401, { message: "Unknown user", headers: { "WWW-Authenticate": "Bearer" } });
      return { identity, permissions: [], team: "qa" };
    })
    .on("*", ({ resource, action, value: raw, user }) => {
      const value = raw as Value;
      const me = user.identity;
      if (me === "eve") return false;
      let filter: Record<string, string | { $eq?: string; $contains?: string }>;
      if (resource === "store") {
        if (action === "put" && value.value) value.value.written_by = me;
        filter = { namespace: { $contains: me } };
      } else {
        if (action === "create" || action === "create_run") {
          value.metadata ??= {};
          value.metadata.owner = me;
        }
        if (resource === "threads" && action === "update" && value.metadata) value.metadata.edited_by = me;
        filter = resource === "assistants" ? { owner: { $eq: me } } : { owner: me };
      }
      return filter;
    });
  return createAuthService({ module: { file: "/sweep/auth.ts", exportName: "auth", auth: auth as never } });
}

const HEADERS: Record<Who, Record<string, string>> = {
  alice: { authorization: "Bearer alice-token" },
  bob: { authorization: "Bearer bob-token" },
  eve: { authorization: "Bearer eve-token" },
  studio: { "x-auth-scheme": "langsmith" },
  nobody: {},
};

interface Req {
  method: InjectOptions["method"];
  url: string;
  body?: unknown;
}

let app: FastifyInstance;
let close: () => Promise<void>;

async function call(who: Who, req: Req, extra: Partial<InjectOptions> = {}): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...HEADERS[who] };
  if (req.body !== undefined) headers["content-type"] = "application/json";
  return app.inject({
    method: req.method,
    url: req.url,
    headers,
    ...(req.body !== undefined ? { payload: JSON.stringify(req.body) } : {}),
    ...extra,
  });
}

/** Like `call`, asserting a 2xx and returning the JSON body (or undefined). */
async function ok(who: Who, req: Req): Promise<any> {
  const res = await call(who, req);
  expect(res.statusCode, `${req.method} ${req.url} as ${who}: ${res.body}`).toBeLessThan(300);
  return res.body === "" ? undefined : res.json();
}

const human = (text: string) => ({ messages: [{ role: "user", content: text }] });

/** Alice's resources. */
interface World {
  A: string; // her assistant
  T: string; // her thread, with one finished run R1 and checkpoints
  R1: string;
  T2: string; // her second thread, with a pending run P (delayed an hour)
  P: string;
  cp: string; // the latest checkpoint of T
}

async function buildWorld(): Promise<World> {
  const A = (await ok("alice", { method: "POST", url: "/assistants", body: { graph_id: "echo", name: "alice-bot" } })).assistant_id;
  const T = (await ok("alice", { method: "POST", url: "/threads", body: {} })).thread_id;
  const waited = await call("alice", { method: "POST", url: `/threads/${T}/runs/wait`, body: { assistant_id: "echo", input: human("alice's secret") } });
  expect(waited.statusCode).toBe(200);
  const R1 = String(waited.headers["content-location"]).split("/").at(-1)!;
  const state = await ok("alice", { method: "GET", url: `/threads/${T}/state` });
  const T2 = (await ok("alice", { method: "POST", url: "/threads", body: {} })).thread_id;
  const P = (await ok("alice", { method: "POST", url: `/threads/${T2}/runs`, body: { assistant_id: "echo", input: human("later"), after_seconds: 3600 } })).run_id;
  await ok("alice", { method: "PUT", url: "/store/items", body: { namespace: ["alice", "notes"], key: "k", value: { text: "alice's note" } } });
  return { A, T, R1, T2, P, cp: state.checkpoint.checkpoint_id };
}

/** The same world with every id replaced by one that does not exist. */
const ghostOf = (w: World): World => ({ A: randomUUID(), T: randomUUID(), R1: randomUUID(), T2: randomUUID(), P: randomUUID(), cp: w.cp });

/** What alice's world looks like from alice's side, to prove a refused request changed nothing. */
async function snapshot(w: World) {
  const thread = await ok("alice", { method: "GET", url: `/threads/${w.T}` });
  const state = await ok("alice", { method: "GET", url: `/threads/${w.T}/state` });
  const runs = await ok("alice", { method: "GET", url: `/threads/${w.T}/runs` });
  const p = await ok("alice", { method: "GET", url: `/threads/${w.T2}/runs/${w.P}` });
  const assistant = await ok("alice", { method: "GET", url: `/assistants/${w.A}` });
  const item = await ok("alice", { method: "GET", url: "/store/items?namespace=alice.notes&key=k" });
  return {
    thread: { metadata: thread.metadata, status: thread.status, values: thread.values },
    state: { values: state.values, checkpoint: state.checkpoint },
    runs: runs.map((r: { run_id: string; status: string }) => [r.run_id, r.status]),
    pending: p.status,
    assistant: { metadata: assistant.metadata, version: assistant.version, name: assistant.name },
    item: { value: item.value },
  };
}

/**
 * Endpoints that name one of alice's resources: hidden from others (404 as for a missing id, or `hidden`: the status
 * the official server gives both; streams answer 200 with an error event), 403 for eve.
 */
const HIDDEN: Array<{ name: string; req: (w: World) => Req; owner: number; createsMissing?: boolean; hidden?: number; stream?: boolean }> = [
  { name: "GET assistant", req: (w) => ({ method: "GET", url: `/assistants/${w.A}` }), owner: 200 },
  { name: "PATCH assistant", req: (w) => ({ method: "PATCH", url: `/assistants/${w.A}`, body: { metadata: { x: 1 } } }), owner: 200 },
  { name: "DELETE assistant", req: (w) => ({ method: "DELETE", url: `/assistants/${w.A}` }), owner: 200 },
  { name: "assistant versions", req: (w) => ({ method: "POST", url: `/assistants/${w.A}/versions`, body: {} }), owner: 200 },
  { name: "assistant latest", req: (w) => ({ method: "POST", url: `/assistants/${w.A}/latest`, body: { version: 1 } }), owner: 200 },
  { name: "assistant graph", req: (w) => ({ method: "GET", url: `/assistants/${w.A}/graph` }), owner: 200 },
  { name: "assistant schemas", req: (w) => ({ method: "GET", url: `/assistants/${w.A}/schemas` }), owner: 200 },
  { name: "assistant subgraphs", req: (w) => ({ method: "GET", url: `/assistants/${w.A}/subgraphs` }), owner: 200 },
  { name: "assistant subgraphs/ns", req: (w) => ({ method: "GET", url: `/assistants/${w.A}/subgraphs/child` }), owner: 200 },
  { name: "GET thread", req: (w) => ({ method: "GET", url: `/threads/${w.T}` }), owner: 200 },
  { name: "PATCH thread", req: (w) => ({ method: "PATCH", url: `/threads/${w.T}`, body: { metadata: { topic: "x" } } }), owner: 200 },
  { name: "DELETE thread", req: (w) => ({ method: "DELETE", url: `/threads/${w.T}` }), owner: 204 },
  { name: "copy thread", req: (w) => ({ method: "POST", url: `/threads/${w.T}/copy` }), owner: 200, hidden: 409 },
  { name: "GET state", req: (w) => ({ method: "GET", url: `/threads/${w.T}/state` }), owner: 200 },
  {
    name: "POST state",
    req: (w) => ({ method: "POST", url: `/threads/${w.T}/state`, body: { values: { messages: [{ role: "user", content: "planted", id: "x" }] }, as_node: "respond" } }),
    owner: 200,
  },
  { name: "PATCH state", req: (w) => ({ method: "PATCH", url: `/threads/${w.T}/state`, body: { metadata: { note: "x" } } }), owner: 204 },
  { name: "GET state at checkpoint", req: (w) => ({ method: "GET", url: `/threads/${w.T}/state/${w.cp}` }), owner: 200 },
  { name: "POST state/checkpoint", req: (w) => ({ method: "POST", url: `/threads/${w.T}/state/checkpoint`, body: { checkpoint: { checkpoint_id: w.cp } } }), owner: 200 },
  { name: "GET history", req: (w) => ({ method: "GET", url: `/threads/${w.T}/history` }), owner: 200 },
  { name: "POST history", req: (w) => ({ method: "POST", url: `/threads/${w.T}/history`, body: { limit: 5 } }), owner: 200 },
  { name: "create run", req: (w) => ({ method: "POST", url: `/threads/${w.T}/runs`, body: { assistant_id: "echo", input: human("hi") } }), owner: 200 },
  {
    name: "create run (if_not_exists create)",
    req: (w) => ({ method: "POST", url: `/threads/${w.T}/runs`, body: { assistant_id: "echo", input: human("hi"), if_not_exists: "create" } }),
    owner: 200,
    // A missing thread is created; a hidden one must not be (nor taken over).
    createsMissing: true,
  },
  { name: "stream run", req: (w) => ({ method: "POST", url: `/threads/${w.T}/runs/stream`, body: { assistant_id: "echo", input: human("hi") } }), owner: 200 },
  { name: "wait run", req: (w) => ({ method: "POST", url: `/threads/${w.T}/runs/wait`, body: { assistant_id: "echo", input: human("hi") } }), owner: 200 },
  { name: "list runs", req: (w) => ({ method: "GET", url: `/threads/${w.T}/runs` }), owner: 200 },
  { name: "GET run", req: (w) => ({ method: "GET", url: `/threads/${w.T}/runs/${w.R1}` }), owner: 200 },
  { name: "join run", req: (w) => ({ method: "GET", url: `/threads/${w.T}/runs/${w.R1}/join` }), owner: 200 },
  // Joining a stream answers with a stream, as the official server does: an `error` event in it (or, by run id
  // alone, nothing) for a hidden run exactly as for a missing one.
  { name: "join run stream", req: (w) => ({ method: "GET", url: `/threads/${w.T}/runs/${w.R1}/stream` }), owner: 200, stream: true },
  { name: "join run stream by run id", req: (w) => ({ method: "GET", url: `/runs/${w.R1}/stream` }), owner: 200, stream: true },
  { name: "cancel run", req: (w) => ({ method: "POST", url: `/threads/${w.T2}/runs/${w.P}/cancel?wait=true` }), owner: 204 },
  { name: "cancel runs by id", req: (w) => ({ method: "POST", url: "/runs/cancel", body: { thread_id: w.T2, run_ids: [w.P] } }), owner: 204 },
  { name: "DELETE run", req: (w) => ({ method: "DELETE", url: `/threads/${w.T}/runs/${w.R1}` }), owner: 204 },
  // The thread's live stream never ends for its owner: covered by "the thread stream" below.
  { name: "thread stream", req: (w) => ({ method: "GET", url: `/threads/${w.T}/stream` }), owner: 0 },
];

let world: World;
beforeEach(async () => {
  ({ app, close } = await makeTestApp({ auth: sweepAuth() }));
  world = await buildWorld();
});
afterEach(async () => {
  await close();
});

/** Replace ghost ids by real ones in a text. */
function unghost(text: string, ghost: World, real: World): string {
  let out = text;
  for (const k of Object.keys(real) as Array<keyof World>) out = out.split(ghost[k]).join(real[k]);
  return out;
}

describe("every endpoint that names a resource", () => {
  it.each(HIDDEN)("$name: 404 for others (as for a missing id), 403 for eve, works for the owner", async ({ req, owner, createsMissing, stream, hidden = 404 }) => {
    const before = await snapshot(world);
    const ghost = ghostOf(world);
    const missing = createsMissing ? undefined : await call("alice", req(ghost));
    const hiddenStatus = stream ? 200 : hidden;
    if (missing) expect(missing.statusCode).toBe(hiddenStatus);
    for (const who of ["bob", "studio"] as const) {
      const res = await call(who, req(world));
      expect(res.statusCode, `${who}: ${res.body}`).toBe(hiddenStatus);
      // Not a word more than for an id that does not exist.
      if (missing) expect(res.body).toBe(unghost(missing.body, ghost, world));
      else expect(res.body).toBe(`Thread with ID ${world.T} not found`);
      expect(res.headers["content-type"]).toMatch(stream ? /^text\/event-stream/ : /^text\/plain/);
    }
    const forbidden = await call("eve", req(world));
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.body).toBe("Forbidden");
    const unauthenticated = await call("nobody", req(world));
    expect(unauthenticated.statusCode).toBe(401);
    expect(unauthenticated.headers["www-authenticate"]).toBe("Bearer");
    expect(await snapshot(world)).toEqual(before);
    if (owner) {
      const res = await call("alice", req(world));
      expect(res.statusCode, res.body).toBe(owner);
    }
  });

  it("the thread stream: 200 text/event-stream for the owner", async () => {
    const address = await app.listen({ port: 0, host: "127.0.0.1" });
    const abort = new AbortController();
    try {
      const res = await fetch(`${address}/threads/${world.T}/stream`, { headers: HEADERS.alice, signal: abort.signal });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
      const bob = await fetch(`${address}/threads/${world.T}/stream`, { headers: HEADERS.bob });
      expect(bob.status).toBe(404);
    } finally {
      abort.abort();
    }
  });
});

describe("searches, counts and lists skip what is hidden", () => {
  const ids = (items: Array<Record<string, string>>, key: string) => items.map((i) => i[key]);

  it("thread search and count", async () => {
    const search = { method: "POST", url: "/threads/search", body: {} } as const;
    const count = { method: "POST", url: "/threads/count", body: {} } as const;
    expect(ids(await ok("alice", search), "thread_id").sort()).toEqual([world.T, world.T2].sort());
    expect(await ok("alice", count)).toBe(2);
    for (const who of ["bob", "studio"] as const) {
      const res = await call(who, search);
      expect(res.json()).toEqual([]);
      expect(res.headers["x-pagination-total"]).toBe("0");
      expect(await ok(who, count)).toBe(0);
      // Asking for alice's threads by id or by owner does not help.
      expect(await ok(who, { method: "POST", url: "/threads/search", body: { ids: [world.T] } })).toEqual([]);
      expect(await ok(who, { method: "POST", url: "/threads/count", body: { metadata: { owner: "alice" } } })).toBe(0);
    }
    expect((await call("eve", search)).statusCode).toBe(403);
    expect((await call("eve", count)).statusCode).toBe(403);
  });

  it("assistant search and count ($eq filter)", async () => {
    const search = { method: "POST", url: "/assistants/search", body: {} } as const;
    const count = { method: "POST", url: "/assistants/count", body: {} } as const;
    // System assistants have no owner: hidden by the owner filter too (as on LangGraph Platform); runs still use them.
    expect(ids(await ok("alice", search), "assistant_id")).toEqual([world.A]);
    expect(await ok("alice", count)).toBe(1);
    for (const who of ["bob", "studio"] as const) {
      expect(await ok(who, search)).toEqual([]);
      expect(await ok(who, count)).toBe(0);
    }
    expect((await call("eve", search)).statusCode).toBe(403);
  });

  it("prune skips hidden threads", async () => {
    const prune = { method: "POST", url: "/threads/prune", body: { thread_ids: [world.T] } } as const;
    expect(await ok("bob", prune)).toEqual({ pruned_count: 0 });
    expect(await ok("studio", prune)).toEqual({ pruned_count: 0 });
    expect((await call("eve", prune)).statusCode).toBe(403);
    await ok("alice", { method: "GET", url: `/threads/${world.T}` });
    expect(await ok("alice", prune)).toEqual({ pruned_count: 1 });
    expect((await call("alice", { method: "GET", url: `/threads/${world.T}` })).statusCode).toBe(404);
  });

  it("cancel by status only touches the caller's runs", async () => {
    const cancel = { method: "POST", url: "/runs/cancel", body: { status: "pending" } } as const;
    expect((await call("bob", cancel)).statusCode).toBe(204);
    expect((await call("studio", cancel)).statusCode).toBe(204);
    expect((await ok("alice", { method: "GET", url: `/threads/${world.T2}/runs/${world.P}` })).status).toBe("pending");
    expect((await call("alice", cancel)).statusCode).toBe(204);
    const p = await ok("alice", { method: "GET", url: `/threads/${world.T2}/runs/${world.P}` });
    expect(p.status).toBe("interrupted");
  });
});

describe("creating over a hidden id", () => {
  it("threads and assistants: 409, even with if_exists do_nothing (never the other's resource)", async () => {
    for (const if_exists of ["raise", "do_nothing"]) {
      const t = await call("bob", { method: "POST", url: "/threads", body: { thread_id: world.T, if_exists } });
      expect(t.statusCode).toBe(409);
      expect(t.body).not.toContain("alice");
      const a = await call("bob", { method: "POST", url: "/assistants", body: { assistant_id: world.A, graph_id: "echo", if_exists } });
      expect(a.statusCode).toBe(409);
    }
    // The owner's own do_nothing returns her resource.
    const mine = await ok("alice", { method: "POST", url: "/threads", body: { thread_id: world.T, if_exists: "do_nothing" } });
    expect(mine.metadata.owner).toBe("alice");
  });

  it("a run cannot be pointed at another thread's checkpoints", async () => {
    const own = (await ok("bob", { method: "POST", url: "/threads", body: {} })).thread_id;
    const before = await snapshot(world);
    const historyBefore = await ok("alice", { method: "GET", url: `/threads/${world.T}/history` });
    const res = await call("bob", {
      method: "POST",
      url: `/threads/${own}/runs/wait`,
      body: { assistant_id: "echo", input: human("mine"), checkpoint: { thread_id: world.T, checkpoint_id: world.cp }, config: { configurable: { thread_id: world.T } } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain("alice's secret");
    expect(await snapshot(world)).toEqual(before);
    expect(await ok("alice", { method: "GET", url: `/threads/${world.T}/history` })).toEqual(historyBefore);
    // Bob's run ran on his own thread.
    const mine = await ok("bob", { method: "GET", url: `/threads/${own}/state` });
    expect(JSON.stringify(mine.values)).toContain("mine");
  });
});

describe("handler mutations are what gets stored", () => {
  it("owner stamps on threads, runs, assistants and copies; edits on updates", async () => {
    const t = await ok("alice", { method: "GET", url: `/threads/${world.T}` });
    expect(t.metadata).toMatchObject({ owner: "alice", graph_id: "echo" });
    const run = await ok("alice", { method: "GET", url: `/threads/${world.T}/runs/${world.R1}` });
    expect(run.metadata).toMatchObject({ owner: "alice" });
    const a = await ok("alice", { method: "GET", url: `/assistants/${world.A}` });
    expect(a.metadata).toEqual({ owner: "alice" });
    // A client cannot claim to be someone else: the handler overwrites the owner it sent.
    const forged = await ok("bob", { method: "POST", url: "/threads", body: { metadata: { owner: "alice" } } });
    expect(forged.metadata.owner).toBe("bob");
    const patched = await ok("alice", { method: "PATCH", url: `/threads/${world.T}`, body: { metadata: { topic: "x" } } });
    expect(patched.metadata).toMatchObject({ owner: "alice", topic: "x", edited_by: "alice" });
    const copy = await ok("alice", { method: "POST", url: `/threads/${world.T}/copy` });
    expect(copy.metadata.owner).toBe("alice");
    const studio = await ok("studio", { method: "POST", url: "/threads", body: {} });
    expect(studio.metadata.owner).toBe("langgraph-studio-user");
    expect((await call("alice", { method: "GET", url: `/threads/${studio.thread_id}` })).statusCode).toBe(404);
  });

  it("stateless runs run on a temporary thread owned by the caller", async () => {
    const res = await call("bob", { method: "POST", url: "/runs/wait", body: { assistant_id: "echo", input: human("stateless"), on_completion: "keep" } });
    expect(res.statusCode).toBe(200);
    const thread = String(res.headers["content-location"]).split("/")[2]!;
    expect((await ok("bob", { method: "GET", url: `/threads/${thread}` })).metadata.owner).toBe("bob");
    expect((await call("alice", { method: "GET", url: `/threads/${thread}` })).statusCode).toBe(404);
    expect((await call("eve", { method: "POST", url: "/runs/wait", body: { assistant_id: "echo", input: human("x") } })).statusCode).toBe(403);
    const batch = await ok("bob", { method: "POST", url: "/runs/batch", body: [{ assistant_id: "echo", input: human("b") }] });
    expect(batch[0].metadata.owner).toBe("bob");
    const streamed = await call("bob", { method: "POST", url: "/runs/stream", body: { assistant_id: "echo", input: human("s") } });
    expect(streamed.statusCode).toBe(200);
    expect(streamed.body).toContain("event: metadata");
  });
});

describe("the store ($contains filter on the namespace)", () => {
  const get = { method: "GET", url: "/store/items?namespace=alice.notes&key=k" } as const;

  it("put: stored as the handler changed it; nobody writes into another's namespace", async () => {
    expect((await ok("alice", get)).value).toEqual({ text: "alice's note", written_by: "alice" });
    for (const who of ["bob", "studio"] as const) {
      const res = await call(who, { method: "PUT", url: "/store/items", body: { namespace: ["alice", "notes"], key: "k", value: { text: "overwritten" } } });
      expect(res.statusCode).toBe(403);
      // A missing key is refused the same way: nothing tells whether it exists.
      const fresh = await call(who, { method: "PUT", url: "/store/items", body: { namespace: ["alice", "notes"], key: "new", value: { text: "x" } } });
      expect(fresh.statusCode).toBe(403);
      expect(fresh.body).toBe(res.body);
      // A null value deletes, and deleting another's item quietly does nothing (as for a missing one).
      expect((await call(who, { method: "PUT", url: "/store/items", body: { namespace: ["alice", "notes"], key: "k", value: null } })).statusCode).toBe(204);
    }
    expect((await call("eve", { method: "PUT", url: "/store/items", body: { namespace: ["eve"], key: "k", value: {} } })).statusCode).toBe(403);
    expect((await ok("alice", get)).value.text).toBe("alice's note");
    await ok("bob", { method: "PUT", url: "/store/items", body: { namespace: ["bob", "notes"], key: "k", value: { text: "bob's" } } });
    expect((await ok("bob", { method: "GET", url: "/store/items?namespace=bob.notes&key=k" })).value).toEqual({ text: "bob's", written_by: "bob" });
  });

  it("get, search, namespaces and delete: another's items look absent", async () => {
    await ok("bob", { method: "PUT", url: "/store/items", body: { namespace: ["bob", "notes"], key: "k", value: { text: "bob's" } } });
    for (const who of ["bob", "studio"] as const) {
      const got = await call(who, get);
      expect(got.statusCode).toBe(200);
      expect(got.json()).toBeNull();
      expect(await ok(who, { method: "POST", url: "/store/items/search", body: { namespace_prefix: ["alice"] } })).toEqual({ items: [] });
      const ns = await ok(who, { method: "POST", url: "/store/namespaces", body: {} });
      expect(ns.namespaces).not.toContainEqual(["alice", "notes"]);
      // Deleting another's item is as quiet as deleting a missing one, and changes nothing.
      const del = await call(who, { method: "DELETE", url: "/store/items", body: { namespace: ["alice", "notes"], key: "k" } });
      const missing = await call(who, { method: "DELETE", url: "/store/items", body: { namespace: ["alice", "notes"], key: "nope" } });
      expect(del.statusCode).toBe(missing.statusCode);
      expect(del.body).toBe(missing.body);
    }
    expect((await ok("alice", get)).value.text).toBe("alice's note");
    const bobs = await ok("bob", { method: "POST", url: "/store/items/search", body: {} });
    expect(bobs.items.map((i: { namespace: string[] }) => i.namespace)).toEqual([["bob", "notes"]]);
    expect((await ok("bob", { method: "POST", url: "/store/namespaces", body: {} })).namespaces).toEqual([["bob", "notes"]]);
    expect((await ok("alice", { method: "POST", url: "/store/namespaces", body: {} })).namespaces).toEqual([["alice", "notes"]]);
    for (const req of [
      get,
      { method: "POST", url: "/store/items/search", body: {} },
      { method: "POST", url: "/store/namespaces", body: {} },
      { method: "DELETE", url: "/store/items", body: { namespace: ["alice", "notes"], key: "k" } },
    ] as Req[]) {
      expect((await call("eve", req)).statusCode).toBe(403);
    }
    expect((await call("alice", { method: "DELETE", url: "/store/items", body: { namespace: ["alice", "notes"], key: "k" } })).statusCode).toBe(204);
    expect((await call("alice", get)).json()).toBeNull();
  });
});

describe("the store with a filter on the value's fields", () => {
  it("a put over another's hidden item is a 409 and changes nothing; reads, searches and deletes skip it", async () => {
    const auth = new Auth()
      .authenticate(async (request: Request) => TOKENS.get(request.headers.get("authorization") ?? "") ?? "anonymous")
      .on("store", ({ action, value, user }) => {
        const v = value as Value;
        if (action === "put" && v.value) v.value.owner = user.identity;
        return { owner: { $eq: user.identity } };
      });
    const other = await makeTestApp({ auth: createAuthService({ module: { file: "/sweep/store-auth.ts", exportName: "auth", auth: auth as never } }) });
    const send = (who: Who, req: Req) =>
      other.app.inject({
        method: req.method,
        url: req.url,
        headers: { ...HEADERS[who], ...(req.body === undefined ? {} : { "content-type": "application/json" }) },
        ...(req.body === undefined ? {} : { payload: JSON.stringify(req.body) }),
      });
    try {
      const put = (text: string): Req => ({ method: "PUT", url: "/store/items", body: { namespace: ["shared"], key: "k", value: { text } } });
      const get: Req = { method: "GET", url: "/store/items?namespace=shared&key=k" };
      expect((await send("alice", put("alice's"))).statusCode).toBe(204);
      expect((await send("alice", get)).json().value).toEqual({ text: "alice's", owner: "alice" });
      const clash = await send("bob", put("bob's"));
      expect(clash.statusCode).toBe(409);
      expect(clash.body).toBe("Item shared/k already exists");
      expect((await send("bob", get)).json()).toBeNull();
      expect((await send("bob", { method: "POST", url: "/store/items/search", body: { namespace_prefix: ["shared"] } })).json()).toEqual({ items: [] });
      expect((await send("bob", { method: "POST", url: "/store/namespaces", body: {} })).json()).toEqual({ namespaces: [] });
      expect((await send("bob", { method: "DELETE", url: "/store/items", body: { namespace: ["shared"], key: "k" } })).statusCode).toBe(204);
      expect((await send("alice", get)).json().value).toEqual({ text: "alice's", owner: "alice" });
      // Her own put replaces her item.
      expect((await send("alice", put("again"))).statusCode).toBe(204);
      expect((await send("alice", get)).json().value.text).toBe("again");
    } finally {
      await other.close();
    }
  });
});

describe("what needs authentication", () => {
  it("/internal/truncate and unknown paths need a user; /ok, /info, /docs, /openapi.json and preflights do not", async () => {
    const truncate: Req = { method: "POST", url: "/internal/truncate", body: { threads: true, runs: true } };
    const refused = await call("nobody", truncate);
    expect(refused.statusCode).toBe(401);
    expect(refused.body).toBe("Unknown user");
    expect((await ok("alice", { method: "POST", url: "/threads/count", body: {} }))).toBe(2);
    for (const url of ["/ok", "/info", "/openapi.json", "/docs", "/docs/json"]) {
      expect((await call("nobody", { method: "GET", url })).statusCode, url).toBeLessThan(400);
    }
    const unknown = await call("nobody", { method: "GET", url: "/no/such/path" });
    expect(unknown.statusCode).toBe(401);
    expect((await call("alice", { method: "GET", url: "/no/such/path" })).statusCode).toBe(404);
    for (const method of ["DELETE", "POST", "PUT", "PATCH"] as const) {
      expect((await call("nobody", { method, url: "/no/such/path", body: {} })).statusCode).toBe(401);
    }
    // A preflight is answered without credentials; the request it announces is not.
    const preflight = await app.inject({
      method: "OPTIONS",
      url: "/threads",
      headers: { origin: "https://smith.langchain.com", "access-control-request-method": "POST", "access-control-request-private-network": "true" },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers["access-control-allow-origin"]).toBe("https://smith.langchain.com");
    expect(preflight.headers["access-control-allow-private-network"]).toBe("true");
    const actual = await app.inject({ method: "POST", url: "/threads", headers: { origin: "https://smith.langchain.com", "content-type": "application/json" }, payload: "{}" });
    expect(actual.statusCode).toBe(401);
    // The 401 carries CORS headers, so a browser client can read it.
    expect(actual.headers["access-control-allow-origin"]).toBe("https://smith.langchain.com");
    // OPTIONS that is not a preflight is no way around authentication either.
    expect((await app.inject({ method: "OPTIONS", url: "/threads" })).statusCode).toBeGreaterThanOrEqual(400);
    expect((await call("alice", { method: "POST", url: "/threads/count", body: {} }))).toMatchObject({ statusCode: 200 });
    expect((await call("alice", truncate)).statusCode).toBe(204);
    expect(await ok("alice", { method: "POST", url: "/threads/count", body: {} })).toBe(0);
  });

  it("authentication runs before the body is judged: a broken or invalid body without credentials is a 401", async () => {
    const broken = await app.inject({ method: "POST", url: "/threads", headers: { "content-type": "application/json" }, payload: '{"a":' });
    expect(broken.statusCode).toBe(401);
    const invalid = await call("nobody", { method: "POST", url: "/threads/search", body: { limit: 0 } });
    expect(invalid.statusCode).toBe(401);
    const brokenAuthed = await app.inject({ method: "POST", url: "/threads", headers: { ...HEADERS.alice, "content-type": "application/json" }, payload: '{"a":' });
    expect(brokenAuthed.statusCode).toBe(400);
    expect(brokenAuthed.body).toMatch(/^Malformed JSON body/);
  });

  it("the raw URL cannot make a route public", async () => {
    for (const url of ["/docs/../threads/search", "/docs/..%2Fthreads", "//docs", "/openapi.json/../threads", "/ok/../threads/search"]) {
      const res = await call("nobody", { method: "POST", url, body: {} });
      expect(res.statusCode, url).not.toBe(200);
      expect([401, 404]).toContain(res.statusCode);
    }
  });
});

describe("the Studio user", () => {
  it("is honoured from loopback only; from the network the header changes nothing", async () => {
    const local = await call("studio", { method: "POST", url: "/threads", body: {} });
    expect(local.statusCode).toBe(200);
    const remote = await call("studio", { method: "POST", url: "/threads", body: {} }, { remoteAddress: "10.1.2.3" });
    expect(remote.statusCode).toBe(401);
    expect(remote.body).toBe("Unknown user");
    // A remote client with a token is authenticated normally, whatever it claims.
    const remoteBob = await app.inject({
      method: "POST",
      url: "/threads",
      headers: { ...HEADERS.bob, "x-auth-scheme": "langsmith", "content-type": "application/json" },
      payload: "{}",
      remoteAddress: "10.1.2.3",
    });
    expect(remoteBob.json().metadata.owner).toBe("bob");
    const v6 = await call("studio", { method: "POST", url: "/threads/count", body: {} }, { remoteAddress: "::1" });
    expect(v6.statusCode).toBe(200);
    const mapped = await call("studio", { method: "POST", url: "/threads/count", body: {} }, { remoteAddress: "::ffff:10.1.2.3" });
    expect(mapped.statusCode).toBe(401);
  });

  it("a request relayed by a local proxy or tunnel is not from this machine", async () => {
    for (const header of ["x-forwarded-for", "forwarded", "x-forwarded-host", "x-real-ip"]) {
      const res = await app.inject({
        method: "POST",
        url: "/threads/count",
        headers: { ...HEADERS.studio, [header]: "203.0.113.7", "content-type": "application/json" },
        payload: "{}",
      });
      expect(res.statusCode, header).toBe(401);
    }
  });
});
