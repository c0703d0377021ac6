import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { extractSchemas } from "../../src/graphs/static-schema/extract.js";
import type { ExtractionResult, JsonSchema, StaticGraphTarget } from "../../src/graphs/static-schema/types.js";
import { FIXTURES, REPO_ROOT } from "../helpers/spawn.js";

/**
 * The static extractor on the schema corpus (test/fixtures/schemas), one graph per declaration style. The
 * expected shapes are the official server's answers for the same graphs (bench/compare/schemas.mjs compares them
 * in full); these tests pin the parts the Studio relies on.
 */
const CORPUS = join(FIXTURES, "schemas");
const config = JSON.parse(readFileSync(join(CORPUS, "langgraph.json"), "utf8")) as { graphs: Record<string, string> };
const targets: StaticGraphTarget[] = Object.entries(config.graphs).map(([graphId, ref]) => {
  const [path, exportName] = ref.split(":") as [string, string];
  return { graphId, file: join(CORPUS, path), exportName };
});
targets.push({ graphId: "missingExport", file: join(CORPUS, "src/annotation.ts"), exportName: "nope" });

let result: ExtractionResult;
beforeAll(() => {
  result = extractSchemas(targets);
}, 180_000);

const root = (id: string) => result.graphs[id]!.root;
const props = (schema: JsonSchema | undefined) => (schema?.properties ?? {}) as Record<string, JsonSchema>;
const definition = (schema: JsonSchema | undefined, ref: unknown) =>
  (schema?.definitions as Record<string, JsonSchema>)[String(ref).replace("#/definitions/", "")];

