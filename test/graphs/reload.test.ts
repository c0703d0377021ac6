import { afterEach, describe, expect, test } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MemorySaver, StateGraph } from "@langchain/langgraph";
import { ConfigError } from "../../src/errors.js";
import { createModuleLoader } from "../../src/graphs/loader.js";
import { loadGraphs } from "../../src/graphs/load.js";
import { GraphRegistry } from "../../src/graphs/registry.js";
import type { GraphSpec, LoadedGraph } from "../../src/graphs/types.js";
import { copyFixture } from "../helpers/spawn.js";

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function project(name: string) {
  const copy = copyFixture(name);
  cleanups.push(copy.cleanup);
  return copy.dir;
}

async function echo(graph: LoadedGraph, text: string): Promise<string> {
  const compiled = await graph.resolve({});
  const out = (await compiled.invoke!({ text }, { configurable: { thread_id: `t-${Math.random()}` } })) as { text: string };
  return out.text;
}

/** Load the specs into the registry the way dev/ does on start-up and on each reload. */
async function reload(registry: GraphRegistry, specs: GraphSpec[], dir: string, loader: ReturnType<typeof createModuleLoader>) {
  const generation = registry.nextGeneration();
  const graphs = await loadGraphs(specs, { configDir: dir, loader, generation, checkpointer: new MemorySaver() });
  registry.swap(graphs, generation);
}

describe("hot reload", () => {
  test("editing a helper the graph imports changes the next generation; the old graph keeps its behaviour", async () => {
    const dir = project("graphs-basic");
    const loader = createModuleLoader({ projectDir: dir });
    const registry = new GraphRegistry();
    const specs: GraphSpec[] = [
      { graphId: "agent", path: "./src/agent.ts:graph" },
      { graphId: "cts", path: "./src/cts-graph.cts:graph" },
    ];

    await reload(registry, specs, dir, loader);
    const oldAgent = registry.get("agent")!;
    const oldCts = registry.get("cts")!;
    expect(await echo(oldAgent, "hi")).toBe("HI!");
    expect(await echo(oldCts, "hi")).toBe("cts:hi");

    writeFileSync(join(dir, "src/helper.ts"), "export function shout(text: string): string { return `${text.toLowerCase()}?`; }\n");
    writeFileSync(join(dir, "src/cts-helper.cts"), "export function tag(text: string): string { return `cts2:${text}`; }\n");
    await reload(registry, specs, dir, loader);

    expect(registry.generation).toBe(2);
    expect(await echo(registry.get("agent")!, "HI")).toBe("hi?");
    expect(await echo(registry.get("cts")!, "hi")).toBe("cts2:hi");
    // A run that started before the reload holds the old LoadedGraph and finishes on the old code.
    expect(await echo(oldAgent, "hi")).toBe("HI!");
    expect(await echo(oldCts, "hi")).toBe("cts:hi");
  });

  test("node_modules are not re-evaluated: graphs of every generation share one @langchain/langgraph", async () => {
    const dir = project("graphs-basic");
    const loader = createModuleLoader({ projectDir: dir });
    const first = await loader.importModule(join(dir, "src/agent.ts"), 1);
    writeFileSync(join(dir, "src/helper.ts"), "export const shout = (t: string): string => t;\n");
    const second = await loader.importModule(join(dir, "src/agent.ts"), 2);
    expect(first.graph).not.toBe(second.graph);
    expect((first.graph as { builder: unknown }).builder).toBeInstanceOf(StateGraph);
    expect((second.graph as { builder: unknown }).builder).toBeInstanceOf(StateGraph);
    // Same generation, same module instance.
    expect(await loader.importModule(join(dir, "src/agent.ts"), 2)).toBe(second);
  });

  test("a failed reload leaves the registry serving the last good graphs; the next generation recovers", async () => {
    const dir = project("graphs-basic");
    const loader = createModuleLoader({ projectDir: dir });
    const registry = new GraphRegistry();
    const specs: GraphSpec[] = [{ graphId: "agent", path: "./src/agent.ts:graph" }];
    await reload(registry, specs, dir, loader);
    const good = registry.get("agent");

    writeFileSync(join(dir, "src/helper.ts"), "export function shout(text: string): string { return text +; }\n");
    const failure = await reload(registry, specs, dir, loader).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as Error).message).toContain("helper.ts:1:");
    expect(registry.get("agent")).toBe(good);
    expect(registry.generation).toBe(1);

    writeFileSync(join(dir, "src/helper.ts"), "export function shout(text: string): string { return `fixed ${text}`; }\n");
    await reload(registry, specs, dir, loader);
    expect(registry.generation).toBe(3);
    expect(await echo(registry.get("agent")!, "hi")).toBe("fixed hi");
  });

  test("in a package without \"type\": \"module\", edits to ESM-syntax helpers and to .cjs graphs are picked up", async () => {
    const dir = project("graphs-commonjs");
    // plain.cjs is CommonJS proper: require.cache, not the generation query, decides when it is read again.
    const loader = createModuleLoader({ projectDir: dir });
    const registry = new GraphRegistry();
    const specs: GraphSpec[] = [
      { graphId: "g", path: "./src/graph.ts:graph" },
      { graphId: "cjs", path: "./src/plain.cjs:graph" },
    ];
    await reload(registry, specs, dir, loader);
    expect(await echo(registry.get("g")!, "a")).toContain("a (from a package");
    expect(await echo(registry.get("cjs")!, "a")).toBe("plain-cjs:a");
    writeFileSync(join(dir, "src/helper.ts"), "export const suffix = (text: string): string => `${text} v2`;\n");
    const plain = join(dir, "src/plain.cjs");
    writeFileSync(plain, readFileSync(plain, "utf8").replace("plain-cjs:", "plain-cjs-v2:"));
    await reload(registry, specs, dir, loader);
    expect(await echo(registry.get("g")!, "a")).toBe("a v2");
    expect(await echo(registry.get("cjs")!, "a")).toBe("plain-cjs-v2:a");
  });
});

