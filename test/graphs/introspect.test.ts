import { describe, expect, test } from "vitest";
import { join } from "node:path";
import { createModuleLoader } from "../../src/graphs/loader.js";
import { loadGraphs } from "../../src/graphs/load.js";
import { graphSchemas, graphToJson, listSubgraphs } from "../../src/graphs/introspect.js";
import type { CompiledGraphLike } from "../../src/graphs/types.js";
import { FIXTURES } from "../helpers/spawn.js";

const BASIC = join(FIXTURES, "graphs-basic");
const loader = createModuleLoader({ projectDir: BASIC });
const specs = ["agent", "subgraphs", "zod4", "zod3", "stateSchema"].map((graphId) => ({
  graphId,
  path: {
    agent: "./src/agent.ts:graph",
    subgraphs: "./src/subgraphs.ts:graph",
    zod4: "./src/zod-state.ts:zod4",
    zod3: "./src/zod-state.ts:zod3",
    stateSchema: "./src/zod-state.ts:stateSchema",
  }[graphId]!,
}));
const loaded = await loadGraphs(specs, { configDir: BASIC, loader, generation: 1 });
const graph = (id: string): Promise<CompiledGraphLike> => loaded.get(id)!.resolve({});
const props = (schema: Record<string, unknown> | null) => (schema?.properties ?? {}) as Record<string, Record<string, unknown>>;

describe("graphToJson", () => {
  test("without xray a subgraph is one node", async () => {
    const json = await graphToJson(await graph("subgraphs"));
    expect(json.nodes.map((n) => n.id)).toEqual(["__start__", "prepare", "child", "__end__"]);
    expect(json.edges).toContainEqual({ source: "prepare", target: "child", conditional: false });
    expect(json.nodes.find((n) => n.id === "prepare")).toMatchObject({ type: "runnable", data: { name: "prepare" } });
  });

  test("with xray the subgraph's nodes appear as parent:child", async () => {
    const json = await graphToJson(await graph("subgraphs"), { xray: true });
    const ids = json.nodes.map((n) => n.id);
    expect(ids).toEqual(expect.arrayContaining(["prepare", "child:first", "child:second"]));
    expect(ids).not.toContain("child");
    expect(json.edges).toContainEqual({ source: "child:first", target: "child:second", conditional: false });
    expect(json.edges).toContainEqual({ source: "prepare", target: "child:first", conditional: false });
  });

  test("xray depth 0 behaves like no xray", async () => {
    const json = await graphToJson(await graph("subgraphs"), { xray: 0 });
    expect(json.nodes.map((n) => n.id)).toContain("child");
  });
});

describe("listSubgraphs", () => {
  test("lists subgraphs by namespace with their schemas", async () => {
    const subgraphs = await listSubgraphs(await graph("subgraphs"), { graphId: "subgraphs" });
    expect(Object.keys(subgraphs)).toEqual(["child"]);
    // The official server's shape: {state, input, output, config} per namespace.
    expect(Object.keys(subgraphs.child!)).toEqual(["state", "input", "output", "config"]);
    expect(Object.keys(props(subgraphs.child!.state))).toEqual(["text", "steps"]);
    expect(props(subgraphs.child!.state).steps).toEqual({ type: "number" });
  });

  test("filters by namespace; a graph without subgraphs gives {}", async () => {
    expect(Object.keys(await listSubgraphs(await graph("subgraphs"), { namespace: "child", recurse: true }))).toEqual(["child"]);
    expect(await listSubgraphs(await graph("subgraphs"), { namespace: "nope" })).toEqual({});
    expect(await listSubgraphs(await graph("agent"))).toEqual({});
  });
});

