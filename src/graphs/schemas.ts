/**
 * JSON schemas of a graph's state, input, output and context, for `GET /assistants/{id}/schemas` (Studio builds
 * its input forms and chat view from them), as the official server chooses them:
 *   StateSchema  -> its own getJsonSchema()/getInputJsonSchema()               (run time)
 *   Zod (v3/v4)  -> @langchain/langgraph/zod/schema, with the graph's meta registry (run time)
 *   otherwise    -> the graph's TypeScript types (Annotation.Root generics, MessagesAnnotation…), read by the
 *                   static-schema extractor; when those are unavailable, a guess from the channels: their names,
 *                   and types from reducers and defaults.
 * Every channel of the state appears as a property in run-time schemas whatever the source. Nothing here throws.
 */
import type { StaticSchemaSet } from "./static-schema/types.js";
import type { CompiledGraphLike } from "./types.js";

/** A JSON schema object. */
export type JsonSchema = Record<string, unknown>;

/** The reply of `GET /assistants/{id}/schemas`. */
export interface GraphSchemas {
  graph_id: string;
  input_schema: JsonSchema | null;
  output_schema: JsonSchema | null;
  state_schema: JsonSchema | null;
  config_schema: JsonSchema | null;
  context_schema: JsonSchema | null;
}

/** One entry of `GET /assistants/{id}/subgraphs`, as the official server words it. */
export interface SubgraphSchemas {
  state: JsonSchema | null;
  input: JsonSchema | null;
  output: JsonSchema | null;
  config: JsonSchema | null;
}

/** Where schemas read from types come from, when there are any; awaited only when run time tells nothing better. */
export type StaticSchemaSource = () => Promise<StaticSchemaSet | undefined>;

interface BuilderLike {
  channels?: Record<string, unknown>;
  _schemaDefinition?: Record<string, unknown>;
  _inputDefinition?: Record<string, unknown>;
  _outputDefinition?: Record<string, unknown>;
  _schemaRuntimeDefinition?: unknown;
  _inputRuntimeDefinition?: unknown;
  _outputRuntimeDefinition?: unknown;
  _configRuntimeSchema?: unknown;
  _metaRegistry?: unknown;
}

interface StateSchemaLike {
  getJsonSchema(): JsonSchema;
  getInputJsonSchema(): JsonSchema;
}

type ZodSchemaFns = typeof import("@langchain/langgraph/zod/schema");

interface Derived {
  state?: JsonSchema;
  input?: JsonSchema;
  output?: JsonSchema;
  config?: JsonSchema;
}

// StateGraph marks "input = the state, every key optional" with this symbol.
const PARTIAL_STATE = Symbol.for("langgraph.state.partial");

/**
 * Schemas for a compiled graph: from its StateSchema or Zod definition when it has one, else from `fromTypes`
 * (its TypeScript types), else object schemas listing the state keys.
 */
export async function graphSchemas(graph: CompiledGraphLike, graphId: string, fromTypes?: StaticSchemaSource): Promise<GraphSchemas> {
  const set = await schemaSet(graph, graphId, fromTypes);
  // From JavaScript, config (`configurable`) and context schemas are the same thing, as in the official server.
  return { graph_id: graphId, input_schema: set.input, output_schema: set.output, state_schema: set.state, config_schema: set.config, context_schema: set.config };
}

/** The four schemas of a graph, chosen as {@link graphSchemas} does. */
export async function schemaSet(graph: CompiledGraphLike, title: string, fromTypes?: StaticSchemaSource): Promise<SubgraphSchemas> {
  const builder = isObject(graph.builder) ? (graph.builder as BuilderLike) : undefined;
  const runtime = builder ? (fromStateSchema(builder) ?? (await fromZod(graph, builder))) : undefined;
  // A schema the types did not give (e.g. an older LangGraph whose types lack what the rules read) is guessed.
  const typed = runtime ? undefined : await fromTypes?.().catch(() => undefined);
  const derived = runtime ?? typed ?? {};
  const stateKeys = channelKeys(builder?._schemaDefinition ?? builder?.channels);
  const pick = (own: JsonSchema | undefined, keys: string[] | undefined) => (typed && own ? own : withKeys(own, keys, builder, title));
  return {
    state: pick(derived.state, stateKeys),
    input: pick(derived.input, channelKeys(builder?._inputDefinition) ?? stateKeys),
    output: pick(derived.output, channelKeys(builder?._outputDefinition) ?? stateKeys),
    config: derived.config ?? null,
  };
}

