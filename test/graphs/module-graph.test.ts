/** The loader's module graph, without a file system: paths are just names here. */
import { describe, expect, it } from "vitest";
import { ModuleGraph } from "../../src/graphs/module-graph.js";

/** a -> mid -> leaf, a -> shared, b -> shared (as test/graphs/incremental.test.ts lays out on disk). */
function project(): ModuleGraph {
  const graph = new ModuleGraph();
  graph.setImports("/p/leaf.ts", []);
  graph.setImports("/p/mid.ts", ["/p/leaf.ts"]);
  graph.setImports("/p/shared.ts", []);
  graph.setImports("/p/a.ts", ["/p/mid.ts", "/p/shared.ts"]);
  graph.setImports("/p/b.ts", ["/p/shared.ts"]);
  return graph;
}

const sorted = (renewal: ReadonlySet<string> | "all") => (renewal === "all" ? renewal : [...renewal].sort());

describe("ModuleGraph", () => {
  it("keeps edges both ways", () => {
    const graph = project();
    expect(graph.importsOf("/p/a.ts").sort()).toEqual(["/p/mid.ts", "/p/shared.ts"]);
    expect(graph.importersOf("/p/shared.ts").sort()).toEqual(["/p/a.ts", "/p/b.ts"]);
    expect(graph.importersOf("/p/a.ts")).toEqual([]);
  });

  it("renews a changed file and everything importing it, directly or not, and nothing else", () => {
    expect(sorted(project().invalidate(["/p/leaf.ts"]))).toEqual(["/p/a.ts", "/p/leaf.ts", "/p/mid.ts"]);
    expect(sorted(project().invalidate(["/p/shared.ts"]))).toEqual(["/p/a.ts", "/p/b.ts", "/p/shared.ts"]);
    expect(sorted(project().invalidate(["/p/b.ts", "/p/mid.ts"]))).toEqual(["/p/a.ts", "/p/b.ts", "/p/mid.ts"]);
    expect(sorted(project().invalidate([]))).toEqual([]);
  });

  it("renews everything, and starts afresh, when a changed file was never seen", () => {
    const graph = project();
    expect(graph.invalidate(["/p/leaf.ts", "/p/notes.json"])).toBe("all");
    expect(graph.has("/p/a.ts")).toBe(false);
  });

  it("drops the imports of renewed files until their new versions report them; others keep theirs", () => {
    const graph = project();
    graph.invalidate(["/p/leaf.ts"]);
    expect(graph.importsOf("/p/a.ts")).toEqual([]);
    expect(graph.importersOf("/p/shared.ts")).toEqual(["/p/b.ts"]);
    // Still known: a later change of a renewed file is partial too.
    expect(graph.has("/p/leaf.ts")).toBe(true);
    graph.setImports("/p/a.ts", ["/p/mid.ts", "/p/shared.ts"]);
    graph.setImports("/p/mid.ts", ["/p/leaf.ts"]);
    expect(sorted(graph.invalidate(["/p/leaf.ts"]))).toEqual(["/p/a.ts", "/p/leaf.ts", "/p/mid.ts"]);
  });

  it("replaces a recompiled file's imports: an import it dropped no longer renews it", () => {
    const graph = project();
    graph.setImports("/p/a.ts", ["/p/shared.ts"]);
    expect(graph.importersOf("/p/mid.ts")).toEqual([]);
    expect(sorted(graph.invalidate(["/p/leaf.ts"]))).toEqual(["/p/leaf.ts", "/p/mid.ts"]);
  });

  it("follows import cycles once", () => {
    const graph = new ModuleGraph();
    graph.setImports("/p/x.ts", ["/p/y.ts"]);
    graph.setImports("/p/y.ts", ["/p/x.ts", "/p/z.ts"]);
    graph.setImports("/p/top.ts", ["/p/x.ts"]);
    expect(sorted(graph.invalidate(["/p/z.ts"]))).toEqual(["/p/top.ts", "/p/x.ts", "/p/y.ts", "/p/z.ts"]);
  });

  it("grows one import at a time, as the native path reports resolves", () => {
    const graph = new ModuleGraph();
    graph.addImport("/p/graph.ts");
    graph.addImport("/p/util.ts", "/p/graph.ts");
    graph.addImport("/p/util.ts", "/p/graph.ts");
    graph.addImport("/p/graph.ts", "/p/graph.ts");
    expect(graph.importsOf("/p/graph.ts")).toEqual(["/p/util.ts"]);
    expect(sorted(graph.invalidate(["/p/graph.ts"]))).toEqual(["/p/graph.ts"]);
    expect(sorted(graph.invalidate(["/p/util.ts"]))).toEqual(["/p/util.ts"]);
  });
});
