/**
 * TTLs: store items expire `ttl` minutes after their put or (refreshing) read, threads after their last activity;
 * the sweeper deletes expired threads with their runs and checkpoints, prunes `keep_latest` ones to their latest
 * checkpoint, skips busy ones, and deletes expired store items. Driven by a fake clock (store) and by backdating a
 * thread's last activity (threads): no test sleeps for a TTL.
 */
import { afterEach, describe, expect, test } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { storeKey } from "../../src/storage/embedded/storage.js";
import { resolveCheckpointerTtl, resolveStoreTtl } from "../../src/services/ttl.js";
import { makeTestApp, type TestApp } from "../helpers/app.js";

const MIN = 60_000;
let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** A clock the test moves. */
function fakeClock(start = Date.parse("2030-01-01T00:00:00Z")) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const getItem = async (key: string, refresh?: boolean) =>
  (await t!.inject({ method: "GET", url: `/store/items?namespace=n&key=${key}${refresh === undefined ? "" : `&refresh_ttl=${refresh}`}` })).json();

describe("store item TTL", () => {
  test("an item lives ttl minutes after its put; reads refresh it (refresh_on_read default true) unless refresh_ttl=false", async () => {
    const clock = fakeClock();
    t = await makeTestApp({ services: { clock: clock.now } });
    await t.inject({ method: "PUT", url: "/store/items", payload: { namespace: ["n"], key: "k", value: { v: 1 }, ttl: 1 } });
    await t.inject({ method: "PUT", url: "/store/items", payload: { namespace: ["n"], key: "forever", value: { v: 2 } } });
    clock.advance(0.5 * MIN);
    expect((await getItem("k")).value).toEqual({ v: 1 }); // refreshed: now expires at 1.5 min
    clock.advance(0.8 * MIN); // 1.3 min after the put, 0.8 after the read
    expect((await getItem("k", false)).value).toEqual({ v: 1 }); // not refreshed: still expires at 1.5 min
    clock.advance(0.3 * MIN); // 1.6 min
    expect(await getItem("k")).toBeNull();
    // Hidden from searches too, and gone from storage once swept.
    const search = await t.inject({ method: "POST", url: "/store/items/search", payload: { namespace_prefix: ["n"] } });
    expect(search.json().items.map((i: { key: string }) => i.key)).toEqual(["forever"]);
    expect(t.storage.store.has(storeKey(["n"], "k"))).toBe(true);
    expect(await t.services.ttlSweeper.sweepStore()).toBe(1);
    expect(t.storage.store.has(storeKey(["n"], "k"))).toBe(false);
    expect((await getItem("forever")).value).toEqual({ v: 2 });
  });

  test("store.ttl: default_ttl applies to puts without ttl (null: never); refresh_on_read false; search refresh_ttl", async () => {
    const clock = fakeClock();
    t = await makeTestApp({ services: { clock: clock.now, ttl: { store: resolveStoreTtl({ ttl: { default_ttl: 10, refresh_on_read: false } }) } } });
    for (const key of ["a", "b"]) await t.inject({ method: "PUT", url: "/store/items", payload: { namespace: ["n"], key, value: { key } } });
    await t.inject({ method: "PUT", url: "/store/items", payload: { namespace: ["n"], key: "never", value: {}, ttl: null } });
    clock.advance(6 * MIN);
    await getItem("a"); // reads do not refresh by default here
    const searched = await t.inject({ method: "POST", url: "/store/items/search", payload: { namespace_prefix: ["n"], filter: { key: "b" }, refresh_ttl: true } });
    expect(searched.json().items).toHaveLength(1);
    clock.advance(5 * MIN); // 11 min: a expired, b was refreshed at 6 min
    expect(await getItem("a")).toBeNull();
    expect((await getItem("b")).value).toEqual({ key: "b" });
    expect(await getItem("never")).not.toBeNull();
    expect(await t.services.ttlSweeper.sweepStore()).toBe(1);
  });

  test("a graph's puts get the default ttl", async () => {
    const clock = fakeClock();
    t = await makeTestApp({ services: { clock: clock.now, ttl: { store: resolveStoreTtl({ ttl: { default_ttl: 1 } }) } } });
    await t.services.graphStore.put(["n"], "g", { from: "graph" });
    expect(await t.services.graphStore.get(["n"], "g")).not.toBeNull();
    clock.advance(2 * MIN);
    expect(await t.services.graphStore.get(["n"], "g")).toBeNull();
  });
});