describe("Annotation.Root with TypeScript generics", () => {
  test("every channel is typed: arrays, literal unions, nullable, records, objects", () => {
    const state = root("annotation").state;
    const p = props(state);
    expect(Object.keys(p)).toEqual(["messages", "notes", "status", "mode", "attempts", "sources", "extra", "flag", "level"]);
    expect(p.notes).toEqual({ description: "Free-form notes.", type: "array", items: { type: "string" } });
    expect(p.status).toEqual({ enum: ["done", "draft", "review"], type: "string" });
    expect(p.mode).toEqual({ enum: ["fast", "slow"], type: "string" });
    expect(p.attempts).toEqual({ type: "number" });
    expect(p.flag).toEqual({ type: ["null", "boolean"] });
    expect(p.level).toEqual({ enum: [1, 2, 3], type: "number" });
    expect(definition(state, p.sources!.items && (p.sources!.items as JsonSchema).$ref)).toMatchObject({ type: "object", properties: { url: {}, score: {} } });
    expect(state!.$schema).toBe("http://json-schema.org/draft-07/schema#");
  });

  test("BaseMessage[] becomes an array of the BaseMessage definition", () => {
    const state = root("annotation").state;
    const messages = props(state).messages!;
    expect(messages).toMatchObject({ description: "The conversation.", type: "array" });
    const ref = (messages.items as JsonSchema).$ref;
    // `BaseMessage<MessageStructure<MessageToolSet>,MessageType>` with @langchain/core 1.4: the generics vary by version.
    expect(ref).toMatch(/^#\/definitions\/BaseMessage\b/);
    expect(definition(state, ref)).toMatchObject({ description: expect.stringContaining("Base class for all types of messages") });
  });

  test("input and output follow the builder's definitions; no config schema gives an empty object schema", () => {
    expect(Object.keys(props(root("annotation").input))).toEqual(Object.keys(props(root("annotation").state)));
    expect(Object.keys(props(root("annotation").output))).toEqual(Object.keys(props(root("annotation").state)));
    expect(root("annotation").config).toEqual({ type: "object", $schema: "http://json-schema.org/draft-07/schema#" });
  });
});

describe("MessagesAnnotation", () => {
  test("alone, extended with its spec, and exported uncompiled", () => {
    for (const id of ["messages", "uncompiled"]) expect(Object.keys(props(root(id).state))).toEqual(["messages"]);
    expect(Object.keys(props(root("messagesExtended").state)).sort()).toEqual(["messages", "summary"]);
    expect(props(root("messagesExtended").state).summary).toEqual({ type: "string" });
  });
});

describe("config (context) schemas", () => {
  test("as StateGraph's second argument, with descriptions and literal unions", () => {
    expect(root("configSecondArg").config).toEqual({
      type: "object",
      properties: { model: { description: "The model to call.", type: "string" }, temperature: { type: "number" }, tone: { enum: ["friendly", "plain"], type: "string" } },
      $schema: "http://json-schema.org/draft-07/schema#",
    });
  });

  test("with input and output annotations: each its own; the state is what the graph accepts", () => {
    const g = root("configInputOutput");
    expect(props(g.input)).toEqual({ question: { type: "string" } });
    expect(props(g.output)).toEqual({ answer: { type: "string" } });
    expect(props(g.state)).toEqual({ question: { type: "string" } });
    expect(Object.keys(props(g.config))).toEqual(["model", "temperature", "tone"]);
  });

  test("a factory (config) => graph is read through its return type", () => {
    expect(props(root("factory").state)).toEqual({ question: { type: "string" }, answer: { type: "string" } });
  });
});

describe("LangChain's templates (recreated)", () => {
  test("react-agent: MessagesAnnotation state, Annotation config", () => {
    expect(Object.keys(props(root("reactAgent").state))).toEqual(["messages"]);
    expect(props(root("reactAgent").config)).toEqual({
      systemPromptTemplate: { description: "The system prompt to be used by the agent.", type: "string" },
      model: { description: "The name of the language model to be used by the agent.", type: "string" },
    });
  });

  test("memory-agent: config typed; messages with the Messages update type still read as BaseMessage[]", () => {
    expect(Object.keys(props(root("memoryAgent").config))).toEqual(["userId", "model", "systemPrompt"]);
    expect((props(root("memoryAgent").input).messages!.items as JsonSchema).$ref).toContain("BaseMessage");
  });

  test("data-enrichment: fields without a reducer are typed, input/output annotations apply", () => {
    const g = root("dataEnrichment");
    expect(props(g.input).topic).toEqual({ type: "string" });
    expect(Object.keys(props(g.output))).toEqual(["info"]);
    expect(props(g.config).maxLoops).toMatchObject({ type: "number" });
  });
});

describe("other kinds of types", () => {
  test("enums, tuples, template literals, nullable unions; nesting cut at three levels as the official server does", () => {
    const state = root("kinds").state!;
    const p = props(state);
    expect(p.priority).toEqual({ enum: [1, 2], type: "number" });
    expect(p.colour).toEqual({ anyOf: [{ enum: ["green", "red"], type: "string" }, { type: "null" }] });
    expect(p.pair).toEqual({ type: "array", items: [{ type: "string" }, { type: "number" }], minItems: 2, maxItems: 2 });
    expect(p.rest).toEqual({ type: "array", items: [{ type: "boolean" }], minItems: 1, additionalItems: { type: "string" } });
    expect(p.id).toEqual({ type: "string", pattern: "^user-[0-9]*$" });
    expect(p.maybe).toEqual({ type: "string" });
    expect(p.loose).toEqual({ type: "object", properties: {}, additionalProperties: true });
    expect(definition(state, p.tree!.$ref)).toEqual({ type: "object", properties: { label: { type: "string" }, children: { type: "array", items: {} } } });
    const deep = definition(state, p.deep!.$ref)!;
    expect(definition(state, props(deep).a!.$ref)).toEqual({ type: "object", properties: { b: {} } });
  });

  test("JSDoc keyword tags become JSON Schema keywords", () => {
    const config = props(root("kinds").config);
    expect(config.attempts).toEqual({ description: "How many attempts.", minimum: 1, maximum: 5, default: 3, type: "number" });
    expect(config.email).toEqual({ description: "Contact address.", format: "email", type: "string" });
    expect(config.whole).toEqual({ type: "integer" });
  });
});

describe("subgraphs", () => {
  test("found through addNode, nested by namespace", () => {
    const g = result.graphs.subgraphs!;
    expect(Object.keys(g.subgraphs)).toEqual(["child", "child|grandchild"]);
    expect(props(g.subgraphs.child!.state)).toEqual({ text: { type: "string" }, steps: { type: "array", items: { type: "string" } }, depth: { type: "number" } });
    expect(Object.keys(props(g.subgraphs["child|grandchild"]!.input))).toEqual(["text", "depth"]);
    expect(result.graphs.annotation!.subgraphs).toEqual({});
  });
});

describe("failures and the manifest", () => {
  test("an unknown export fails alone, saying why", () => {
    expect(Object.keys(result.failures)).toEqual(["missingExport"]);
    expect(result.failures.missingExport).toMatch(/export "nope".*unknown/);
    expect(result.graphs.missingExport).toBeUndefined();
  });

  test("lists the project files read (graphs and what they import) and the packages, by version", () => {
    const files = Object.keys(result.manifest.files);
    expect(files).toContain(join(CORPUS, "src/annotation.ts"));
    expect(files).toContain(join(CORPUS, "langchain/react-agent/configuration.ts"));
    expect(files).toContain(join(CORPUS, "tsconfig.json"));
    expect(files.some((f) => f.includes("node_modules"))).toBe(false);
    const langgraph = join(REPO_ROOT, "node_modules/@langchain/langgraph");
    expect(result.manifest.packages[langgraph]).toBe(JSON.parse(readFileSync(join(langgraph, "package.json"), "utf8")).version);
  });
});
