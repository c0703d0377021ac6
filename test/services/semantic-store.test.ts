/**
 * store.index through the API and a graph's store: items are embedded on put (configured fields or the put's own
 * `index`), a search with `query` ranks by cosine similarity and returns `score`, filters and prefixes still apply,
 * vectors never leave the server, and a wrong embedding function fails with a message saying what is wrong.
 */
import { Annotation, StateGraph, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { afterEach, describe, expect, test } from "vitest";
import { SemanticIndex, textsAtPath, type Embedder } from "../../src/semantic-index.js";
import { makeTestApp, type TestApp } from "../helpers/app.js";

/** A deterministic embedding: how often each letter a-z occurs. */
const letters = (text: string): number[] => {
  const v = new Array<number>(26).fill(0);
  for (const ch of text.toLowerCase()) {
    const i = ch.charCodeAt(0) - 97;
    if (i >= 0 && i < 26) v[i] += 1;
  }
  return v;
};
const cosine = (a: number[], b: number[]) => {
  const dot = a.reduce((s, x, i) => s + x * b[i], 0);
  const n = Math.hypot(...a) * Math.hypot(...b);
  return n ? dot / n : 0;
};

/** An embedder that also records every text it was asked to embed. */
function lettersEmbedder(seen: string[] = []): Embedder {
  return {
    embedDocuments: async (texts) => (seen.push(...texts), texts.map(letters)),
    embedQuery: async (text) => letters(text),
  };
}

const index = (embedder: Embedder, fields = ["text"], dims = 26) => new SemanticIndex({ dims, fields, embedder, label: "test:letters" });

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function put(body: Record<string, unknown>) {
  const res = await t!.inject({ method: "PUT", url: "/store/items", payload: body });
  expect(res.statusCode, res.body).toBe(204);
}
async function search(body: Record<string, unknown>) {
  const res = await t!.inject({ method: "POST", url: "/store/items/search", payload: body });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as Array<Record<string, unknown>>;
}

test("fields are JSON paths: nested, every element, one element, the whole value", () => {
  const value = { text: "t", meta: { title: "T", n: 3 }, chapters: [{ content: "a" }, { content: "b" }], tags: ["x", "y"] };
  expect(textsAtPath(value, "text")).toEqual(["t"]);
  expect(textsAtPath(value, "meta.title")).toEqual(["T"]);
  expect(textsAtPath(value, "meta.n")).toEqual(["3"]);
  expect(textsAtPath(value, "chapters[*].content")).toEqual(["a", "b"]);
  expect(textsAtPath(value, "tags[-1]")).toEqual(["y"]);
  expect(textsAtPath(value, "meta")).toEqual([JSON.stringify(value.meta)]);
  expect(textsAtPath(value, "$")).toEqual([JSON.stringify(value)]);
  expect(textsAtPath(value, "missing.field")).toEqual([]);
});

describe("semantic store search", () => {
  test("a query ranks items by cosine similarity of the configured field and returns the score", async () => {
    const seen: string[] = [];
    t = await makeTestApp({ services: { storeIndex: index(lettersEmbedder(seen)) } });
    const docs = { apple: "apple pie", banana: "banana bread", zebra: "zzz buzz" };
    for (const [key, text] of Object.entries(docs)) await put({ namespace: ["docs"], key, value: { text, other: "qqqq" } });
    // Only the `text` field was embedded, once per put.
    expect(seen).toEqual(Object.values(docs));

    const items = await search({ namespace_prefix: ["docs"], query: "apple" });
    expect(items.map((i) => i.key)).toEqual(["apple", "banana", "zebra"]);
    for (const item of items) {
      expect(item.score).toBeCloseTo(cosine(letters("apple"), letters(docs[item.key as keyof typeof docs])), 10);
      // Vectors stay on the server.
      expect(Object.keys(item).sort()).toEqual(["created_at", "key", "namespace", "score", "updated_at", "value"]);
    }
    expect(items[0].score as number).toBeGreaterThan(items[1].score as number);

    const bread = await search({ namespace_prefix: ["docs"], query: "bread", limit: 1, offset: 0 });
    expect(bread.map((i) => i.key)).toEqual(["banana"]);
    const second = await search({ namespace_prefix: ["docs"], query: "bread", limit: 1, offset: 1 });
    expect(second).toHaveLength(1);
    expect(second[0].key).not.toBe("banana");

    const got = await t.inject({ method: "GET", url: "/store/items?namespace=docs&key=apple" });
    expect(Object.keys(got.json()).sort()).toEqual(["created_at", "key", "namespace", "updated_at", "value"]);
  });

  test("filter and namespace prefix still apply; without a query nothing is scored", async () => {
    t = await makeTestApp({ services: { storeIndex: index(lettersEmbedder()) } });
    await put({ namespace: ["a", "docs"], key: "1", value: { text: "apple", lang: "en" } });
    await put({ namespace: ["a", "docs"], key: "2", value: { text: "apple apple", lang: "fr" } });
    await put({ namespace: ["b", "docs"], key: "3", value: { text: "apple", lang: "en" } });

    const ranked = await search({ namespace_prefix: ["a"], query: "apple", filter: { lang: "en" } });
    expect(ranked.map((i) => i.key)).toEqual(["1"]);
    expect(ranked[0].score).toBeCloseTo(1, 10);

    const plain = await search({ namespace_prefix: ["a"] });
    expect(plain.map((i) => i.key)).toEqual(["2", "1"]); // newest first, as before
    for (const item of plain) expect("score" in item).toBe(false);
  });

  test("per-item index: false is not embedded (ranked last, score null); a list embeds those fields", async () => {
    const seen: string[] = [];
    t = await makeTestApp({ services: { storeIndex: index(lettersEmbedder(seen)) } });
    await put({ namespace: ["n"], key: "off", value: { text: "apple" }, index: false });
    await put({ namespace: ["n"], key: "title", value: { text: "zzz", meta: { title: "apple" } }, index: ["meta.title"] });
    await put({ namespace: ["n"], key: "text", value: { text: "banana" } });
    expect(seen).toEqual(["apple", "banana"]);

    const items = await search({ namespace_prefix: ["n"], query: "apple" });
    expect(items.map((i) => [i.key, i.score === null ? null : Number((i.score as number).toFixed(6))])).toEqual([
      ["title", 1],
      ["text", Number(cosine(letters("apple"), letters("banana")).toFixed(6))],
      ["off", null],
    ]);
  });

  test('"$" embeds the whole value', async () => {
    const seen: string[] = [];
    t = await makeTestApp({ services: { storeIndex: index(lettersEmbedder(seen), ["$"]) } });
    await put({ namespace: ["n"], key: "k", value: { a: "x" } });
    expect(seen).toHaveLength(1);
    expect(JSON.parse(seen[0])).toEqual({ a: "x" });
  });

  test("an embedding function with the wrong dims fails the put with a message naming both sizes", async () => {
    t = await makeTestApp({ services: { storeIndex: index({ embedDocuments: async (x) => x.map(() => [1, 2, 3]), embedQuery: async () => [1, 2, 3] }, ["text"], 26) } });
    const res = await t.inject({ method: "PUT", url: "/store/items", payload: { namespace: ["n"], key: "k", value: { text: "hi" } } });
    expect(res.statusCode).toBe(500);
    expect(res.body).toContain("returned a vector of 3 dimensions, but store.index.dims in langgraph.json is 26");
    // Nothing was stored.
    expect((await t.inject({ method: "GET", url: "/store/items?namespace=n&key=k" })).json()).toBeNull();
  });

  test("a graph node's store.search({query}) ranks the same way, and its puts are embedded", async () => {
    const State = Annotation.Root({ q: Annotation<string>, found: Annotation<Array<{ key: string; score?: number }>> });
    const graph = new StateGraph(State)
      .addNode("remember", async (_s, config: LangGraphRunnableConfig) => {
        await config.store!.put(["mem"], "fruit", { text: "apple" });
        await config.store!.put(["mem"], "bread", { text: "bread" });
        return {};
      })
      .addNode("recall", async (s, config: LangGraphRunnableConfig) => {
        const items = await config.store!.search(["mem"], { query: s.q });
        return { found: items.map((i) => ({ key: i.key, score: i.score })) };
      })
      .addEdge("__start__", "remember")
      .addEdge("remember", "recall");
    t = await makeTestApp({ graphs: { mem: graph }, services: { storeIndex: index(lettersEmbedder()) } });
    const res = await t.inject({ method: "POST", url: "/runs/wait", payload: { assistant_id: "mem", input: { q: "apples" } } });
    expect(res.statusCode, res.body).toBe(200);
    const found = res.json().found as Array<{ key: string; score: number }>;
    expect(found.map((f) => f.key)).toEqual(["fruit", "bread"]);
    expect(found[0].score).toBeCloseTo(cosine(letters("apples"), letters("apple")), 10);
    // What the node stored is searchable through the API too.
    const api = await search({ namespace_prefix: ["mem"], query: "bread" });
    expect(api[0].key).toBe("bread");
    expect(api[0].score).toBeCloseTo(1, 10);
  });
});
