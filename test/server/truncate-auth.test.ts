/**
 * `POST /internal/truncate` under custom auth deletes only what the caller could delete through the delete
 * endpoints (same `.on` handlers, same filters); without custom auth it empties everything (routes.test.ts).
 */
import { Auth, HTTPException } from "@langchain/langgraph-sdk/auth";
import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAuthService } from "../../src/auth/index.js";
import type { Services } from "../../src/services/index.js";
import { askGraph, echoGraph, makeTestApp } from "../helpers/app.js";
import type { Storage } from "../../src/storage/embedded/storage.js";

type Who = "alice" | "bob" | "eve";

function ownerAuth() {
  const auth = new Auth()
    .authenticate(async (request: Request) => {
      const identity = (request.headers.get("authorization") ?? "").replace("Bearer ", "");
      if (!["alice", "bob", "eve"].includes(identity)) throw new HTTPException(401, { message: "Unknown user" });
      return identity;
    })
    .on("*", ({ resource, action, value, user }): any => {
      const v = value as Record<string, any>;
      if (user.identity === "eve" && action === "delete") return false;
      if (resource === "store") return { namespace: { $contains: user.identity } };
      if (action === "create" || action === "create_run") {
        v.metadata ??= {};
        v.metadata.owner = user.identity;
      }
      return { owner: user.identity };
    });
  return createAuthService({ module: { file: "/t/auth.ts", exportName: "auth", auth: auth as never } });
}

let app: FastifyInstance;
let services: Services;
let storage: Storage;
let close: () => Promise<void>;
beforeEach(async () => {
  ({ app, services, storage, close } = await makeTestApp({ auth: ownerAuth(), graphs: { echo: echoGraph(), ask: askGraph() } }));
});
afterEach(() => close());

async function call(who: Who, method: "GET" | "POST" | "PUT", url: string, body?: unknown) {
  const res = await app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${who}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
  expect(res.statusCode, `${method} ${url} as ${who}: ${res.body}`).toBeLessThan(300);
  return res.body === "" ? undefined : res.json();
}

/** One user's world: an assistant, a thread with a finished run (so checkpoints), a store item and a cron. */
async function world(who: Who) {
  const assistant = (await call(who, "POST", "/assistants", { graph_id: "echo", name: `${who}-bot` })).assistant_id as string;
  const thread = (await call(who, "POST", "/threads", {})).thread_id as string;
  await call(who, "POST", `/threads/${thread}/runs/wait`, { assistant_id: "echo", input: { messages: [{ role: "user", content: who }] } });
  await call(who, "PUT", "/store/items", { namespace: [who, "notes"], key: "k", value: { text: who } });
  const cron = (await call(who, "POST", `/threads/${thread}/runs/crons`, { assistant_id: "echo", schedule: "0 0 1 1 *" })).cron_id as string;
  return { assistant, thread, cron };
}

/** What `who` can see of their world. */
async function seen(who: Who, w: { thread: string }) {
  return {
    threads: await call(who, "POST", "/threads/count", {}),
    assistants: (await call(who, "POST", "/assistants/search", { metadata: { owner: who } })).length,
    runs: (await call(who, "GET", `/threads/${w.thread}/runs`)).length,
    history: (await call(who, "POST", `/threads/${w.thread}/history`, {})).length,
    store: (await call(who, "GET", `/store/items?namespace=${who}.notes&key=k`)) !== null,
    crons: await call(who, "POST", "/runs/crons/count", {}),
  };
}

const ALL = { threads: true, runs: true, assistants: true, store: true, checkpoint: true };

describe("/internal/truncate under custom auth", () => {
  it("deletes the caller's threads, runs, checkpoints, assistants, store items and crons, and nobody else's", async () => {
    const alice = await world("alice");
    const bob = await world("bob");
    const before = await seen("alice", alice);
    expect(before).toMatchObject({ threads: 1, assistants: 1, runs: 1, store: true, crons: 1 });
    expect(before.history).toBeGreaterThan(0);

    await call("bob", "POST", "/internal/truncate", ALL);
    expect(await seen("alice", alice)).toEqual(before);
    expect(await call("bob", "POST", "/threads/count", {})).toBe(0);
    expect(await call("bob", "POST", "/assistants/search", { metadata: { owner: "bob" } })).toEqual([]);
    expect(await call("bob", "GET", "/store/items?namespace=bob.notes&key=k")).toBeNull();
    expect(await call("bob", "POST", "/runs/crons/count", {})).toBe(0);
    expect((await app.inject({ method: "GET", url: `/threads/${bob.thread}`, headers: { authorization: "Bearer alice" } })).statusCode).toBe(404);
    // System assistants stay for everyone.
    const system = () => [...storage.assistants.values()].filter((a) => a.metadata?.created_by === "system").length;
    expect(system()).toBe(2);

    await call("alice", "POST", "/internal/truncate", ALL);
    expect(await call("alice", "POST", "/threads/count", {})).toBe(0);
    expect(storage.threads.size + storage.runs.size + storage.store.size + storage.crons.size).toBe(0);
    expect(storage.checkpoints.size).toBe(0);
    expect(storage.assistants.size).toBe(system());
  });

  it("runs only, or checkpoints only: the caller's are gone, another's stay", async () => {
    const alice = await world("alice");
    const bob = await world("bob");
    const before = await seen("alice", alice);
    await call("bob", "POST", "/internal/truncate", { runs: true });
    expect((await call("bob", "GET", `/threads/${bob.thread}/runs`)).length).toBe(0);
    await call("bob", "POST", "/internal/truncate", { checkpoint: true });
    expect((await call("bob", "POST", `/threads/${bob.thread}/history`, {})).length).toBe(0);
    expect(await seen("alice", alice)).toEqual(before);
  });

  it("a handler that refuses deletes (false) leaves everything in place, and the call still answers", async () => {
    const alice = await world("alice");
    const res = await app.inject({
      method: "POST",
      url: "/internal/truncate",
      headers: { authorization: "Bearer eve", "content-type": "application/json" },
      payload: JSON.stringify(ALL),
    });
    expect(res.statusCode).toBe(204);
    expect(await seen("alice", alice)).toMatchObject({ threads: 1, assistants: 1, runs: 1, store: true, crons: 1 });
  });
});
