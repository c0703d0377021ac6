/**
 * Project modules that can be forgotten: the user's own files (never node_modules) compiled by esbuild to
 * CommonJS and evaluated as `Module` objects that this file owns, instead of through Node's ES module loader.
 *
 * Why: Node's ES module cache can never evict a module, so a dev server that re-imports changed files at new
 * URLs keeps every version it ever loaded (~30 KB per reload in bench/reload.mjs). Modules evaluated here live
 * only as long as something references them: when a reload replaces a file, its old version is dropped from
 * the table below and the garbage collector frees it once the last run using the old graph has finished.
 *
 * What stays the same as native ESM: packages (node_modules) are imported by Node's own ES loader, resolved
 * from the importing file with Node's and tsx's rules (loader.ts resolves them through the hook in hooks.ts), so
 * there is one `@langchain/langgraph` in the process, shared with lg-dev itself. Project files keep their
 * instance across generations unless they, or a file they import, changed (as the native path does). Source
 * maps keep stack traces and error locations pointing at the user's TypeScript.
 *
 * Order, as Node evaluates ES modules: before a project file runs, what it imports statically runs first, in
 * source order, depth first — packages included (a package is imported only then, not when the file is compiled),
 * so side effects happen in the order Node gives them. Dynamic `import()` goes through this loader when it is
 * called (see module-interop.ts), packages with it. What a package and a project file are handed is in
 * module-interop.ts. A file whose evaluation threw throws the same error to every later importer.
 *
 * What this path cannot do: top-level await (CommonJS has none). compile.ts then throws `NeedsNativeEsm` and
 * loader.ts falls back to the native ES loader for the rest of the process.
 */
import { readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import Module, { createRequire, isBuiltin } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { compileFile, linkError, type Shape } from "./compile.js";
import { Dependencies, realFile, type Dep, type PackageDep, type ResolveNative } from "./dependencies.js";
import { ESM_SYNTAX } from "./hooks.js";
import { commonJsNamespace, commonJsView, dynamicImportResult, packageView } from "./module-interop.js";
import { readPathAliases } from "./tsconfig-paths.js";

export type { ResolveNative } from "./dependencies.js";
/** Import a URL with Node's ES loader (`options` as the second argument of `import()`). */
export type ImportNative = (url: string, options?: ImportCallOptions) => Promise<Record<string, unknown>>;

export interface ProjectModulesOptions {
  projectDir: string;
  resolveNative: ResolveNative;
  importNative: ImportNative;
}

/** One version of one project file. */
interface Unit {
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

type NodeModule = Module & {
  _compile(code: string, filename: string): unknown;
  paths: string[];
  loaded: boolean;
  lgdevMeta?: { url: string; filename: string; dirname: string };
  lgdevImport?: (specifier: unknown, options?: ImportCallOptions) => Promise<unknown>;
};
const ModuleStatic = Module as unknown as { _nodeModulePaths(dir: string): string[] };

/** The project files of one loader: their current versions, renewed generation by generation. */
export class ProjectModules {
  private readonly units = new Map<string, Unit>();
  private readonly preparing = new Map<string, Promise<Unit>>();
  private readonly tsconfigRaw: string | undefined;
  private readonly dependencies: Dependencies;
  /** Evaluations run one after another: the order of side effects must not depend on two imports racing. */
  private evaluating: Promise<unknown> = Promise.resolve();
  /** Project files whose static imports are being evaluated (an import cycle meets them again). */
  private readonly inProgress = new Set<Unit>();

  constructor(private readonly options: ProjectModulesOptions) {
    const tsconfig = join(options.projectDir, "tsconfig.json");
    try {
      this.tsconfigRaw = readFileSync(tsconfig, "utf8");
    } catch {
      this.tsconfigRaw = undefined;
    }
    this.dependencies = new Dependencies(this.tsconfigRaw === undefined ? undefined : readPathAliases(tsconfig), options.resolveNative);
    // Stack traces through compiled project files point at the user's sources.
    process.setSourceMapsEnabled(true);
  }

  /** Forget every version: the next import compiles and evaluates everything again. */
  renewAll(): void {
    this.units.clear();
    this.dependencies.forgetPackages();
  }

  /**
   * Forget the versions of `files` and of every project file importing them (directly or not); everything when one
   * of them is not a file this loader holds (nothing tells who imports it).
   */
  renew(files: Iterable<string>): void {
    const changed = [...files];
    if (changed.some((file) => !this.units.has(file))) {
      this.renewAll();
      return;
    }
    const importers = new Map<string, string[]>();
    for (const unit of this.units.values()) {
      for (const dep of unit.deps.values()) {
        if (dep.kind !== "project") continue;
        const list = importers.get(dep.file) ?? [];
        list.push(unit.file);
        importers.set(dep.file, list);
      }
    }
    const stack = changed;
    while (stack.length > 0) {
      const file = stack.pop()!;
      if (!this.units.delete(file)) continue;
      stack.push(...(importers.get(file) ?? []));
    }
  }

  /** Import a project file: compile what is new, then evaluate it (once per version). Like `import()`. */
  async import(file: string): Promise<Record<string, unknown>> {
    const entry = await this.load(realFile(file));
    return entry.esm ? (entry.module!.exports as Record<string, unknown>) : commonJsNamespace(entry.module!.exports);
  }

  /** Prepare, link and evaluate a project file; resolves once it has run. */
  private async load(file: string): Promise<Unit> {
    const entry = await this.prepare(file);
    this.link(await this.whenReady(entry));
    const run = this.evaluating.then(() => this.evaluateInOrder(entry));
    this.evaluating = run.catch(() => undefined);
    await run;
    return entry;
  }

  /** Wait until every project file reachable from `entry` is prepared (cycles included); returns them all. */
  private async whenReady(entry: Unit): Promise<Set<Unit>> {
    const seen = new Set<Unit>();
    const stack = [entry];
    while (stack.length > 0) {
      const unit = stack.pop()!;
      if (seen.has(unit)) continue;
      seen.add(unit);
      await unit.ready;
      for (const dep of unit.deps.values()) {
        if (dep.kind !== "project") continue;
        const next = this.units.get(dep.file) ?? (await this.prepare(dep.file));
        stack.push(next);
      }
    }
    return seen;
  }

  /**
   * Check, as Node does when it links ES modules, that every name imported from a project file or a package
   * exists there: a save that drops an export must fail the reload, not the first run that calls it.
   */
  private link(units: Iterable<Unit>): void {
    for (const unit of units) {
      if (unit.module || !unit.shape) continue;
      for (const { specifier, names } of unit.shape.imports) {
        // A package not imported yet is checked just before the file runs (evaluateInOrder).
        const available = this.exportNamesOf(unit.deps.get(specifier), new Set());
        if (!available) continue;
        const missing = names.find((name) => !available.has(name));
        if (missing !== undefined) throw linkError(unit.file, specifier, missing);
      }
    }
  }

  /** The names a dependency exports; undefined when any name goes (CommonJS, or not known before it runs). */
  private exportNamesOf(dep: Dep | undefined, seen: Set<string>): Set<string> | undefined {
    if (dep === undefined || dep.kind === "missing") return undefined;
    if (dep.kind === "package") return dep.namespace ? new Set(Object.keys(dep.namespace)) : undefined;
    const unit = this.units.get(dep.file);
    if (!unit?.shape || seen.has(unit.file)) return undefined;
    seen.add(unit.file);
    const names = new Set(unit.shape.exports);
    for (const star of unit.shape.stars) {
      const more = this.exportNamesOf(unit.deps.get(star), seen);
      if (!more) return undefined;
      for (const name of more) if (name !== "default") names.add(name);
    }
    return names;
  }

  private prepare(file: string): Promise<Unit> {
    const unit = this.units.get(file);
    if (unit) return Promise.resolve(unit);
    let pending = this.preparing.get(file);
    if (!pending) {
      pending = this.compileUnit(file).finally(() => this.preparing.delete(file));
      this.preparing.set(file, pending);
    }
    return pending;
  }

  private async compileUnit(file: string): Promise<Unit> {
    const source = await readFile(file, "utf8");
    const esm = isEsmSource(file, source);
    const { code, shape, required, dynamic } = await compileFile(file, source, esm, this.tsconfigRaw);
    const order = [...new Set(shape ? shape.order : required)];
    const deps = new Map<string, Dep>();
    const specifiers = new Set([...required, ...dynamic]);
    await Promise.all([...specifiers].map(async (specifier) => {
      // import() resolves as an ES import, even in a CommonJS file.
      const dep = await this.dependencies.resolve(specifier, file, esm || !required.includes(specifier));
      if (dep) deps.set(specifier, dep);
    }));
    const unit: Unit = { file, code, esm, deps, order, ready: Promise.resolve(), ...(shape ? { shape } : {}) };
    this.units.set(file, unit);
    // Prepare what it imports; a cycle finds this unit in the table and does not wait for itself.
    unit.ready = Promise.all(
      [...deps.values()].filter((dep) => dep.kind === "project").map((dep) => this.prepare(dep.file)),
    ).then(() => undefined);
    unit.ready.catch(() => {
      // A dependency that failed to compile: this version cannot be used either.
      if (this.units.get(file) === unit) this.units.delete(file);
    });
    return unit;
  }

  /** Import a package (once): Node evaluates it now. A failure is kept and thrown where the package is used. */
  private ensurePackage(dep: PackageDep): Promise<void> {
    dep.loading ??= (async () => {
      try {
        // A JSON file is a module only with its import attribute (TypeScript sources often leave it out).
        const namespace = await this.options.importNative(dep.url, /\.json(?:[?#]|$)/.test(dep.url) ? { with: { type: "json" } } : undefined);
        dep.namespace = namespace;
        dep.exports = packageView(namespace);
      } catch (err) {
        dep.error = err instanceof Error ? err : new Error(String(err));
      }
    })();
    return dep.loading;
  }

  /**
   * Evaluate `unit` as Node evaluates an ES module: first what it imports statically, in source order, depth first
   * (packages are imported at that point), then its own code. An import cycle stops at a file already in progress.
   * A CommonJS file runs its `require` calls itself, in its own order.
   */
  private async evaluateInOrder(unit: Unit): Promise<void> {
    if (unit.module || unit.error !== undefined || this.inProgress.has(unit)) return;
    this.inProgress.add(unit);
    try {
      if (unit.esm) {
        for (const specifier of unit.order) {
          const dep = unit.deps.get(specifier);
          if (dep?.kind === "package") await this.ensurePackage(dep);
          else if (dep?.kind === "project") {
            const target = this.units.get(dep.file);
            if (target) await this.evaluateInOrder(target);
          }
        }
      }
      // Files its code may still evaluate synchronously (the rest of an import cycle; what a CommonJS file
      // requires) need their packages now: `require` cannot wait.
      for (const other of this.pendingFrom(unit)) {
        for (const specifier of other.order) {
          const dep = other.deps.get(specifier);
          if (dep?.kind === "package") await this.ensurePackage(dep);
        }
      }
      if (unit.module || unit.error !== undefined) return;
      this.checkPackageNames(unit);
      this.evaluate(unit);
    } finally {
      this.inProgress.delete(unit);
    }
  }

  /** `unit` and the project files reachable from it by static imports or `require` that have not run yet. */
  private pendingFrom(unit: Unit): Unit[] {
    const seen = new Set<Unit>();
    const stack = [unit];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      for (const specifier of next.order) {
        const dep = next.deps.get(specifier);
        const target = dep?.kind === "project" ? this.units.get(dep.file) : undefined;
        if (target && !target.module && target.error === undefined) stack.push(target);
      }
    }
    return [...seen];
  }

  /** Node's link check for the names a file imports from packages, now that they are imported. */
  private checkPackageNames(unit: Unit): void {
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
    const target = this.units.get(dep.file);
    if (!target) throw new Error(`lg-dev: ${dep.file} (imported by ${unit.file}) was not prepared`);
    const exports = this.evaluate(target);
    // An ES import of a CommonJS file gets its module.exports as default, as in Node.
    return unit.esm && !target.esm ? commonJsView(exports) : exports;
  }

  /** `import(specifier)` in a project file: through this loader, evaluated when called, as Node and tsx do. */
  private async dynamicImport(unit: Unit, specifier: unknown, options?: ImportCallOptions): Promise<unknown> {
    const text = String(specifier);
    const dep = unit.deps.get(text) ?? (isBuiltin(text) ? undefined : await this.dependencies.resolve(text, unit.file, true));
    if (dep === undefined) {
      // A builtin, or a path no file answers to: Node's own import says what it is.
      const url = isBuiltin(text) ? text : await this.options.resolveNative(text, pathToFileURL(unit.file).href);
      return dynamicImportResult(await this.options.importNative(url, options));
    }
    if (dep.kind === "missing") throw dep.error;
    if (dep.kind === "package") {
      await this.ensurePackage(dep);
      if (dep.error) throw dep.error;
      return dynamicImportResult(dep.namespace!);
    }
    const current = this.units.get(dep.file);
    if (current?.error !== undefined) throw current.error;
    // Already evaluated (the usual case once loaded): no need to queue behind other evaluations.
    const target = current?.module ? current : await this.load(dep.file);
    const exports = target.module!.exports;
    return dynamicImportResult(target.esm ? (exports as Record<string, unknown>) : commonJsNamespace(exports));
  }
}

function isEsmSource(file: string, source: string): boolean {
  if (/\.c[jt]s$/.test(file)) return false;
  if (/\.m[jt]s$/.test(file)) return true;
  return ESM_SYNTAX.test(source);
}
