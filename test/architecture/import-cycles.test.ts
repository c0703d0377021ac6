import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findCycles, readImportGraph, staticImports, type ImportGraph } from "./import-graph.js";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

const graphOf = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]));

describe("the import graph of src/", () => {
  it("has no cycles", () => {
    const graph = readImportGraph(SRC);
    expect(graph.size).toBeGreaterThan(50);
    const cycles = findCycles(graph).map((path) => path.join(" -> "));
    // Each entry names the files of one cycle in import order: break it by moving what the lower file needs below both.
    expect(cycles).toEqual([]);
  });

  it("has the HTTP composition root imported by dev/ alone", () => {
    const graph = readImportGraph(SRC);
    expect(graph.get("server/app.ts")?.has("server/routes/index.ts")).toBe(true);
    expect(graph.get("server/routes/index.ts")?.has("server/routes/threads.ts")).toBe(true);
    const importers = [...graph].filter(([, targets]) => targets.has("server/app.ts")).map(([file]) => file);
    expect(importers).toEqual(["dev/index.ts"]);
  });
});

describe("reading imports", () => {
  it("counts type imports and re-exports, not dynamic imports", () => {
    const text = [
      'import { a } from "./a.js";',
      'import type { B } from "./b.js";',
      'export type { C } from "./c.js";',
      'export * from "./d.js";',
      'import "./e.js";',
      'const lazy = () => import("./f.js");',
      'import fs from "node:fs";',
    ].join("\n");
    expect(staticImports(text)).toEqual(["./a.js", "./b.js", "./c.js", "./d.js", "./e.js", "node:fs"]);
  });
});

describe("finding cycles", () => {
  it("names each cycle as a closed path", () => {
    const graph = graphOf({ a: ["b"], b: ["c"], c: ["a", "d"], d: [], e: ["e"], f: ["g"], g: ["f"] });
    expect(findCycles(graph)).toEqual([
      ["a", "b", "c", "a"],
      ["e", "e"],
      ["f", "g", "f"],
    ]);
  });

  it("finds none in a tree or a diamond", () => {
    expect(findCycles(graphOf({ a: ["b", "c"], b: ["d"], c: ["d"], d: [] }))).toEqual([]);
  });

  it("gives the shortest way round a component with several loops", () => {
    const graph = graphOf({ a: ["b", "x"], b: ["c"], c: ["a"], x: ["a"] });
    expect(findCycles(graph)).toEqual([["a", "x", "a"]]);
  });
});
