import { describe, expect, test } from "vitest";
import { join } from "node:path";
import { InMemoryStore, MemorySaver } from "@langchain/langgraph";
import { ConfigError } from "../../src/errors.js";
import { loadConfig } from "../../src/config/index.js";
import { createModuleLoader } from "../../src/graphs/loader.js";
import { loadGraph, loadGraphs } from "../../src/graphs/load.js";
import { GraphRegistry } from "../../src/graphs/registry.js";
import type { GraphSpec, LoadedGraph } from "../../src/graphs/types.js";
import { FIXTURES } from "../helpers/spawn.js";

const BASIC = join(FIXTURES, "graphs-basic");
const BROKEN = join(FIXTURES, "graphs-broken");
const COMMONJS = join(FIXTURES, "graphs-commonjs");

const loader = createModuleLoader({ projectDir: BASIC });
const generations = new GraphRegistry();

function deps() {
  return { checkpointer: new MemorySaver(), store: new InMemoryStore() };
}

async function runGraph(graph: LoadedGraph, text: string, configurable: Record<string, unknown> = {}) {
  const compiled = await graph.resolve({ configurable });
  const result = (await compiled.invoke!({ text }, { configurable: { thread_id: `t-${Math.random()}`, ...configurable } })) as {
    text: string;
    log?: string[];
  };
  return { compiled, result };
}

async function loadFailure(configDir: string, path: string, graphId = "broken"): Promise<string> {
  const error = await loadGraph({ graphId, path }, { configDir, loader, generation: generations.nextGeneration(), ...deps() }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ConfigError);
  const message = (error as Error).message;
  expect(message).toContain(`Graph "${graphId}"`);
  return message;
}

describe("loadGraphs on the graphs-basic fixture", async () => {
  const config = await loadConfig(BASIC);
  const { checkpointer, store } = deps();
  const graphs = await loadGraphs(config.graphs, { configDir: config.configDir, loader, generation: generations.nextGeneration(), checkpointer, store });

  test("loads every graph in langgraph.json order", () => {
    expect([...graphs.keys()]).toEqual(Object.keys(config.config.graphs));
    expect(graphs.get("agent")).toMatchObject({ kind: "compiled", exportName: "graph", file: join(BASIC, "src/agent.ts") });
    expect(graphs.get("default")?.exportName).toBe("default");
    expect(graphs.get("factory")?.kind).toBe("factory");
  });

  test("a TS graph importing a TS helper as ./helper.js runs, with the server's checkpointer and store", async () => {
    const { compiled, result } = await runGraph(graphs.get("agent")!, "hi");
    expect(result).toEqual({ text: "HI!", log: ["echo"] });
    expect(compiled.checkpointer).toBe(checkpointer);
    expect(compiled.store).toBe(store);
    const state = await compiled.getState({ configurable: { thread_id: "agent-state" } });
    expect(state.values).toEqual({});
    await compiled.invoke!({ text: "saved" }, { configurable: { thread_id: "agent-state" } });
    expect((await compiled.getState({ configurable: { thread_id: "agent-state" } })).values.text).toBe("SAVED!");
  });

  test.each([
    ["mjs", "mjs:hi"],
    ["uncompiled", "uncompiled:hi"],
    ["promised", "promised:hi"],
    ["default", "default:hi"],
    ["cts", "cts:hi"],
  ])("graph %s runs", async (id, expected) => {
    const { compiled, result } = await runGraph(graphs.get(id)!, "hi");
    expect(result.text).toBe(expected);
    expect(compiled.checkpointer).toBe(checkpointer);
  });

  test("a compiled graph resolves to the same object every time", async () => {
    const g = graphs.get("uncompiled")!;
    expect(await g.resolve({})).toBe(await g.resolve({}));
  });

  test("a factory is called per resolve with the run's config, and gets checkpointer and store", async () => {
    const g = graphs.get("factory")!;
    const first = await runGraph(g, "hi", { prefix: "one" });
    const second = await runGraph(g, "hi", { prefix: "two" });
    expect(first.result.text).toBe("one:hi");
    expect(second.result.text).toBe("two:hi");
    expect(first.compiled).not.toBe(second.compiled);
    expect(second.compiled.checkpointer).toBe(checkpointer);
    expect(second.compiled.store).toBe(store);
  });
});

