import type { RunnableConfig } from "@langchain/core/runnables";

/**
 * The subset of a compiled LangGraph (`Pregel`) the server relies on. Typed loosely on purpose:
 * the graph comes from the user's copy of @langchain/langgraph, which may not be ours.
 */
export interface CompiledGraphLike {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  stream(input: unknown, options?: Record<string, unknown>): Promise<AsyncIterable<any>>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  invoke?(input: unknown, options?: Record<string, unknown>): Promise<any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  streamEvents(input: unknown, options: Record<string, unknown>): AsyncIterable<any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  getState(config: RunnableConfig, options?: Record<string, unknown>): Promise<any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  getStateHistory(config: RunnableConfig, options?: Record<string, unknown>): AsyncIterable<any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  updateState(config: RunnableConfig, values: unknown, asNode?: string): Promise<any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  getGraphAsync?(config?: RunnableConfig & { xray?: boolean | number }): Promise<any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  getSubgraphsAsync?(namespace?: string, recurse?: boolean): AsyncIterable<[string, any]>;
  checkpointer?: unknown;
  store?: unknown;
  nodes?: Record<string, unknown>;
  [key: string]: unknown;
}

/** One entry of langgraph.json `graphs`, normalised. */
export interface GraphSpec {
  graphId: string;
  /** `"./src/agent/graph.ts:graph"`; no `:export` means the default export. */
  path: string;
  description?: string;
}

/** A graph module that has been imported and checked. */
export interface LoadedGraph {
  graphId: string;
  /** Absolute path of the module. */
  file: string;
  exportName: string;
  description?: string;
  /** The loader generation the module was imported at (absent for graphs built in tests). */
  generation?: number;
  /** "compiled" for a graph value (compiled, uncompiled or a promise of one), "factory" for `(config) => graph`. */
  kind: "compiled" | "factory";
  /**
   * A compiled graph ready to run with the server's checkpointer and store attached.
   * Factories are called with the run's config on every call.
   */
  resolve(config: RunnableConfig): Promise<CompiledGraphLike>;
}