function fromStateSchema(builder: BuilderLike): Derived | undefined {
  const state = builder._schemaRuntimeDefinition;
  const input = builder._inputRuntimeDefinition;
  const output = builder._outputRuntimeDefinition;
  if (!isStateSchema(state) && !isStateSchema(input) && !isStateSchema(output)) return undefined;
  const partialState = input === PARTIAL_STATE && isStateSchema(state) ? state : undefined;
  return {
    state: attempt(() => (isStateSchema(state) ? state.getInputJsonSchema() : undefined)),
    input: attempt(() => (isStateSchema(input) ? input.getInputJsonSchema() : partialState?.getInputJsonSchema())),
    output: attempt(() => (isStateSchema(output) ? output.getJsonSchema() : undefined)),
  };
}

async function fromZod(graph: CompiledGraphLike, builder: BuilderLike): Promise<Derived | undefined> {
  if (!isZodObject(builder._schemaRuntimeDefinition) && !isZodObject(builder._configRuntimeSchema)) return undefined;
  let fns: ZodSchemaFns;
  try {
    fns = await import("@langchain/langgraph/zod/schema");
  } catch {
    return undefined;
  }
  // The graph's own registry: withLangGraph() metadata lives in the user's copy of @langchain/langgraph.
  const registry = (builder._metaRegistry ?? graph._metaRegistry) as Parameters<ZodSchemaFns["getStateTypeSchema"]>[1];
  // As the official servers do, state_schema describes what may be written (reducer inputs): Studio edits state with it.
  const derived: Derived = {
    state: attempt(() => fns.getUpdateTypeSchema(graph, registry) ?? fns.getStateTypeSchema(graph, registry)),
    input: attempt(() => fns.getInputTypeSchema(graph, registry)),
    output: attempt(() => fns.getOutputTypeSchema(graph, registry)),
    config: attempt(() => fns.getConfigTypeSchema(graph, registry)),
  };
  return Object.values(derived).some((s) => s !== undefined) ? derived : undefined;
}

/** `schema` with a property for each channel key (untyped when unknown), or a schema built from the channels. */
function withKeys(schema: JsonSchema | undefined, keys: string[] | undefined, builder: BuilderLike | undefined, title: string): JsonSchema {
  if (keys === undefined) return schema ?? {};
  const base: JsonSchema = schema ?? { title, type: "object" };
  const properties = { ...(isObject(base.properties) ? base.properties : {}) } as Record<string, unknown>;
  for (const key of keys) properties[key] ??= schema ? {} : channelSchema(builder?.channels?.[key]);
  return { ...base, properties };
}

function channelKeys(definition: Record<string, unknown> | undefined): string[] | undefined {
  return isObject(definition) ? Object.keys(definition) : undefined;
}

/** A message as the API accepts it: `{type, content, ...}` (LangChain messages serialise to this). */
const MESSAGE_SCHEMA: JsonSchema = {
  type: "object",
  properties: {
    type: { type: "string", description: "human, ai, system, tool…" },
    content: { anyOf: [{ type: "string" }, { type: "array", items: { type: "object" } }] },
    id: { type: "string" },
    name: { type: "string" },
  },
  additionalProperties: true,
};

/** A best guess for an Annotation channel: messages by their reducer, others by their default value. */
function channelSchema(channel: unknown): JsonSchema {
  if (!isObject(channel)) return {};
  const operator = channel.operator;
  if (typeof operator === "function" && /^messages(State)?Reducer$/i.test(operator.name)) {
    return { type: "array", items: MESSAGE_SCHEMA };
  }
  if (channel.lc_graph_name === "Topic") return { type: "array", items: {} };
  const factory = channel.initialValueFactory;
  return typeof factory === "function" ? schemaOfValue(attempt(() => factory() as unknown)) : {};
}

function schemaOfValue(value: unknown): JsonSchema {
  if (Array.isArray(value)) return { type: "array", items: {} };
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return { type: typeof value };
  if (isObject(value) && Object.getPrototypeOf(value) === Object.prototype) return { type: "object" };
  return {};
}

function isStateSchema(value: unknown): value is StateSchemaLike {
  return isObject(value) && typeof value.getJsonSchema === "function" && typeof value.getInputJsonSchema === "function";
}

function isZodObject(value: unknown): boolean {
  // zod v3 keeps its definition in `_def`, v4 in `_zod`; both are objects with a shape.
  return isObject(value) && (isObject(value._def) || isObject(value._zod));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function attempt<T>(fn: () => T): T | undefined {
  try {
    return fn() ?? undefined;
  } catch {
    return undefined;
  }
}
