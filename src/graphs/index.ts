/** Everything about user graphs: loading (the only place user code is imported), the registry, introspection. */
export type { CompiledGraphLike, GraphSpec, LoadedGraph } from "./types.js";
export { createModuleLoader, type ModuleLoader, type ModuleLoaderOptions } from "./loader.js";
export { loadGraphs, loadGraph, type LoadGraphsOptions } from "./load.js";
export { GraphRegistry } from "./registry.js";
export { splitExportRef, checkExportRef, type ExportRef } from "./ref.js";
export { classifyGraphExport, lookupExport } from "./resolve.js";
export { describeValue, describeError, errorLocation } from "./describe.js";
export {
  graphToJson,
  listSubgraphs,
  graphSchemas,
  type GraphJson,
  type GraphJsonNode,
  type GraphJsonEdge,
  type GraphToJsonOptions,
  type ListSubgraphsOptions,
  type GraphSchemas,
  type JsonSchema,
} from "./introspect.js";