/** Make a thread's last activity `minutes` ago (what a TTL counts from). */
function backdate(threadId: string, minutes: number) {
  const threads = t!.storage.threads;
  const thread = threads.get(threadId)!;
  threads.set(threadId, { ...thread, updated_at: new Date(Date.now() - minutes * MIN).toISOString() });
}

async function runOn(threadId: string, assistant = "echo", input: unknown = { messages: [{ role: "user", content: "hi" }] }) {
  const res = await t!.inject({ method: "POST", url: `/threads/${threadId}/runs/wait`, payload: { assistant_id: assistant, input } });
  expect(res.statusCode, res.body).toBe(200);
}

describe("thread TTL", () => {
  test("POST /threads ttl is shown with its expiry; an expired thread is deleted with its runs and checkpoints", async () => {
    t = await makeTestApp();
    const created = (await t.inject({ method: "POST", url: "/threads", payload: { ttl: { strategy: "delete", ttl: 1 } } })).json();
    expect(created.ttl).toEqual({ strategy: "delete", ttl_minutes: 1, expires_at: new Date(Date.parse(created.updated_at) + MIN).toISOString() });
    const kept = (await t.inject({ method: "POST", url: "/threads", payload: { ttl: { ttl: 1 } } })).json();
    const untouched = (await t.inject({ method: "POST", url: "/threads", payload: {} })).json();
    expect(untouched.ttl).toBeUndefined();
    await runOn(created.thread_id);
    await runOn(kept.thread_id);
    expect(t.storage.checkpoints.keysBy("thread", created.thread_id).length).toBeGreaterThan(0);

    backdate(created.thread_id, 2);
    backdate(untouched.thread_id, 60 * 24);
    const swept = await t.services.ttlSweeper.sweepThreads();
    expect(swept).toEqual({ deleted: [created.thread_id], pruned: [], skipped: [] });
    expect((await t.inject({ method: "GET", url: `/threads/${created.thread_id}` })).statusCode).toBe(404);
    expect(t.storage.runs.keysBy("thread", created.thread_id)).toEqual([]);
    expect(t.storage.checkpoints.keysBy("thread", created.thread_id)).toEqual([]);
    // Recent activity keeps a thread; a thread without a TTL never expires.
    expect((await t.inject({ method: "GET", url: `/threads/${kept.thread_id}` })).statusCode).toBe(200);
    expect((await t.inject({ method: "GET", url: `/threads/${untouched.thread_id}` })).statusCode).toBe(200);
  });

  test("activity pushes the expiry back: a PATCH (which also may set a ttl) restarts the count", async () => {
    t = await makeTestApp();
    const thread = (await t.inject({ method: "POST", url: "/threads", payload: {} })).json();
    const patched = (await t.inject({ method: "PATCH", url: `/threads/${thread.thread_id}`, payload: { ttl: { strategy: "delete", ttl: 5 } } })).json();
    expect(patched.ttl.ttl_minutes).toBe(5);
    backdate(thread.thread_id, 6);
    const before = (await t.inject({ method: "GET", url: `/threads/${thread.thread_id}` })).json();
    expect(Date.parse(before.ttl.expires_at)).toBeLessThan(Date.now());
    await t.inject({ method: "PATCH", url: `/threads/${thread.thread_id}`, payload: { metadata: { touched: true } } });
    const after = (await t.inject({ method: "GET", url: `/threads/${thread.thread_id}` })).json();
    expect(Date.parse(after.ttl.expires_at)).toBeGreaterThan(Date.now() + 4 * MIN);
    expect((await t.services.ttlSweeper.sweepThreads()).deleted).toEqual([]);
  });

  test("a busy thread is skipped, and deleted by a later sweep once idle", async () => {
    t = await makeTestApp({ services: { ttl: { checkpointer: resolveCheckpointerTtl({ ttl: { strategy: "delete", default_ttl: 1 } }) } } });
    const thread = (await t.inject({ method: "POST", url: "/threads", payload: {} })).json();
    expect(thread.ttl).toMatchObject({ strategy: "delete", ttl_minutes: 1 });
    const run = (await t.inject({ method: "POST", url: `/threads/${thread.thread_id}/runs`, payload: { assistant_id: "slow", input: { ms: 300 } } })).json();
    backdate(thread.thread_id, 2);
    expect(await t.services.ttlSweeper.sweepThreads()).toEqual({ deleted: [], pruned: [], skipped: [thread.thread_id] });
    await t.inject({ method: "GET", url: `/threads/${thread.thread_id}/runs/${run.run_id}/join` });
    backdate(thread.thread_id, 2);
    expect((await t.services.ttlSweeper.sweepThreads()).deleted).toEqual([thread.thread_id]);
  });

  test("keep_latest keeps the thread and its latest state, dropping older checkpoints", async () => {
    t = await makeTestApp({ services: { ttl: { checkpointer: resolveCheckpointerTtl({ ttl: { strategy: "keep_latest", default_ttl: 1 } }) } } });
    const thread = (await t.inject({ method: "POST", url: "/threads", payload: {} })).json();
    await runOn(thread.thread_id);
    await runOn(thread.thread_id);
    const stateBefore = (await t.inject({ method: "GET", url: `/threads/${thread.thread_id}/state` })).json();
    expect(t.storage.checkpoints.keysBy("thread", thread.thread_id).length).toBeGreaterThan(1);
    backdate(thread.thread_id, 2);
    expect(await t.services.ttlSweeper.sweepThreads()).toEqual({ deleted: [], pruned: [thread.thread_id], skipped: [] });
    expect(t.storage.checkpoints.keysBy("thread", thread.thread_id)).toHaveLength(1);
    const stateAfter = (await t.inject({ method: "GET", url: `/threads/${thread.thread_id}/state` })).json();
    expect(stateAfter.values).toEqual(stateBefore.values);
    expect(stateAfter.checkpoint.checkpoint_id).toBe(stateBefore.checkpoint.checkpoint_id);
    // Nothing left to prune: the next sweep leaves it alone.
    expect((await t.services.ttlSweeper.sweepThreads()).pruned).toEqual([]);
  });

  test("sweep_limit bounds one sweep, oldest expiry first", async () => {
    t = await makeTestApp({ services: { ttl: { checkpointer: resolveCheckpointerTtl({ ttl: { default_ttl: 1, sweep_limit: 2 } }) } } });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await t.inject({ method: "POST", url: "/threads", payload: {} })).json().thread_id);
    backdate(ids[0], 5);
    backdate(ids[1], 3);
    backdate(ids[2], 4);
    expect((await t.services.ttlSweeper.sweepThreads()).deleted).toEqual([ids[0], ids[2]]);
    expect((await t.services.ttlSweeper.sweepThreads()).deleted).toEqual([ids[1]]);
  });

  test("a bad ttl in a request is a 422 naming it", async () => {
    t = await makeTestApp();
    const res = await t.inject({ method: "POST", url: "/threads", payload: { ttl: { strategy: "archive", ttl: 1 } } });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain("strategy");
  });
});