describe("GraphRegistry", () => {
  const fake = (graphId: string, generation?: number): LoadedGraph => ({
    graphId,
    file: `/x/${graphId}.ts`,
    exportName: "graph",
    kind: "compiled",
    generation,
    resolve: async () => ({}) as never,
  });

  test("get/has/ids/entries reflect the current map, in insertion order", () => {
    const registry = new GraphRegistry(new Map([["b", fake("b")], ["a", fake("a")]]));
    expect(registry.ids()).toEqual(["b", "a"]);
    expect(registry.has("a")).toBe(true);
    expect(registry.has("c")).toBe(false);
    expect(registry.get("a")?.graphId).toBe("a");
    expect(registry.entries().map(([id]) => id)).toEqual(["b", "a"]);
    expect(registry.size).toBe(2);
  });

  test("swap replaces everything at once and returns the previous map", () => {
    const registry = new GraphRegistry(new Map([["a", fake("a", 1)]]), 1);
    const held = registry.get("a");
    const previous = registry.swap(new Map([["b", fake("b", 2)]]));
    expect(previous.get("a")).toBe(held);
    expect(registry.ids()).toEqual(["b"]);
    expect(registry.get("a")).toBeUndefined();
    expect(registry.generation).toBe(2);
  });

  test("nextGeneration never repeats, even across failed attempts and explicit swaps", () => {
    const registry = new GraphRegistry();
    expect(registry.generation).toBe(0);
    const a = registry.nextGeneration();
    const b = registry.nextGeneration();
    expect(b).toBeGreaterThan(a);
    registry.swap(new Map(), 10);
    expect(registry.nextGeneration()).toBe(11);
  });

  test("two registries do not share state", () => {
    const one = new GraphRegistry();
    const two = new GraphRegistry();
    one.swap(new Map([["a", fake("a", 1)]]));
    expect(two.has("a")).toBe(false);
    expect(two.nextGeneration()).toBe(1);
  });
});
