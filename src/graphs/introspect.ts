/**
 * What the assistants API shows about a graph: its drawing as nodes and edges, its subgraphs, its schemas.
 */
import type { RunnableConfig } from "@langchain/core/runnables";
import { schemaSet, type SubgraphSchemas } from "./schemas.js";
import type { StaticGraphSchemas } from "./static-schema/types.js";
import type { CompiledGraphLike } from "./types.js";

export { graphSchemas, type GraphSchemas, type JsonSchema, type StaticSchemaSource, type SubgraphSchemas } from "./schemas.js";

/** One node of `GET /assistants/{id}/graph`; with xray, subgraph nodes have ids like `parent:child`. */
export interface GraphJsonNode {
  id: string | number;
  type: string;
  data: unknown;
  metadata?: Record<string, unknown>;
}

/** One edge of `GET /assistants/{id}/graph`. */
export interface GraphJsonEdge {
  source: string | number;
  target: string | number;
  conditional?: boolean;
  data?: unknown;
}

/** The reply of `GET /assistants/{id}/graph`. */
export interface GraphJson {
  nodes: GraphJsonNode[];
  edges: GraphJsonEdge[];
}

/** Options for {@link graphToJson}. */
export interface GraphToJsonOptions {
  /** Expand subgraphs: `true` for all levels, a number for that many levels. */
  xray?: boolean | number;
  /** The assistant's config, for graphs whose shape depends on it. */
  config?: RunnableConfig;
}

interface DrawableGraph {
  toJSON(): GraphJson;
}

/** The graph as JSON nodes and edges, as the official server draws it (`getGraphAsync({xray}).toJSON()`). */
export async function graphToJson(graph: CompiledGraphLike, options: GraphToJsonOptions = {}): Promise<GraphJson> {
  const config = { ...options.config, ...(options.xray !== undefined ? { xray: options.xray } : {}) };
  const drawable = (
    typeof graph.getGraphAsync === "function"
      ? await graph.getGraphAsync(config)
      : (graph.getGraph as (c: unknown) => DrawableGraph)(config)
  ) as DrawableGraph;
  return drawable.toJSON();
}

/** Options for {@link listSubgraphs}. */
export interface ListSubgraphsOptions {
  /** The graph's id (titles of schemas guessed from channels). */
  graphId?: string;
  /** Only the subgraph at this namespace (e.g. `child` or `child|grandchild`). */
  namespace?: string;
  /** Include subgraphs of subgraphs, with `parent|child` namespaces. */
  recurse?: boolean;
  /** The root graph's schemas read from its TypeScript types, subgraphs included by namespace. */
  fromTypes?: () => Promise<StaticGraphSchemas | undefined>;
}

type SubgraphIterable = AsyncIterable<[string, CompiledGraphLike]> | Iterable<[string, CompiledGraphLike]>;

/**
 * The reply of `GET /assistants/{id}/subgraphs[/{namespace}]?recurse`: namespace -> `{state, input, output, config}`
 * (the official server's shape), each chosen as for the root graph. A subgraph the types say nothing about gets
 * what it tells at run time (the official server would answer the root graph's schemas there).
 */
export async function listSubgraphs(graph: CompiledGraphLike, options: ListSubgraphsOptions = {}): Promise<Record<string, SubgraphSchemas>> {
  const iterate = (graph.getSubgraphsAsync ?? graph.getSubgraphs) as
    | ((namespace?: string, recurse?: boolean) => SubgraphIterable)
    | undefined;
  if (typeof iterate !== "function") return {};
  const result: Record<string, SubgraphSchemas> = {};
  for await (const [namespace, subgraph] of iterate.call(graph, options.namespace, options.recurse ?? false)) {
    const fromTypes = options.fromTypes && (async () => (await options.fromTypes!())?.subgraphs[namespace]);
    result[namespace] = await schemaSet(subgraph, options.graphId ?? namespace, fromTypes);
  }
  return result;
}

/**
 * The subgraph at `namespace` (`child` or `child|grandchild`, as `/subgraphs` names them), or undefined when the
 * graph has none there.
 */
export async function subgraphAt(graph: CompiledGraphLike, namespace: string): Promise<CompiledGraphLike | undefined> {
  const iterate = (graph.getSubgraphsAsync ?? graph.getSubgraphs) as
    | ((namespace?: string, recurse?: boolean) => SubgraphIterable)
    | undefined;
  if (typeof iterate !== "function") return undefined;
  for await (const [name, subgraph] of iterate.call(graph, namespace, true)) if (name === namespace) return subgraph;
  return undefined;
}
