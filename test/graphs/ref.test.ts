import { describe, expect, test } from "vitest";
import { checkExportRef, splitExportRef } from "../../src/graphs/ref.js";
import { classifyGraphExport, lookupExport } from "../../src/graphs/resolve.js";
import { describeValue, errorLocation } from "../../src/graphs/describe.js";

describe("splitExportRef", () => {
  test.each([
    ["./src/graph.ts:graph", { path: "./src/graph.ts", exportName: "graph" }],
    ["./src/graph.ts", { path: "./src/graph.ts", exportName: "default" }],
    ["./weird:dir/graph.ts:make", { path: "./weird:dir/graph.ts", exportName: "make" }],
    ["./weird:dir/graph.ts", { path: "./weird:dir/graph.ts", exportName: "default" }],
    ["C:\\project\\graph.ts", { path: "C:\\project\\graph.ts", exportName: "default" }],
  ])("%s", (ref, expected) => {
    expect(splitExportRef(ref)).toEqual(expected);
  });

  test("checkExportRef", () => {
    expect(checkExportRef("./a.ts:$graph_1")).toBeUndefined();
    expect(checkExportRef("./a.ts:")).toBe('has an invalid export name ""');
    expect(checkExportRef(":g")).toBe("names no file");
  });
});

describe("recognising exports", () => {
  test("describeValue", () => {
    expect(describeValue(42)).toBe("a number (42)");
    expect(describeValue(undefined)).toBe("undefined");
    expect(describeValue(null)).toBe("null");
    expect(describeValue({ a: 1, b: 2 })).toBe("an object with keys a, b");
    expect(describeValue({})).toBe("an empty object");
    expect(describeValue(new (class Thing {})())).toBe("an instance of Thing");
    expect(describeValue([1])).toBe("an array with 1 item");
    expect(describeValue(class Foo {})).toBe("a class (Foo)");
    expect(describeValue(Promise.resolve())).toBe("a promise");
  });

  test("classifyGraphExport: functions are factories, classes are not", () => {
    expect(classifyGraphExport(() => 1).kind).toBe("factory");
    expect(classifyGraphExport(async function make() {}).kind).toBe("factory");
    expect(classifyGraphExport(class Graph {})).toEqual({ kind: "invalid", description: "a class (Graph)" });
    const compiled = { invoke() {}, stream() {}, getState() {}, nodes: {} };
    expect(classifyGraphExport(compiled)).toEqual({ kind: "compiled", graph: compiled });
    // createAgent() wrappers hold the compiled graph in `.graph`.
    expect(classifyGraphExport({ graph: compiled, invoke() {} })).toEqual({ kind: "compiled", graph: compiled });
    expect(classifyGraphExport({ compile() {}, nodes: {} }).kind).toBe("uncompiled");
  });

  test("lookupExport sees through CommonJS module.exports", () => {
    const graph = { invoke() {} };
    expect(lookupExport({ default: { __esModule: true, default: graph } }, "default")).toEqual({ found: true, value: graph });
    expect(lookupExport({ default: { graph } }, "graph")).toEqual({ found: true, value: graph });
    expect(lookupExport({ other: 1 }, "graph")).toEqual({ found: false });
    expect(lookupExport({ graph: undefined }, "graph")).toEqual({ found: true, value: undefined });
  });

  test("errorLocation skips node_modules and Node internals and drops the generation query", () => {
    const err = new Error("x");
    err.stack = [
      "Error: x",
      "    at f (/app/node_modules/lib/index.js:1:2)",
      "    at node:internal/modules/esm/utils:346:16",
      "    at g (file:///app/src/graph.ts?lg_gen=ab.3:12:7)",
    ].join("\n");
    expect(errorLocation(err)).toBe("/app/src/graph.ts:12:7");
  });
});