describe("loading errors name the graph, the file and what was found", () => {
  test("missing file", async () => {
    const message = await loadFailure(BASIC, "./src/nope.ts:graph");
    expect(message).toContain("file not found");
    expect(message).toContain(join(BASIC, "src/nope.ts"));
  });

  test("missing export lists the exports that exist", async () => {
    const message = await loadFailure(BASIC, "./src/agent.ts:grph");
    expect(message).toContain('./src/agent.ts has no export "grph"');
    expect(message).toMatch(/exports are: .*graph.*notAGraph/);
  });

  test("missing default export", async () => {
    const message = await loadFailure(BASIC, "./src/helper.ts");
    expect(message).toContain('no export "default"; its exports are: shout');
  });

  test.each([
    ["./src/agent.ts:notAGraph", "is a number (42), not a graph"],
    ["./src/agent.ts:someObject", "is an object with keys a, b, not a graph"],
    ["./src/agent.ts:SomeClass", "is a class (SomeClass), not a graph"],
  ])("%s is not a graph", async (path, expected) => {
    const message = await loadFailure(BASIC, path);
    expect(message).toContain(expected);
    expect(message).toContain("Export a compiled graph");
  });

  test.each([
    ["./src/not-graphs.ts", 'a string ("a string")'],
    ["./src/not-graphs.ts:promisedNumber", "a promise of a number (7)"],
  ])("%s is not a graph", async (path, expected) => {
    expect(await loadFailure(BROKEN, path)).toContain(expected);
  });

  test("a rejected promise export", async () => {
    const message = await loadFailure(BROKEN, "./src/not-graphs.ts:rejected");
    expect(message).toContain("rejected: no graph for you");
  });

  test("a module that throws while importing: message and file:line", async () => {
    const message = await loadFailure(BROKEN, "./src/throws.ts:graph");
    expect(message).toContain("importing ./src/throws.ts failed: graph module exploded on purpose");
    // The exact line (5) is checked from compiled code in dist.test.ts: vitest replaces Node's source-mapped stacks.
    expect(message).toMatch(new RegExp(`\\(at ${join(BROKEN, "src/throws.ts")}:\\d+:\\d+\\)`));
    expect(message).not.toContain("lg_gen");
  });

  test("an error thrown by an imported helper points at the helper", async () => {
    const message = await loadFailure(BROKEN, "./src/imports-broken.ts:graph");
    expect(message).toContain("TypeError: helper failed while loading");
    expect(message).toMatch(new RegExp(`\\(at ${join(BROKEN, "src/throws-in-helper.ts")}:\\d+:\\d+\\)`));
  });

  test("a TypeScript syntax error gives file:line", async () => {
    const message = await loadFailure(BROKEN, "./src/syntax-error.ts:graph");
    expect(message).toContain(`${join(BROKEN, "src/syntax-error.ts")}:3:`);
  });

  test("a JavaScript syntax error gives file:line", async () => {
    const message = await loadFailure(BROKEN, "./src/syntax-error.mjs:graph");
    expect(message).toContain("SyntaxError");
    expect(message).toMatch(new RegExp(`\\(at ${join(BROKEN, "src/syntax-error.mjs")}:3:\\d+\\n    export const graph = \\{;\\n +\\^`));
  });

  test("a factory that returns something else fails when resolved", async () => {
    const g = await loadGraph({ graphId: "f", path: "./src/not-graphs.ts:badFactory" }, { configDir: BROKEN, loader, generation: generations.nextGeneration() });
    expect(g.kind).toBe("factory");
    await expect(g.resolve({})).rejects.toThrow(/factory export "badFactory" .* returned a string \("not a graph"\)/);
  });

  test("every failing graph is reported at once", async () => {
    const specs: GraphSpec[] = [
      { graphId: "one", path: "./src/throws.ts:graph" },
      { graphId: "two", path: "./src/not-graphs.ts:aNumber" },
      { graphId: "three", path: "./src/missing.ts" },
    ];
    const err = await loadGraphs(specs, { configDir: BROKEN, loader, generation: generations.nextGeneration() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const lines = (err as Error).message.split("\n").filter((l) => l.startsWith("Graph "));
    expect(lines.map((l) => /^Graph "(\w+)"/.exec(l)![1])).toEqual(["one", "two", "three"]);
  });
});

describe("a package without \"type\": \"module\"", () => {
  test("an ESM-syntax .ts graph and a plain .cjs graph both load and run", async () => {
    const cjsLoader = createModuleLoader({ projectDir: COMMONJS });
    const config = await loadConfig(COMMONJS);
    const graphs = await loadGraphs(config.graphs, { configDir: COMMONJS, loader: cjsLoader, generation: 1, ...deps() });
    expect((await runGraph(graphs.get("esm_syntax")!, "hi")).result.text).toBe('hi (from a package without "type": "module")');
    expect((await runGraph(graphs.get("plain_cjs")!, "hi")).result.text).toBe("plain-cjs:hi");
  });
});
