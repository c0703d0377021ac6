/**
 * One version of one project file on its way through project-modules.ts: compiled and resolved (prepared), its
 * imported names checked (link.ts), then evaluated (evaluate.ts).
 */
import type Module from "node:module";
import type { Shape } from "./compile.js";
import type { Dep } from "./dependencies.js";

/** One version of one project file. */
export interface Unit {
  file: string;
  /** The file compiled to CommonJS (with an inline source map). */
  code: string;
  /** Written as an ES module (import/export), as opposed to CommonJS (require/module.exports). */
  esm: boolean;
  /** Every specifier it imports or requires, dynamic imports included. */
  deps: Map<string, Dep>;
  /** Static imports in source order (ES module), or `require` calls (CommonJS): what its evaluation may need at once. */
  order: string[];
  /** Settles once every project file this one imports is prepared too. */
  ready: Promise<void>;
  /** For an ES module: what it exports and imports by name, checked before evaluation as Node links. */
  shape?: Shape;
  module?: Module;
  /** Its evaluation threw this: every later import gets it again, as from a failed ES module. */
  error?: unknown;
}

/** The project files of one loader by path: their current versions. */
export type UnitOf = (file: string) => Unit | undefined;

/**
 * `start` and every unit reachable from it through `next`, each once (import cycles included), depth first, in the
 * order visited.
 */
export async function walkUnits(start: Unit, next: (unit: Unit) => Iterable<Unit> | Promise<Iterable<Unit>>): Promise<Unit[]> {
  const seen = new Set<Unit>();
  const stack = [start];
  while (stack.length > 0) {
    const unit = stack.pop()!;
    if (seen.has(unit)) continue;
    seen.add(unit);
    stack.push(...(await next(unit)));
  }
  return [...seen];
}
