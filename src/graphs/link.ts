/**
 * Node's link check for project files: every name a file imports from a project file or a package must exist there.
 * Node checks ES modules when it links them, before any of them runs, so a save that drops an export fails the
 * reload, not the first run that calls it. Project files are checked from their compiled shapes before evaluation;
 * a package, whose names are known only once Node has imported it, just before the first file importing it runs.
 */
import { readFileSync } from "node:fs";
import type { Dep } from "./dependencies.js";
import type { Unit, UnitOf } from "./unit.js";

/** Check the names that `units` (prepared, not evaluated yet) import from project files and imported packages. */
export function checkImportedNames(units: Iterable<Unit>, unitOf: UnitOf): void {
  for (const unit of units) {
    if (unit.module || !unit.shape) continue;
    for (const { specifier, names } of unit.shape.imports) {
      // A package not imported yet is checked just before the file runs (checkPackageNames).
      const available = exportNamesOf(unit.deps.get(specifier), unitOf, new Set());
      if (!available) continue;
      const missing = names.find((name) => !available.has(name));
      if (missing !== undefined) throw linkError(unit.file, specifier, missing);
    }
  }
}

/** Check the names `unit` imports from packages, now that they are imported; a failure is the unit's for good. */
export function checkPackageNames(unit: Unit): void {
  for (const { specifier, names } of unit.shape?.imports ?? []) {
    const dep = unit.deps.get(specifier);
    if (dep?.kind !== "package" || !dep.namespace) continue;
    const missing = names.find((name) => !Object.hasOwn(dep.namespace!, name));
    if (missing !== undefined) {
      unit.error = linkError(unit.file, specifier, missing);
      throw unit.error;
    }
  }
}

/** The names a dependency exports; undefined when any name goes (CommonJS, or not known before it runs). */
function exportNamesOf(dep: Dep | undefined, unitOf: UnitOf, seen: Set<string>): Set<string> | undefined {
  if (dep === undefined || dep.kind === "missing") return undefined;
  if (dep.kind === "package") return dep.namespace ? new Set(Object.keys(dep.namespace)) : undefined;
  const unit = unitOf(dep.file);
  if (!unit?.shape || seen.has(unit.file)) return undefined;
  seen.add(unit.file);
  const names = new Set(unit.shape.exports);
  for (const star of unit.shape.stars) {
    const more = exportNamesOf(unit.deps.get(star), unitOf, seen);
    if (!more) return undefined;
    for (const name of more) if (name !== "default") names.add(name);
  }
  return names;
}

/** Node's words for a missing named import, at the line of the import in the user's source. */
function linkError(file: string, specifier: string, name: string): SyntaxError {
  let where = file;
  try {
    const source = readFileSync(file, "utf8");
    const at = [`"${specifier}"`, `'${specifier}'`].map((q) => source.indexOf(q)).filter((i) => i >= 0).sort((a, b) => a - b)[0] ?? -1;
    if (at >= 0) {
      const before = source.slice(0, at);
      where = `${file}:${before.split("\n").length}:${at - before.lastIndexOf("\n")}`;
    }
  } catch {
    // the file is gone: its path alone
  }
  const error = new SyntaxError(`The requested module '${specifier}' does not provide an export named '${name}'`);
  error.stack = `SyntaxError: ${error.message}\n    at ${where}`;
  return error;
}
