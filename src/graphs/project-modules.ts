/**
 * Project modules that can be forgotten: the user's own files (never node_modules) compiled by esbuild to
 * CommonJS and evaluated as `Module` objects that this loader owns, instead of through Node's ES module loader.
 *
 * Why: Node's ES module cache can never evict a module, so a dev server that re-imports changed files at new
 * URLs keeps every version it ever loaded (~30 KB per reload in bench/reload.mjs). Modules evaluated here live
 * only as long as something references them: when a reload replaces a file, its old version is dropped from
 * the table below and the garbage collector frees it once the last run using the old graph has finished.
 *
 * What stays the same as native ESM: packages (node_modules) are imported by Node's own ES loader, resolved
 * from the importing file with Node's and tsx's rules (dependencies.ts), so there is one `@langchain/langgraph` in
 * the process, shared with lg-dev itself. Project files keep their instance across generations unless they, or a
 * file they import, changed: the loader's module graph says which (module-graph.ts), fed here with every file's
 * imports as it is compiled. Source maps keep stack traces and error locations pointing at the user's TypeScript.
 *
 * The steps of an import: prepare (compile.ts, then resolve what the file imports: dependencies.ts), check the
 * imported names (link.ts), evaluate in Node's order (evaluate.ts).
 *
 * What this path cannot do: top-level await (CommonJS has none). compile.ts then throws `NeedsNativeEsm` and
 * loader.ts falls back to the native ES loader for the rest of the process.
 */
import { readFile } from "node:fs/promises";
import { compileFile } from "./compile.js";
import { Dependencies, type Dep, type ResolveNative } from "./dependencies.js";
import { EsbuildService } from "./esbuild-service.js";
import { Evaluator, namespaceOf, type ImportNative } from "./evaluate.js";
import { checkImportedNames } from "./link.js";
import { isWrittenAsEsm } from "./module-format.js";
import type { ModuleGraph, Renewal } from "./module-graph.js";
import { realFile } from "./paths.js";
import { loadProjectTsconfig } from "./tsconfig.js";
import { walkUnits, type Unit } from "./unit.js";

/** What {@link ProjectModules} needs. */
export interface ProjectModulesOptions {
  projectDir: string;
  /** The loader's module graph: every compiled file's imports are reported to it. */
  graph: ModuleGraph;
  resolveNative: ResolveNative;
  importNative: ImportNative;
  /** esbuild, stopped when idle (by default one of the loader's own). */
  esbuild?: EsbuildService;
}

/** The project files of one loader: their current versions, renewed generation by generation. */
export class ProjectModules {
  private readonly units = new Map<string, Unit>();
  private readonly preparing = new Map<string, Promise<Unit>>();
  private readonly graph: ModuleGraph;
  private readonly dependencies: Dependencies;
  private readonly evaluator: Evaluator;
  private readonly esbuild: EsbuildService;
  /** The project's compiler options as esbuild reads them. */
  private readonly tsconfigRaw: string | undefined;

  constructor(options: ProjectModulesOptions) {
    const tsconfig = loadProjectTsconfig(options.projectDir);
    this.tsconfigRaw = tsconfig && JSON.stringify({ compilerOptions: tsconfig.compilerOptions });
    this.graph = options.graph;
    this.esbuild = options.esbuild ?? new EsbuildService();
    this.dependencies = new Dependencies(tsconfig, options.resolveNative);
    this.evaluator = new Evaluator({
      unitOf: (file) => this.units.get(file),
      load: (file) => this.load(file),
      resolve: (specifier, importer) => this.dependencies.resolve(specifier, importer, true),
      resolveNative: options.resolveNative,
      importNative: options.importNative,
    });
    // Stack traces through compiled project files point at the user's sources.
    process.setSourceMapsEnabled(true);
  }

  /** Forget the versions a renewal names (the module graph's answer to a change): the next import makes them anew. */
  forget(renewal: Renewal): void {
    if (renewal === "all") {
      this.units.clear();
      // Packages are resolved afresh too (and imported again: their module instances stay Node's).
      this.dependencies.forgetPackages();
      return;
    }
    for (const file of renewal) this.units.delete(file);
  }

  /** Import a project file: compile what is new, then evaluate it (once per version). Like `import()`. */
  async import(file: string): Promise<Record<string, unknown>> {
    return namespaceOf(await this.load(realFile(file)));
  }

  /** Prepare, link and evaluate a project file; resolves once it has run. */
  private async load(file: string): Promise<Unit> {
    const entry = await this.prepare(file);
    checkImportedNames(await this.whenReady(entry), (f) => this.units.get(f));
    await this.evaluator.run(entry);
    return entry;
  }

  /** Wait until every project file reachable from `entry` is prepared (cycles included); returns them all. */
  private whenReady(entry: Unit): Promise<Unit[]> {
    return walkUnits(entry, async (unit) => {
      await unit.ready;
      const next: Unit[] = [];
      for (const dep of unit.deps.values()) {
        if (dep.kind === "project") next.push(this.units.get(dep.file) ?? (await this.prepare(dep.file)));
      }
      return next;
    });
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

  /** Compile a file and resolve what it imports; the module graph learns its imports. */
  private async compileUnit(file: string): Promise<Unit> {
    const source = await readFile(file, "utf8");
    const esm = isWrittenAsEsm(file, source);
    const { code, shape, required, dynamic } = await compileFile(file, source, esm, { esbuild: this.esbuild, tsconfigRaw: this.tsconfigRaw });
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
    const imported = [...deps.values()].flatMap((dep) => (dep.kind === "project" ? [dep.file] : []));
    this.graph.setImports(file, imported);
    // Prepare what it imports; a cycle finds this unit in the table and does not wait for itself.
    unit.ready = Promise.all(imported.map((dep) => this.prepare(dep))).then(() => undefined);
    unit.ready.catch(() => {
      // A dependency that failed to compile: this version cannot be used either.
      if (this.units.get(file) === unit) this.units.delete(file);
    });
    return unit;
  }
}
