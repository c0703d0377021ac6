import { afterEach, describe, expect, it } from "vitest";
import { askGraph, echoGraph, makeTestApp } from "../helpers/app.js";

/** Two graphs, so two system assistants. */
const twoGraphs = () => makeTestApp({ graphs: { echo: echoGraph(), ask: askGraph() } });

type Made = Awaited<ReturnType<typeof twoGraphs>>;
let made: Made | undefined;
afterEach(async () => {
  await made?.close();
  made = undefined;
});

const json = (body: unknown) => ({ headers: { "content-type": "application/json" }, payload: JSON.stringify(body) });

describe("routes via inject", () => {
  it("creates, reads, patches, searches, counts and deletes threads", async () => {
    made = await twoGraphs();
    const { app } = made;
    const created = await app.inject({ method: "POST", url: "/threads", ...json({ metadata: { a: 1 } }) });
    expect(created.statusCode).toBe(200);
    const t = created.json();
    expect(t.status).toBe("idle");
    const dup = await app.inject({ method: "POST", url: "/threads", ...json({ thread_id: t.thread_id }) });
    expect(dup.statusCode).toBe(409);
    const same = await app.inject({ method: "POST", url: "/threads", ...json({ thread_id: t.thread_id, if_exists: "do_nothing" }) });
    expect(same.json().thread_id).toBe(t.thread_id);
    const patched = await app.inject({ method: "PATCH", url: `/threads/${t.thread_id}`, ...json({ metadata: { b: 2 } }) });
    expect(patched.json().metadata).toEqual({ a: 1, b: 2 });
    await app.inject({ method: "POST", url: "/threads", ...json({ metadata: { a: 2 } }) });
    const search = await app.inject({ method: "POST", url: "/threads/search", ...json({ metadata: { a: 1 } }) });
    expect(search.json().map((x: { thread_id: string }) => x.thread_id)).toEqual([t.thread_id]);
    expect(search.headers["x-pagination-total"]).toBe("1");
    const count = await app.inject({ method: "POST", url: "/threads/count", ...json({}) });
    expect(count.json()).toBe(2);
    const del = await app.inject({ method: "DELETE", url: `/threads/${t.thread_id}` });
    expect(del.statusCode).toBe(204);
    const gone = await app.inject({ method: "GET", url: `/threads/${t.thread_id}` });
    expect(gone.statusCode).toBe(404);
    expect(gone.body).toBe(`Thread with ID ${t.thread_id} not found`);
    expect(gone.headers["content-type"]).toMatch(/text\/plain/);
  });

  it("validates bodies, params and JSON", async () => {
    made = await twoGraphs();
    const { app } = made;
    const bad = await app.inject({ method: "GET", url: "/threads/123" });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toBe('params/thread_id must match format "uuid"');
    const broken = await app.inject({ method: "POST", url: "/threads", headers: { "content-type": "application/json" }, payload: '{"a":' });
    expect(broken.statusCode).toBe(400);
    expect(broken.body).toMatch(/^Malformed JSON body: /);
    const limit = await app.inject({ method: "POST", url: "/assistants/search", ...json({ limit: 0 }) });
    expect(limit.statusCode).toBe(422);
    expect(limit.body).toBe("body/limit must be >= 1");
    const mode = await app.inject({ method: "POST", url: "/runs/wait", ...json({ assistant_id: "echo", stream_mode: "nope" }) });
    expect(mode.statusCode).toBe(422);
    const unknown = await app.inject({ method: "GET", url: "/nope" });
    expect(unknown.statusCode).toBe(404);
  });

  it("manages assistants with versions", async () => {
    made = await twoGraphs();
    const { app } = made;
    const a = (await app.inject({ method: "POST", url: "/assistants", ...json({ graph_id: "echo", name: "mine", config: { configurable: { x: 1 } } }) })).json();
    expect(a.version).toBe(1);
    const p = (await app.inject({ method: "PATCH", url: `/assistants/${a.assistant_id}`, ...json({ name: "renamed" }) })).json();
    expect(p.version).toBe(2);
    expect(p.name).toBe("renamed");
    const versions = (await app.inject({ method: "POST", url: `/assistants/${a.assistant_id}/versions`, ...json({}) })).json();
    expect(versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const latest = (await app.inject({ method: "POST", url: `/assistants/${a.assistant_id}/latest`, ...json({ version: 1 }) })).json();
    expect(latest.name).toBe("mine");
    const unknownGraph = await app.inject({ method: "POST", url: "/assistants", ...json({ graph_id: "nope" }) });
    expect(unknownGraph.statusCode).toBe(404);
    const search = (await app.inject({ method: "POST", url: "/assistants/search", ...json({ graph_id: "echo" }) })).json();
    expect(search).toHaveLength(2);
    const count = (await app.inject({ method: "POST", url: "/assistants/count", ...json({ graph_id: "echo" }) })).json();
    expect(count).toBe(2);
    const deleted = await app.inject({ method: "DELETE", url: `/assistants/${a.assistant_id}` });
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toEqual([a.assistant_id]);
    expect((await app.inject({ method: "GET", url: `/assistants/${a.assistant_id}` })).statusCode).toBe(404);
  });

  it("runs wait, state and history, and the truncate reset keeps system assistants", async () => {
    made = await twoGraphs();
    const { app } = made;
    const t = (await app.inject({ method: "POST", url: "/threads", ...json({}) })).json();
    const out = await app.inject({ method: "POST", url: `/threads/${t.thread_id}/runs/wait`, ...json({ assistant_id: "echo", input: { messages: [{ role: "user", content: "x" }] } }) });
    expect(out.statusCode).toBe(200);
    expect(out.json().messages[1]).toMatchObject({ type: "ai", content: "echo: x" });
    expect(out.headers["content-location"]).toMatch(new RegExp(`^/threads/${t.thread_id}/runs/`));
    const state = (await app.inject({ method: "GET", url: `/threads/${t.thread_id}/state` })).json();
    expect(state.values.messages).toHaveLength(2);
    expect(state.checkpoint.thread_id).toBe(t.thread_id);
    const at = await app.inject({ method: "GET", url: `/threads/${t.thread_id}/state/${state.checkpoint.checkpoint_id}` });
    expect(at.json().checkpoint.checkpoint_id).toBe(state.checkpoint.checkpoint_id);
    const upd = await app.inject({ method: "POST", url: `/threads/${t.thread_id}/state`, ...json({ values: { messages: [{ role: "user", content: "y", id: "u2" }] }, as_node: "respond" }) });
    expect(upd.statusCode).toBe(200);
    const after = (await app.inject({ method: "GET", url: `/threads/${t.thread_id}/state` })).json();
    expect(after.values.messages).toHaveLength(3);
    const copy = (await app.inject({ method: "POST", url: `/threads/${t.thread_id}/copy` })).json();
    const copied = (await app.inject({ method: "GET", url: `/threads/${copy.thread_id}/state` })).json();
    expect(copied.values.messages).toHaveLength(3);
    const trunc = await app.inject({ method: "POST", url: "/internal/truncate", ...json({ threads: true, runs: true, assistants: true, checkpoint: true, store: true }) });
    expect(trunc.statusCode).toBe(204);
    expect((await app.inject({ method: "POST", url: "/threads/count", ...json({}) })).json()).toBe(0);
    expect((await app.inject({ method: "POST", url: "/assistants/count", ...json({}) })).json()).toBe(2);
  });

  it("store put/get/search/namespaces/delete", async () => {
    made = await twoGraphs();
    const { app } = made;
    expect((await app.inject({ method: "PUT", url: "/store/items", ...json({ namespace: ["u", "prefs"], key: "k", value: { color: "red" } }) })).statusCode).toBe(204);
    const got = (await app.inject({ method: "GET", url: "/store/items?namespace=u.prefs&key=k" })).json();
    expect(got.value).toEqual({ color: "red" });
    expect((await app.inject({ method: "GET", url: "/store/items?namespace=u.prefs&key=missing" })).json()).toBeNull();
    const found = (await app.inject({ method: "POST", url: "/store/items/search", ...json({ namespace_prefix: ["u"], filter: { color: "red" } }) })).json();
    expect(found.items).toHaveLength(1);
    const ns = (await app.inject({ method: "POST", url: "/store/namespaces", ...json({}) })).json();
    expect(ns.namespaces).toEqual([["u", "prefs"]]);
    const badNs = await app.inject({ method: "PUT", url: "/store/items", ...json({ namespace: ["a.b"], key: "k", value: {} }) });
    expect(badNs.statusCode).toBe(422);
    expect((await app.inject({ method: "DELETE", url: "/store/items", ...json({ namespace: ["u", "prefs"], key: "k" }) })).statusCode).toBe(204);
    expect((await app.inject({ method: "GET", url: "/store/items?namespace=u.prefs&key=k" })).json()).toBeNull();
  });

  it("an oversized body is a 413 and the server keeps serving", async () => {
    made = await twoGraphs();
    const big = JSON.stringify({ metadata: { big: "x".repeat(51 * 1024 * 1024) } });
    const res = await made.app.inject({ method: "POST", url: "/threads", headers: { "content-type": "application/json" }, payload: big });
    expect(res.statusCode).toBe(413);
    expect(res.body).toBe("Request body is too large");
    expect((await made.app.inject({ method: "GET", url: "/ok" })).statusCode).toBe(200);
  });

  it("serves /openapi.json and /docs", async () => {
    made = await twoGraphs();
    const spec = (await made.app.inject({ method: "GET", url: "/openapi.json" })).json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toContain("/threads/{thread_id}/runs/wait");
    const docs = await made.app.inject({ method: "GET", url: "/docs" });
    expect([200, 302]).toContain(docs.statusCode);
  });
});
