/**
 * Loading `store.index.embed`: the project's own function (sync or async, or an Embeddings-like object), or a
 * "provider:model" string built from the provider's LangChain package as the project installed it. No network: the
 * provider package here is a fake one written into a temp project.
 */
import { describe, expect, test } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { isPathRef, loadSemanticIndex } from "../../src/graphs/embeddings.js";
import { createModuleLoader } from "../../src/graphs/loader.js";
import { tempProject } from "../helpers/temp-project.js";

function optionsFor(dir: string) {
  const loader = createModuleLoader({ projectDir: dir });
  return { configDir: dir, importModule: (file: string) => loader.importModule(file, 1), importPackage: (s: string) => loader.importPackage(s) };
}

const EMBED_TS = `
const vec = (t: string) => [t.length, (t.match(/a/g) ?? []).length, 1];
export function embed(texts: string[]): number[][] { return texts.map(vec); }
export async function embedAsync(texts: string[]) { return texts.map(vec); }
export const embeddings = { embedDocuments: async (texts: string[]) => texts.map(vec), embedQuery: async (t: string) => vec(t) };
export const wrongDims = (texts: string[]) => texts.map(() => [1, 2]);
export const notAFunction = 42;
`;

describe("store.index.embed", () => {
  test("tells a path from a provider string", () => {
    expect(isPathRef("./src/embed.ts:embed")).toBe(true);
    expect(isPathRef("src/embed.ts:embed")).toBe(true);
    expect(isPathRef("/abs/embed.mjs:embed")).toBe(true);
    expect(isPathRef("openai:text-embedding-3-small")).toBe(false);
    expect(isPathRef("ollama:nomic-embed-text")).toBe(false);
  });

  test.each(["embed", "embedAsync", "embeddings"])("the project's own %s is loaded and checked against dims", async (name) => {
    const dir = tempProject({ "src/embed.ts": EMBED_TS });
    const index = await loadSemanticIndex({ index: { dims: 3, embed: `./src/embed.ts:${name}`, fields: ["text"] } }, optionsFor(dir));
    expect(index!.settings.fields).toEqual(["text"]);
    expect(await index!.embedValue({ text: "banana" }, undefined)).toEqual([[6, 3, 1]]);
    expect(await index!.embedQuery("aa")).toEqual([2, 2, 1]);
  });

  test("a function answering the wrong dimensions fails the put naming dims", async () => {
    const dir = tempProject({ "src/embed.ts": EMBED_TS });
    const index = await loadSemanticIndex({ index: { dims: 3, embed: "./src/embed.ts:wrongDims" } }, optionsFor(dir));
    await expect(index!.embedValue({ text: "x" }, undefined)).rejects.toThrow(
      'store.index.embed (./src/embed.ts:wrongDims) returned a vector of 2 dimensions, but store.index.dims in langgraph.json is 3',
    );
  });

  test("a missing file, export or a non-function are start-up errors naming the key", async () => {
    const dir = tempProject({ "src/embed.ts": EMBED_TS });
    await expect(loadSemanticIndex({ index: { dims: 3, embed: "./src/nope.ts:embed" } }, optionsFor(dir))).rejects.toThrow(/Embedding module not found: .*nope\.ts \(store\.index\.embed/);
    await expect(loadSemanticIndex({ index: { dims: 3, embed: "./src/embed.ts:missing" } }, optionsFor(dir))).rejects.toThrow('has no export "missing"');
    await expect(loadSemanticIndex({ index: { dims: 3, embed: "./src/embed.ts:notAFunction" } }, optionsFor(dir))).rejects.toThrow(
      /Export "notAFunction" .* is .*store\.index\.embed needs a function/,
    );
    await expect(loadSemanticIndex({ index: { dims: 0, embed: "./src/embed.ts:embed" } }, optionsFor(dir))).rejects.toThrow('"store.index.dims" must be a positive integer');
  });

  test("a provider whose package is not installed stops start-up naming the package to install", async () => {
    const dir = tempProject({ "package.json": "{}" });
    const error = await loadSemanticIndex({ index: { dims: 1536, embed: "openai:text-embedding-3-small" } }, optionsFor(dir)).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe('store.index.embed "openai:text-embedding-3-small" needs @langchain/openai, which the project does not have installed. Run: npm install @langchain/openai');
    await expect(loadSemanticIndex({ index: { dims: 3, embed: "acme:model-1" } }, optionsFor(dir))).rejects.toThrow(/known provider \(openai, azure_openai, cohere/);
  });

  test("a provider string builds the provider's Embeddings class with the model, from the project's package", async () => {
    const dir = tempProject({
      "package.json": JSON.stringify({ name: "p", type: "module" }),
      "node_modules/@langchain/openai/package.json": JSON.stringify({ name: "@langchain/openai", version: "1.0.0", type: "module", exports: { ".": "./index.js" } }),
      "node_modules/@langchain/openai/index.js": `
        export class OpenAIEmbeddings {
          constructor(fields) { this.model = fields.model; }
          async embedDocuments(texts) { return texts.map((t) => [t.length, this.model.length]); }
          async embedQuery(t) { return [t.length, this.model.length]; }
        }`,
    });
    const index = await loadSemanticIndex({ index: { dims: 2, embed: "openai:text-embedding-3-small" } }, optionsFor(dir));
    expect(await index!.embedValue({ a: 1 }, ["a"])).toEqual([[1, "text-embedding-3-small".length]]);
    expect(await index!.embedQuery("four")).toEqual([4, "text-embedding-3-small".length]);
  });
});