describe("graphSchemas", () => {
  test("Annotation state: every channel is a property, typed from reducers and defaults where possible", async () => {
    const schemas = await graphSchemas(await graph("subgraphs"), "subgraphs");
    expect(schemas.graph_id).toBe("subgraphs");
    for (const schema of [schemas.state_schema, schemas.input_schema, schemas.output_schema]) {
      expect(schema).toMatchObject({ type: "object" });
      expect(Object.keys(props(schema))).toEqual(["messages", "text", "tags"]);
    }
    const state = props(schemas.state_schema);
    expect(state.messages).toMatchObject({ type: "array", items: { type: "object" } });
    expect(state.tags).toEqual({ type: "array", items: {} });
    expect(state.text).toEqual({});
    expect(schemas.config_schema).toBeNull();
    expect(schemas.context_schema).toBeNull();
  });

  test("zod v4 state: real types and descriptions", async () => {
    const schemas = await graphSchemas(await graph("zod4"), "zod4");
    const input = props(schemas.input_schema);
    expect(input.question).toMatchObject({ type: "string", description: "What to ask" });
    expect(input.count).toMatchObject({ type: "number" });
    expect(input.tags).toMatchObject({ type: "array", items: { type: "string" } });
    expect(Object.keys(props(schemas.state_schema))).toEqual(["question", "count", "tags"]);
    expect(Object.keys(props(schemas.output_schema))).toEqual(["question", "count", "tags"]);
    expect(props(schemas.context_schema).model).toMatchObject({ type: "string", default: "fake-model", description: "Which model to call" });
    expect(schemas.config_schema).toEqual(schemas.context_schema);
  });

  test("zod v3 state", async () => {
    const schemas = await graphSchemas(await graph("zod3"), "zod3");
    expect(props(schemas.input_schema).topic).toMatchObject({ type: "string" });
    expect(props(schemas.state_schema).score).toMatchObject({ type: "number" });
  });

  test("StateSchema: the input of a reduced value is what may be written", async () => {
    const schemas = await graphSchemas(await graph("stateSchema"), "stateSchema");
    expect(props(schemas.input_schema).query).toMatchObject({ type: "string" });
    expect(props(schemas.input_schema).history).toMatchObject({ type: "string" });
    expect(props(schemas.output_schema).history).toMatchObject({ type: "array" });
  });

  test("never throws: a graph-like without builder or with odd internals still gets schemas", async () => {
    const odd = { builder: { channels: { a: 1 }, _schemaDefinition: { a: 1, b: null }, _schemaRuntimeDefinition: { _zod: {} } } };
    const schemas = await graphSchemas(odd as unknown as CompiledGraphLike, "odd");
    expect(Object.keys(props(schemas.state_schema))).toEqual(["a", "b"]);
    const none = await graphSchemas({} as CompiledGraphLike, "none");
    expect(none).toMatchObject({ graph_id: "none", state_schema: {}, input_schema: {}, config_schema: null });
  });
});

describe("schemas from types (static) beside run-time ones", () => {
  const typed = { state: { type: "object", properties: { text: { type: "string" } } }, input: { title: "in" }, output: { title: "out" }, config: { title: "cfg" } };

  test("an Annotation graph answers the schemas read from its types", async () => {
    const schemas = await graphSchemas(await graph("subgraphs"), "subgraphs", async () => typed);
    expect(schemas).toEqual({
      graph_id: "subgraphs",
      state_schema: typed.state,
      input_schema: typed.input,
      output_schema: typed.output,
      config_schema: typed.config,
      context_schema: typed.config,
    });
  });

  test("Zod and StateSchema graphs keep their run-time schemas without waiting for the types", async () => {
    let asked = 0;
    const fromTypes = async () => (asked++, typed);
    expect(props((await graphSchemas(await graph("zod4"), "zod4", fromTypes)).input_schema).question).toMatchObject({ type: "string" });
    expect(props((await graphSchemas(await graph("stateSchema"), "stateSchema", fromTypes)).input_schema).query).toMatchObject({ type: "string" });
    expect(asked).toBe(0);
  });

  test("without types (none, or failed) the guess from channels stays", async () => {
    for (const fromTypes of [async () => undefined, async () => Promise.reject(new Error("boom"))]) {
      const schemas = await graphSchemas(await graph("subgraphs"), "subgraphs", fromTypes);
      expect(Object.keys(props(schemas.state_schema))).toEqual(["messages", "text", "tags"]);
      expect(schemas.config_schema).toBeNull();
    }
  });

  test("a schema the types did not give is guessed from the channels", async () => {
    const schemas = await graphSchemas(await graph("subgraphs"), "subgraphs", async () => ({ input: typed.input }));
    expect(schemas.input_schema).toEqual(typed.input);
    expect(Object.keys(props(schemas.state_schema))).toEqual(["messages", "text", "tags"]);
    expect(schemas.config_schema).toBeNull();
  });

  test("subgraphs take their namespace's schemas from the types; an unknown namespace keeps its run-time guess", async () => {
    const withChild = await listSubgraphs(await graph("subgraphs"), { graphId: "subgraphs", fromTypes: async () => ({ root: typed, subgraphs: { child: typed } }) });
    expect(withChild.child).toEqual({ state: typed.state, input: typed.input, output: typed.output, config: typed.config });
    const without = await listSubgraphs(await graph("subgraphs"), { graphId: "subgraphs", fromTypes: async () => ({ root: typed, subgraphs: {} }) });
    expect(Object.keys(props(without.child!.state))).toEqual(["text", "steps"]);
  });
});
