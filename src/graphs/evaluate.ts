/**
 * Running prepared project files (project-modules.ts) as Node runs ES modules: before a file runs, what it imports
 * statically runs first, in source order, depth first — packages included (a package is imported only then, not when
 * the file is compiled), so side effects happen in the order Node gives them. An import cycle stops at a file already
 * in progress; a CommonJS file runs its `require` calls itself, in its own order. Dynamic `import()` goes through
 * the loader when it is called, packages with it. A file whose evaluation threw throws the same error to every later
 * importer. What each import is handed is in module-interop.ts.
 */
import Module, { createRequire, isBuiltin } from "node:module";
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";
import type { Dep, PackageDep, ResolveNative } from "./dependencies.js";
import { checkPackageNames } from "./link.js";
import { commonJsNamespace, commonJsView, dynamicImportResult, packageView } from "./module-interop.js";
import { walkUnits, type Unit, type UnitOf } from "./unit.js";

/** Import a URL with Node's ES loader (`options` as the second argument of `import()`). */
export type ImportNative = (url: string, options?: ImportCallOptions) => Promise<Record<string, unknown>>;

/** What evaluation asks of the loader whose units it runs. */
export interface EvaluationHost {
  /** The current version of a project file, if prepared. */
  unitOf: UnitOf;
  /** Prepare, link and evaluate a project file: a dynamic `import()` of one that has not run yet. */
  load(file: string): Promise<Unit>;
  /** What a specifier computed at run time leads to (`import(name)`). */
  resolve(specifier: string, importer: string): Promise<Dep | undefined>;
  resolveNative: ResolveNative;
  importNative: ImportNative;
}

type NodeModule = Module & {
  _compile(code: string, filename: string): unknown;
  paths: string[];
  loaded: boolean;
  lgdevMeta?: { url: string; filename: string; dirname: string };
  lgdevImport?: (specifier: unknown, options?: ImportCallOptions) => Promise<unknown>;
};
const ModuleStatic = Module as unknown as { _nodeModulePaths(dir: string): string[] };

/** What `import * as m` of a unit gives: its exports for an ES module, `default` plus named exports for CommonJS. */
export function namespaceOf(unit: Unit): Record<string, unknown> {
  const exports = unit.module!.exports;
  return unit.esm ? (exports as Record<string, unknown>) : commonJsNamespace(exports);
}

/** Evaluates the prepared units of one loader, one evaluation at a time. */
export class Evaluator {
  /** Evaluations run one after another: the order of side effects must not depend on two imports racing. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Project files whose static imports are being evaluated (an import cycle meets them again). */
  private readonly inProgress = new Set<Unit>();

  constructor(private readonly host: EvaluationHost) {}