describe("TTL settings in langgraph.json", () => {
  test("defaults, and values that cannot work are ConfigErrors naming the key", () => {
    expect(resolveCheckpointerTtl(undefined)).toEqual({ sweepIntervalMinutes: 5, sweepLimit: 1000 });
    expect(resolveCheckpointerTtl({ ttl: { default_ttl: 60, sweep_interval_minutes: 2 } })).toEqual({
      defaultTtl: { strategy: "delete", ttl_minutes: 60 },
      sweepIntervalMinutes: 2,
      sweepLimit: 1000,
    });
    expect(resolveStoreTtl(undefined)).toEqual({ refreshOnRead: true });
    expect(() => resolveCheckpointerTtl({ ttl: { strategy: "archive" } })).toThrow(ConfigError);
    expect(() => resolveCheckpointerTtl({ ttl: { strategy: "archive" } })).toThrow('"checkpointer.ttl.strategy" must be "delete" or "keep_latest"');
    expect(() => resolveCheckpointerTtl({ ttl: { sweep_interval_minutes: 0 } })).toThrow('"checkpointer.ttl.sweep_interval_minutes" must be a positive number');
    expect(() => resolveCheckpointerTtl({ ttl: { sweep_limit: 1.5 } })).toThrow('"checkpointer.ttl.sweep_limit" must be a positive integer');
    expect(() => resolveStoreTtl({ ttl: { default_ttl: -1 } })).toThrow('"store.ttl.default_ttl" must be a non-negative number');
  });
});
