/**
 * Turn langgraph.json graph specs into runnable graphs: import the module, pick the export, accept every graph
 * form (compiled, uncompiled, promise, factory) and attach the server's checkpointer and store.
 */
import { stat } from "node:fs/promises";
import { relative, resolve as resolvePath, isAbsolute } from "node:path";
import type { RunnableConfig } from "@langchain/core/runnables";
import { ConfigError } from "../errors.js";
import { describeError, describeValue, errorLocation } from "./describe.js";
import type { ModuleLoader } from "./loader.js";
import { splitExportRef } from "./ref.js";
import { locateJsSyntaxError } from "./syntax-check.js";
import { classifyGraphExport, describeExports, lookupExport, type GraphExport } from "./resolve.js";
import type { CompiledGraphLike, GraphSpec, LoadedGraph } from "./types.js";

/** Options for {@link loadGraphs}. */
export interface LoadGraphsOptions {
  /** Graph paths are relative to this directory (the one holding langgraph.json). */
  configDir: string;
  loader: ModuleLoader;
  /** A generation never used before with this loader (see `GraphRegistry.nextGeneration()`). */
  generation: number;
  /** Attached to every graph (replacing one the graph was compiled with); left alone when undefined. */
  checkpointer?: unknown;
  /** Attached to every graph; left alone when undefined. */
  store?: unknown;
}

const ACCEPTED =
  "Export a compiled graph (builder.compile()), a StateGraph, a promise of one, or a function (config) => graph.";

/**
 * Load every graph concurrently. If any fails, throws one ConfigError listing every failure, each naming the
 * graph id, the file and what was found; nothing is returned partially, so a reload either fully swaps or not.
 */
export async function loadGraphs(specs: GraphSpec[], options: LoadGraphsOptions): Promise<Map<string, LoadedGraph>> {
  const settled = await Promise.allSettled(specs.map((spec) => loadGraph(spec, options)));
  const graphs = new Map<string, LoadedGraph>();
  const failures: string[] = [];
  for (const result of settled) {
    if (result.status === "fulfilled") graphs.set(result.value.graphId, result.value);
    else failures.push(result.reason instanceof Error ? result.reason.message : String(result.reason));
  }
  if (failures.length > 0) throw new ConfigError(failures.join("\n"));
  return graphs;
}

/** Load one graph; errors are ConfigErrors that start with `Graph "<id>"`. */
export async function loadGraph(spec: GraphSpec, options: LoadGraphsOptions): Promise<LoadedGraph> {
  const { path, exportName } = splitExportRef(spec.path);
  const file = resolvePath(options.configDir, path);
  const shown = showPath(file, options.configDir);
  const fail = (message: string) => new ConfigError(`Graph "${spec.graphId}" (${spec.path}): ${message}`);

  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw fail(`file not found: ${file}`);

  let mod: Record<string, unknown>;
  try {
    mod = await options.loader.importModule(file, options.generation);
  } catch (err) {
    const where = err instanceof SyntaxError && !errorLocation(err) ? await locateJsSyntaxError(file) : undefined;
    throw fail(`importing ${shown} failed: ${describeError(err)}${where ? ` (at ${where})` : ""}`);
  }
  const found = lookupExport(mod, exportName);
  if (!found.found) throw fail(`${shown} has no export "${exportName}"; ${describeExports(mod)}.`);

  const deps = { checkpointer: options.checkpointer, store: options.store };
  const base = {
    graphId: spec.graphId,
    file,
    exportName,
    generation: options.generation,
    ...(spec.description !== undefined ? { description: spec.description } : {}),
  };
  const what = `export "${exportName}" of ${shown}`;
  let shape = classifyGraphExport(found.value);

  if (shape.kind === "promise") {
    let settledValue: unknown;
    try {
      settledValue = await shape.promise;
    } catch (err) {
      throw fail(`the promise exported as ${what} rejected: ${describeError(err)}`);
    }
    shape = classifyGraphExport(settledValue);
    if (!isGraph(shape)) shape = { kind: "invalid", description: `a promise of ${describeValue(settledValue)}` };
  }
  if (shape.kind === "factory") {
    const factory = shape.factory;
    return {
      ...base,
      kind: "factory",
      async resolve(config: RunnableConfig) {
        const produced = await factory(config);
        const made = classifyGraphExport(produced);
        if (!isGraph(made)) throw fail(`the factory ${what} returned ${describeValue(produced)}, not a graph. ${ACCEPTED}`);
        return prepareGraph(made, deps, (m) => fail(`the graph returned by the factory ${what} ${m}`));
      },
    };
  }
  if (!isGraph(shape)) throw fail(`${what} is ${shape.description}, not a graph. ${ACCEPTED}`);
  const graph = prepareGraph(shape, deps, (m) => fail(`${what} ${m}`));
  return { ...base, kind: "compiled", resolve: async () => graph };
}

/**
 * A compiled graph wired to the server's checkpointer and store. Compiled graphs are changed in place (not
 * copied): the object is the user's, and its subgraphs and bound nodes must stay the ones it was built with.
 */
function prepareGraph(shape: GraphShape, deps: { checkpointer: unknown; store: unknown }, fail: (message: string) => Error): CompiledGraphLike {
  let graph: CompiledGraphLike;
  if (shape.kind === "uncompiled") {
    const options: Record<string, unknown> = {};
    if (deps.checkpointer !== undefined) options.checkpointer = deps.checkpointer;
    if (deps.store !== undefined) options.store = deps.store;
    let compiled: unknown;
    try {
      compiled = shape.builder.compile(options);
    } catch (err) {
      throw fail(`could not be compiled: ${describeError(err)}`);
    }
    const again = classifyGraphExport(compiled);
    if (again.kind !== "compiled") throw fail(`compiled to ${describeValue(compiled)}, not a graph`);
    graph = again.graph;
  } else {
    graph = shape.graph;
  }
  if (deps.checkpointer !== undefined) graph.checkpointer = deps.checkpointer;
  if (deps.store !== undefined) graph.store = deps.store;
  return graph;
}

type GraphShape = Extract<GraphExport, { kind: "compiled" | "uncompiled" }>;

function isGraph(shape: GraphExport): shape is GraphShape {
  return shape.kind === "compiled" || shape.kind === "uncompiled";
}

function showPath(file: string, base: string): string {
  const rel = relative(base, file);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? `./${rel.split("\\").join("/")}` : file;
}