  /** Evaluate `unit` (once per version), after every evaluation asked for before it. */
  run(unit: Unit): Promise<void> {
    const run = this.queue.then(() => this.evaluateInOrder(unit));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Import a package (once): Node evaluates it now. A failure is kept and thrown where the package is used. */
  private ensurePackage(dep: PackageDep): Promise<void> {
    dep.loading ??= (async () => {
      try {
        // A JSON file is a module only with its import attribute (TypeScript sources often leave it out).
        const namespace = await this.host.importNative(dep.url, /\.json(?:[?#]|$)/.test(dep.url) ? { with: { type: "json" } } : undefined);
        dep.namespace = namespace;
        dep.exports = packageView(namespace);
      } catch (err) {
        dep.error = err instanceof Error ? err : new Error(String(err));
      }
    })();
    return dep.loading;
  }

  private async evaluateInOrder(unit: Unit): Promise<void> {
    if (unit.module || unit.error !== undefined || this.inProgress.has(unit)) return;
    this.inProgress.add(unit);
    try {
      if (unit.esm) {
        for (const specifier of unit.order) {
          const dep = unit.deps.get(specifier);
          if (dep?.kind === "package") await this.ensurePackage(dep);
          else if (dep?.kind === "project") {
            const target = this.host.unitOf(dep.file);
            if (target) await this.evaluateInOrder(target);
          }
        }
      }
      // Files its code may still evaluate synchronously (the rest of an import cycle; what a CommonJS file
      // requires) need their packages now: `require` cannot wait.
      for (const other of await this.pendingFrom(unit)) {
        for (const specifier of other.order) {
          const dep = other.deps.get(specifier);
          if (dep?.kind === "package") await this.ensurePackage(dep);
        }
      }
      if (unit.module || unit.error !== undefined) return;
      checkPackageNames(unit);
      this.evaluate(unit);
    } finally {
      this.inProgress.delete(unit);
    }
  }

  /** `unit` and the project files reachable from it by static imports or `require` that have not run yet. */
  private pendingFrom(unit: Unit): Promise<Unit[]> {
    return walkUnits(unit, (next) =>
      next.order.flatMap((specifier) => {
        const dep = next.deps.get(specifier);
        const target = dep?.kind === "project" ? this.host.unitOf(dep.file) : undefined;
        return target && !target.module && target.error === undefined ? [target] : [];
      }),
    );
  }

  /** Evaluate a prepared unit once per version; a circular import gets the exports evaluated so far. */
  private evaluate(unit: Unit): unknown {
    if (unit.error !== undefined) throw unit.error;
    if (unit.module) return unit.module.exports;
    const module = new Module(unit.file) as NodeModule;
    module.filename = unit.file;
    module.paths = ModuleStatic._nodeModulePaths(dirname(unit.file));
    module.lgdevMeta = { url: pathToFileURL(unit.file).href, filename: unit.file, dirname: dirname(unit.file) };
    module.lgdevImport = (specifier, options) => this.dynamicImport(unit, specifier, options);
    const nodeRequire = createRequire(unit.file);
    module.require = ((specifier: string) => this.requireFrom(unit, specifier, nodeRequire)) as NodeJS.Require;
    unit.module = module;
    try {
      module._compile(unit.code, unit.file);
    } catch (err) {
      // Like a failed ES module: this version stays failed, and every importer gets the same error.
      unit.error = err;
      throw err;
    }
    module.loaded = true;
    return module.exports;
  }

  private requireFrom(unit: Unit, specifier: string, nodeRequire: NodeJS.Require): unknown {
    const dep = unit.deps.get(specifier);
    if (dep === undefined) return nodeRequire(specifier);
    if (dep.kind === "missing") throw dep.error;
    if (dep.kind === "package") {
      if (dep.error) throw dep.error;
      if (!dep.exports) throw new Error(`lg-dev: ${specifier} (imported by ${unit.file}) was required before it was imported`);
      return dep.exports;
    }
    const target = this.host.unitOf(dep.file);
    if (!target) throw new Error(`lg-dev: ${dep.file} (imported by ${unit.file}) was not prepared`);
    const exports = this.evaluate(target);
    // An ES import of a CommonJS file gets its module.exports as default, as in Node.
    return unit.esm && !target.esm ? commonJsView(exports) : exports;
  }

  /** `import(specifier)` in a project file: through this loader, evaluated when called, as Node and tsx do. */
  private async dynamicImport(unit: Unit, specifier: unknown, options?: ImportCallOptions): Promise<unknown> {
    const text = String(specifier);
    const dep = unit.deps.get(text) ?? (isBuiltin(text) ? undefined : await this.host.resolve(text, unit.file));
    if (dep === undefined) {
      // A builtin, or a path no file answers to: Node's own import says what it is.
      const url = isBuiltin(text) ? text : await this.host.resolveNative(text, pathToFileURL(unit.file).href);
      return dynamicImportResult(await this.host.importNative(url, options));
    }
    if (dep.kind === "missing") throw dep.error;
    if (dep.kind === "package") {
      await this.ensurePackage(dep);
      if (dep.error) throw dep.error;
      return dynamicImportResult(dep.namespace!);
    }
    const current = this.host.unitOf(dep.file);
    if (current?.error !== undefined) throw current.error;
    // Already evaluated (the usual case once loaded): no need to queue behind other evaluations.
    const target = current?.module ? current : await this.host.load(dep.file);
    return dynamicImportResult(namespaceOf(target));
  }
}
