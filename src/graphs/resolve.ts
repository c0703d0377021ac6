/**
 * Recognising the forms a graph export takes, by shape rather than `instanceof`: the user's
 * @langchain/langgraph may be another copy (or the CommonJS build) than any we could import.
 */
import type { CompiledGraphLike } from "./types.js";
import { describeValue, isClass, listNames } from "./describe.js";

/** What a graph export turned out to be. */
export type GraphExport =
  | { kind: "compiled"; graph: CompiledGraphLike }
  | { kind: "uncompiled"; builder: UncompiledGraphLike }
  | { kind: "promise"; promise: PromiseLike<unknown> }
  | { kind: "factory"; factory: (config: unknown) => unknown }
  | { kind: "invalid"; description: string };

/** A `StateGraph`/`Graph` builder that has not been compiled yet. */
export interface UncompiledGraphLike {
  compile(options?: Record<string, unknown>): unknown;
  nodes: Record<string, unknown>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** A compiled graph (Pregel): it can run and has nodes. */
export function isCompiledGraph(value: unknown): value is CompiledGraphLike {
  return (
    isObject(value) &&
    typeof value.invoke === "function" &&
    typeof value.stream === "function" &&
    typeof value.getState === "function" &&
    isObject(value.nodes)
  );
}

/** A graph builder: it has nodes and can be compiled. */
export function isUncompiledGraph(value: unknown): value is UncompiledGraphLike {
  return isObject(value) && typeof value.compile === "function" && isObject(value.nodes) && !isCompiledGraph(value);
}

/** Sort an exported value into one of the accepted forms, or say what it is instead. */
export function classifyGraphExport(value: unknown): GraphExport {
  // `createAgent()` from `langchain` returns a wrapper that holds the real compiled graph in `.graph`.
  if (isObject(value) && isCompiledGraph(value.graph)) return { kind: "compiled", graph: value.graph };
  if (isCompiledGraph(value)) return { kind: "compiled", graph: value };
  if (isUncompiledGraph(value)) return { kind: "uncompiled", builder: value };
  if (isObject(value) && typeof value.then === "function") return { kind: "promise", promise: value as unknown as PromiseLike<unknown> };
  if (typeof value === "function" && !isClass(value)) return { kind: "factory", factory: value as (config: unknown) => unknown };
  return { kind: "invalid", description: describeValue(value) };
}

/** What a module exports, as `{found, value}` so that an export set to `undefined` still counts as present. */
export function lookupExport(mod: Record<string, unknown>, name: string): { found: boolean; value?: unknown } {
  const cjs = commonJsExports(mod);
  if (name === "default") {
    // TypeScript compiled to CommonJS puts `export default` on `exports.default` next to `__esModule`.
    if (cjs && cjs.__esModule === true && "default" in cjs) return { found: true, value: cjs.default };
    return "default" in mod ? { found: true, value: mod.default } : { found: false };
  }
  if (name in mod) return { found: true, value: mod[name] };
  // Named exports Node could not detect statically in a CommonJS module are still on module.exports.
  if (cjs && name in cjs) return { found: true, value: cjs[name] };
  return { found: false };
}

/** The names a module exports, for "did you mean" messages. */
function exportNames(mod: Record<string, unknown>): string[] {
  const names = new Set(Object.keys(mod));
  const cjs = commonJsExports(mod);
  if (cjs) for (const key of Object.keys(cjs)) if (key !== "__esModule") names.add(key);
  return [...names];
}

/** Human list of a module's exports. */
export function describeExports(mod: Record<string, unknown>): string {
  const names = exportNames(mod);
  return names.length === 0 ? "it has no exports" : `its exports are: ${listNames(names, 20)}`;
}

function commonJsExports(mod: Record<string, unknown>): Record<string, unknown> | undefined {
  const def = mod.default;
  if (!isObject(def) || isCompiledGraph(def) || isUncompiledGraph(def)) return undefined;
  const proto = Object.getPrototypeOf(def);
  return proto === Object.prototype || proto === null ? def : undefined;
}
