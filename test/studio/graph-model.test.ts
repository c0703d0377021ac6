/** The Studio's graph drawing model: clusters from xray ids, collapsed subgraphs learned from runs, the layout. */
import { describe, expect, it } from "vitest";
import { bestLayout, buildGraphModel, collapsedNamespaces, eventNodeId, fitScale, layoutGraph, learnFromEvent, resolveNode, type GraphJson } from "../../studio/src/lib/graph-model.js";

const SUBGRAPH = { id: ["langgraph", "pregel", "CompiledStateGraph"], name: "LangGraph" };
const FN = (name: string) => ({ id: ["langgraph", "RunnableCallable"], name });
/** What LangGraph draws with xray for: prep -> (one | two) ; one -> nested -> end; one is a one-node subgraph. */
const XRAY: GraphJson = {
  nodes: [
    { id: "__start__", type: "schema", data: {} },
    { id: "prep", type: "runnable", data: FN("prep") },
    { id: "one", type: "runnable", data: SUBGRAPH },
    { id: "two:a", type: "runnable", data: FN("a") },
    { id: "two:b", type: "runnable", data: FN("b") },
    { id: "nested:inner:a", type: "runnable", data: FN("a") },
    { id: "nested:inner:b", type: "runnable", data: FN("b") },
    { id: "__end__", type: "schema", data: {} },
  ],
  edges: [
    { source: "two:a", target: "two:b", conditional: true },
    { source: "nested:inner:a", target: "nested:inner:b", conditional: true },
    { source: "__start__", target: "prep", conditional: false },
    { source: "nested:inner:b", target: "__end__", conditional: false },
    { source: "one", target: "nested:inner:a", conditional: false },
    { source: "two:b", target: "__end__", conditional: false },
    { source: "prep", target: "one", conditional: true },
    { source: "prep", target: "two:a", conditional: true },
  ],
};
const NAMESPACES = ["one", "two", "nested", "nested|inner"];

describe("buildGraphModel", () => {
  it("nests xray nodes in clusters for each subgraph namespace and keeps conditional edges", () => {
    const m = buildGraphModel(XRAY, NAMESPACES);
    expect(m.clusters.map((c) => [c.id, c.parent])).toEqual([
      ["two", undefined],
      ["nested", undefined],
      ["nested:inner", "nested"],
    ]);
    const byId = Object.fromEntries(m.nodes.map((n) => [n.id, n]));
    expect(byId["two:a"]).toMatchObject({ label: "a", parent: "two", kind: "node" });
    expect(byId["nested:inner:b"]).toMatchObject({ label: "b", parent: "nested:inner" });
    expect(byId.one).toMatchObject({ kind: "subgraph", label: "one" });
    expect(byId.__start__).toMatchObject({ kind: "start", label: "__start__" });
    expect(m.edges.filter((e) => e.conditional).map((e) => `${e.source}->${e.target}`).sort()).toEqual(
      ["nested:inner:a->nested:inner:b", "prep->one", "prep->two:a", "two:a->two:b"].sort(),
    );
  });

  it("without namespaces, every ':' is nesting and pregel nodes are subgraph boxes", () => {
    const m = buildGraphModel(XRAY);
    expect(m.clusters.map((c) => c.id)).toEqual(["two", "nested", "nested:inner"]);
    expect(m.nodes.find((n) => n.id === "one")?.kind).toBe("subgraph");
  });

  it("a node name with ':' that is not a subgraph stays one node", () => {
    const m = buildGraphModel({ nodes: [{ id: "a:b" }], edges: [] }, []);
    expect(m.clusters).toEqual([]);
    expect(m.nodes[0]).toMatchObject({ id: "a:b", label: "b" });
  });

  it("expands a collapsed subgraph with the nodes runs showed, rewiring its edges", () => {
    let learned = {};
    const model = buildGraphModel(XRAY, NAMESPACES, learned);
    learned = learnFromEvent(model, learned, eventNodeId(["one:3f2a-task"], "only"));
    expect(learned).toEqual({ one: ["only"] });
    // Seen again: nothing new, the same object (no redraw).
    expect(learnFromEvent(model, learned, "one:only")).toBe(learned);
    // Events of clusters the server already drew teach nothing.
    expect(learnFromEvent(model, learned, "two:a")).toBe(learned);
    const expanded = buildGraphModel(XRAY, NAMESPACES, learned);
    expect(expanded.clusters.find((c) => c.id === "one")).toMatchObject({ learned: true });
    expect(expanded.nodes.find((n) => n.id === "one:only")).toMatchObject({ parent: "one", label: "only" });
    expect(expanded.nodes.find((n) => n.id === "one")).toBeUndefined();
    expect(expanded.edges).toContainEqual({ source: "prep", target: "one:only", conditional: true });
    expect(expanded.edges).toContainEqual({ source: "one:only", target: "nested:inner:a", conditional: false });
  });
});

