/**
 * A langgraph.json written for Python's `langgraph dev` with `store.index` and TTLs, served by bin/lg-dev and used
 * through the SDK: semantic search by the API and by a graph node, threads and store items that expire and are
 * swept (a tiny sweep interval, short TTLs: a second or so), and expiry and vectors that survive a restart.
 */
import { Client } from "@langchain/langgraph-sdk";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { copyFixture, startServer, type RunningServer } from "../helpers/spawn.js";

const letters = (text: string) => {
  const v = new Array<number>(26).fill(0);
  for (const ch of text.toLowerCase()) if (ch >= "a" && ch <= "z") v[ch.charCodeAt(0) - 97] += 1;
  return v;
};
const cosine = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0) / (Math.hypot(...a) * Math.hypot(...b));

/** Poll until `check` holds (bounded). */
async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("store.index and TTLs from langgraph.json", () => {
  let fixture: { dir: string; cleanup(): void };
  let server: RunningServer;
  let client: Client;
  beforeAll(async () => {
    fixture = copyFixture("memory");
    server = await startServer(fixture.dir, { args: ["--no-reload"] });
    client = new Client({ apiUrl: server.url });
  });
  afterAll(async () => {
    await server?.stop();
    fixture?.cleanup();
  });

  const docs = { apple: "apple pie", banana: "banana bread", zebra: "zzz buzz" };

  test("searchItems with a query ranks by similarity with scores; the graph's store does the same", async () => {
    for (const [key, text] of Object.entries(docs)) await client.store.putItem(["docs"], key, { text });
    const { items } = await client.store.searchItems(["docs"], { query: "apple" });
    expect(items.map((i) => i.key)).toEqual(["apple", "banana", "zebra"]);
    for (const item of items) expect(item.score).toBeCloseTo(cosine(letters("apple"), letters(docs[item.key as keyof typeof docs])), 10);
    expect(items.some((i) => "vectors" in i)).toBe(false);

    const plain = await client.store.searchItems(["docs"]);
    expect(plain.items.every((i) => i.score === undefined)).toBe(true);

    const state = (await client.runs.wait(null, "recall", { input: { query: "bread" } })) as { found: Array<{ key: string; score: number }> };
    expect(state.found.map((f) => f.key)).toEqual(["banana", "apple", "zebra"]);
    expect(state.found[0].score).toBeCloseTo(cosine(letters("bread"), letters("banana bread")), 10);
  });

  test("a thread's ttl is shown with its expiry, and the sweeper deletes it once expired", async () => {
    const short = await client.threads.create({ ttl: { ttl: 0.01, strategy: "delete" } }); // 0.6 s
    const long = await client.threads.create({ ttl: 60 });
    const shown = short as unknown as { ttl: { strategy: string; ttl_minutes: number; expires_at: string } };
    expect(shown.ttl).toEqual({ strategy: "delete", ttl_minutes: 0.01, expires_at: new Date(Date.parse(short.updated_at) + 600).toISOString() });
    await eventually(async () => (await client.threads.get(short.thread_id).then(() => false, () => true)));
    expect((await client.threads.get(long.thread_id)).thread_id).toBe(long.thread_id);
  });

  test("a store item with a ttl is gone once expired; one that is read keeps living", async () => {
    await client.store.putItem(["tmp"], "short", { text: "gone soon" }, { ttl: 0.01 });
    await client.store.putItem(["tmp"], "read", { text: "kept by reads" }, { ttl: 0.02 }); // 1.2 s, refreshed by reads
    const started = Date.now();
    // Polled without refreshing (a refreshing read would keep it alive).
    await eventually(async () => (await client.store.getItem(["tmp"], "short", { refreshTtl: false })) === null);
    // Read `read` every 100 ms for 2 s, well past its 1.2 s TTL: each read pushes its expiry back.
    while (Date.now() - started < 2_000) {
      expect(await client.store.getItem(["tmp"], "read")).not.toBeNull();
      await new Promise((r) => setTimeout(r, 100));
    }
    // Left alone, it expires.
    await eventually(async () => (await client.store.searchItems(["tmp"], { refreshTtl: false })).items.length === 0);
  });

  test("after a restart, thread expiry and the items' vectors are still there", async () => {
    const thread = await client.threads.create({ ttl: { ttl: 90 } });
    const before = (await client.threads.get(thread.thread_id)) as unknown as { ttl: { expires_at: string } };
    expect(await server.stop()).toBe(0);
    server = await startServer(fixture.dir, { args: ["--no-reload"] });
    client = new Client({ apiUrl: server.url });
    const after = (await client.threads.get(thread.thread_id)) as unknown as { ttl: { strategy: string; ttl_minutes: number; expires_at: string } };
    expect(after.ttl).toEqual({ strategy: "delete", ttl_minutes: 90, expires_at: before.ttl.expires_at });
    const { items } = await client.store.searchItems(["docs"], { query: "zzz" });
    // apple and banana share no letter with "zzz": equal scores (0), newest first.
    expect(items.map((i) => i.key)).toEqual(["zebra", "banana", "apple"]);
    expect(items[0].score).toBeCloseTo(cosine(letters("zzz"), letters("zzz buzz")), 10);
  });
});