describe("subgraphs filled in from their own drawings", () => {
  /** The own drawing of `one`: a one-node subgraph whose node `check` goes on to a one-node subgraph `deep`. */
  const ONE: GraphJson = {
    nodes: [
      { id: "__start__", type: "schema", data: {} },
      { id: "check", type: "runnable", data: FN("check") },
      { id: "deep", type: "runnable", data: SUBGRAPH },
      { id: "__end__", type: "schema", data: {} },
    ],
    edges: [
      { source: "__start__", target: "check", conditional: false },
      { source: "check", target: "deep", conditional: false },
      { source: "deep", target: "__end__", conditional: false },
    ],
  };
  const DEEP: GraphJson = {
    nodes: [{ id: "__start__" }, { id: "x", data: FN("x") }, { id: "y", data: FN("y") }, { id: "__end__" }],
    edges: [
      { source: "__start__", target: "x", conditional: true },
      { source: "__start__", target: "y", conditional: true },
      { source: "x", target: "__end__" },
      { source: "y", target: "__end__" },
    ],
  };
  const ALL = [...NAMESPACES, "one|deep"];

  it("names the namespaces the xray drawing leaves collapsed or does not reach", () => {
    expect(collapsedNamespaces(XRAY, ALL)).toEqual(["one", "one|deep"]);
  });

  it("nests a collapsed subgraph's nodes under it, deeper ones too, with edges rewired to entries and exits", () => {
    const m = buildGraphModel(XRAY, ALL, {}, { one: ONE, "one:deep": DEEP });
    const byId = Object.fromEntries(m.nodes.map((n) => [n.id, n]));
    expect(byId.one).toBeUndefined();
    expect(byId["one:check"]).toMatchObject({ label: "check", parent: "one", kind: "node" });
    expect(byId["one:deep:x"]).toMatchObject({ label: "x", parent: "one:deep" });
    expect(byId["one:deep:y"]).toMatchObject({ label: "y", parent: "one:deep" });
    expect(m.clusters.filter((c) => c.id.startsWith("one")).map((c) => [c.id, c.parent, c.learned])).toEqual([
      ["one", undefined, undefined],
      ["one:deep", "one", undefined],
    ]);
    const edges = m.edges.map((e) => `${e.source}->${e.target}${e.conditional ? "?" : ""}`);
    expect(edges).toEqual(expect.arrayContaining(["prep->one:check?", "one:check->one:deep:x", "one:check->one:deep:y", "one:deep:x->nested:inner:a", "one:deep:y->nested:inner:a"]));
    expect(edges.some((e) => /__start__|__end__/.test(e) && e.includes("one"))).toBe(false);
    // Every edge joins drawn nodes, so the layout draws them all.
    const ids = new Set(m.nodes.map((n) => n.id));
    expect(m.edges.every((e) => ids.has(e.source) && ids.has(e.target))).toBe(true);
    expect(Object.keys(layoutGraph(m).nodes).sort()).toEqual([...ids].sort());
    // The highlight finds a node inside: namespace `one:<task>|deep:<task>`, node `x`.
    expect(resolveNode(m, eventNodeId(["one:1a", "deep:2b"], "x"))).toBe("one:deep:x");
  });

  it("a drawing wins over what runs showed; an empty drawing leaves it to them; a box with neither stays a box", () => {
    const drawn = buildGraphModel(XRAY, ALL, { one: ["seen"] }, { one: ONE });
    expect(drawn.nodes.find((n) => n.id === "one:check")).toBeDefined();
    expect(drawn.nodes.find((n) => n.id === "one:seen")).toBeUndefined();
    const m = buildGraphModel(XRAY, NAMESPACES, { one: ["seen"] }, { one: { nodes: [{ id: "__start__" }, { id: "__end__" }], edges: [] } });
    // An empty drawing fills nothing: what runs showed is used.
    expect(m.nodes.find((n) => n.id === "one:seen")).toBeDefined();
    const boxed = buildGraphModel(XRAY, NAMESPACES, {}, {});
    expect(boxed.nodes.find((n) => n.id === "one")).toMatchObject({ kind: "subgraph" });
  });
});

describe("event node ids", () => {
  it("drop task ids from namespaces and fall back to the enclosing box", () => {
    expect(eventNodeId(undefined, "prep")).toBe("prep");
    expect(eventNodeId(["nested:1111", "inner:2222"], "a")).toBe("nested:inner:a");
    const m = buildGraphModel(XRAY, NAMESPACES);
    expect(resolveNode(m, "nested:inner:a")).toBe("nested:inner:a");
    expect(resolveNode(m, "one:only")).toBe("one");
    expect(resolveNode(m, "unknown")).toBeUndefined();
  });
});

describe("layoutGraph", () => {
  it("places every node inside its cluster, top to bottom, with edge points", () => {
    const m = buildGraphModel(XRAY, NAMESPACES);
    const l = layoutGraph(m);
    expect(Object.keys(l.nodes).sort()).toEqual(m.nodes.map((n) => n.id).sort());
    const inside = (n: string, c: string) => {
      const a = l.nodes[n]!;
      const b = l.clusters[c]!;
      return a.x >= b.x && a.y >= b.y && a.x + a.width <= b.x + b.width && a.y + a.height <= b.y + b.height;
    };
    expect(inside("two:a", "two")).toBe(true);
    expect(inside("nested:inner:b", "nested:inner")).toBe(true);
    expect(inside("nested:inner:b", "nested")).toBe(true);
    expect(l.nodes.__start__!.y).toBeLessThan(l.nodes.prep!.y);
    expect(l.nodes.prep!.y).toBeLessThan(l.nodes["two:a"]!.y);
    expect(l.edges).toHaveLength(m.edges.length);
    for (const e of l.edges) expect(e.points.length).toBeGreaterThanOrEqual(2);
    expect(l.width).toBeGreaterThan(0);
    expect(l.height).toBeGreaterThan(0);
  });
});

describe("layout direction", () => {
  const chain: GraphJson = {
    nodes: ["__start__", "a", "b", "c", "d", "e", "__end__"].map((id) => ({ id })),
    edges: [["__start__", "a"], ["a", "b"], ["b", "c"], ["c", "d"], ["d", "e"], ["e", "__end__"]].map(([source, target]) => ({ source: source!, target: target! })),
  };

  it("lays a long chain left to right when that fits a wide panel better", () => {
    const m = buildGraphModel(chain, []);
    const tb = layoutGraph(m, "TB");
    const lr = layoutGraph(m, "LR");
    expect(tb.height).toBeGreaterThan(tb.width);
    expect(lr.width).toBeGreaterThan(lr.height);
    expect(lr.nodes.a!.x).toBeLessThan(lr.nodes.b!.x);
    const wide = { width: 1200, height: 300 };
    expect(fitScale(lr, wide)).toBeGreaterThan(fitScale(tb, wide));
    expect(bestLayout([tb, lr], wide)).toBe(lr);
    expect(bestLayout([tb, lr], { width: 300, height: 1200 })).toBe(tb);
    expect(bestLayout([tb, lr], undefined)).toBe(tb);
  });
});
