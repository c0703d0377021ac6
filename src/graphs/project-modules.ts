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
 * What this path cannot do: top-level await (CommonJS has none). `compile` then throws {@link NeedsNativeEsm}
 * and loader.ts falls back to the native ES loader for the rest of the process.
 */
import { readFile } from "node:fs/promises";
import { readFileSync, realpathSync, statSync } from "node:fs";
import Module, { createRequire, isBuiltin } from "node:module";
import { dirname, extname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { stop as stopEsbuild, transform as esbuildTransform, type Loader, type TransformFailure, type TransformOptions } from "esbuild";
import { init as lexerReady, parse as lexImports } from "es-module-lexer";
import { ESM_SYNTAX } from "./hooks.js";

/**
 * esbuild compiles in a service process of its own (~15 MB). It is needed only while modules load (start-up, a
 * reload), so it is stopped once idle for a second; the next transform starts it again (~5 ms).
 */
let transforming = 0;
let idleTimer: NodeJS.Timeout | undefined;
async function transform(source: string, options: TransformOptions) {
  transforming++;
  clearTimeout(idleTimer);
  try {
    return await esbuildTransform(source, options);
  } finally {
    if (--transforming === 0) {
      idleTimer = setTimeout(() => {
        if (transforming === 0) void Promise.resolve(stopEsbuild()).catch(() => undefined);
      }, 1000);
      idleTimer.unref();
    }
  }
}

/** A file needs Node's ES module loader (top-level await): the caller should load the project natively. */
export class NeedsNativeEsm extends Error {
  override name = "NeedsNativeEsm";
}

/** Resolve a package specifier as Node's ES loader would from `parentURL`; returns the URL it resolves to. */
export type ResolveNative = (specifier: string, parentURL: string) => Promise<string>;
/** Import a URL with Node's ES loader. */
export type ImportNative = (url: string) => Promise<Record<string, unknown>>;

export interface ProjectModulesOptions {
  projectDir: string;
  resolveNative: ResolveNative;
  importNative: ImportNative;
}

/** What a specifier in a project file leads to, settled before the file is evaluated. */
type Dep =
  | { kind: "project"; file: string }
  | { kind: "package"; exports: unknown }
  | { kind: "missing"; error: Error };

/** One version of one project file. */
interface Unit {
  file: string;
  /** The file compiled to CommonJS (with an inline source map). */
  code: string;
  /** Written as an ES module (import/export), as opposed to CommonJS (require/module.exports). */
  esm: boolean;
  deps: Map<string, Dep>;
  /** Settles once every project file this one imports is prepared too. */
  ready: Promise<void>;
  /** For an ES module: what it exports and imports by name, checked before evaluation as Node links. */
  shape?: Shape;
  /** Its named imports were checked against what the imported modules export. */
  linked?: boolean;
  module?: Module;
}

/** The static import/export names of an ES module. */
interface Shape {
  /** Names it exports itself (including `default`, and `export * as ns` names). */
  exports: Set<string>;
  /** Specifiers of `export * from "…"`. */
  stars: string[];
  /** Names each specifier must export: `import { a } from`, `import d from`, `export { a } from`. */
  imports: Array<{ specifier: string; names: string[] }>;
}

type NodeModule = Module & {
  _compile(code: string, filename: string): unknown;
  paths: string[];
  loaded: boolean;
  lgdevMeta?: { url: string; filename: string; dirname: string };
};
const ModuleStatic = Module as unknown as { _nodeModulePaths(dir: string): string[] };

const LOADERS: Record<string, Loader> = {
  ".ts": "ts",
  ".mts": "ts",
  ".cts": "ts",
  ".tsx": "tsx",
  ".js": "js",
  ".mjs": "js",
  ".cjs": "js",
  ".jsx": "jsx",
  ".json": "json",
};
const EXTENSIONS = [".ts", ".tsx", ".js", ".jsx", ".mts", ".cts", ".mjs", ".cjs", ".json"];

/** `require("…")` in esbuild's output (it prints every string literal with double quotes). */
const REQUIRE_CALL = /\brequire\(\s*("(?:[^"\\\n]|\\.)*")\s*\)/g;

const NODE_MODULES = /[\\/]node_modules[\\/]/;

/** The project files of one loader: their current versions, renewed generation by generation. */
export class ProjectModules {
  private readonly units = new Map<string, Unit>();
  private readonly preparing = new Map<string, Promise<Unit>>();
  /** Package specifier resolutions, by importing directory; kept across generations (cleared by `renewAll`). */
  private readonly packages = new Map<string, Promise<Dep>>();
  private readonly tsconfigRaw: string | undefined;
  private readonly paths: PathAliases | undefined;

  constructor(private readonly options: ProjectModulesOptions) {
    const tsconfig = join(options.projectDir, "tsconfig.json");
    try {
      this.tsconfigRaw = readFileSync(tsconfig, "utf8");
    } catch {
      this.tsconfigRaw = undefined;
    }
    this.paths = this.tsconfigRaw === undefined ? undefined : readPathAliases(tsconfig);
    // Stack traces through compiled project files point at the user's sources.
    process.setSourceMapsEnabled(true);
  }

  /** Forget every version: the next import compiles and evaluates everything again. */
  renewAll(): void {
    this.units.clear();
    this.packages.clear();
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
    const entry = await this.prepare(realFile(file));
    this.link(await this.whenReady(entry));
    const exports = this.evaluate(entry);
    return entry.esm ? (exports as Record<string, unknown>) : commonJsNamespace(exports);
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
      if (unit.linked || !unit.shape) continue;
      for (const { specifier, names } of unit.shape.imports) {
        const available = this.exportNamesOf(unit.deps.get(specifier), new Set());
        if (!available) continue;
        const missing = names.find((name) => !available.has(name));
        if (missing !== undefined) throw linkError(unit.file, specifier, missing);
      }
      unit.linked = true;
    }
  }

  /** The names a dependency exports; undefined when any name goes (CommonJS, or not known before it runs). */
  private exportNamesOf(dep: Dep | undefined, seen: Set<string>): Set<string> | undefined {
    if (dep === undefined || dep.kind === "missing") return undefined;
    if (dep.kind === "package") return new Set(Object.keys(dep.exports as object));
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
    const [code, shape] = await Promise.all([this.compile(file, source, esm), esm ? this.shapeOf(file, source) : undefined]);
    const deps = new Map<string, Dep>();
    const specifiers = new Set<string>();
    for (const match of code.matchAll(REQUIRE_CALL)) specifiers.add(JSON.parse(match[1]!) as string);
    await Promise.all([...specifiers].map(async (specifier) => {
      const dep = await this.resolveDep(specifier, file, esm);
      if (dep) deps.set(specifier, dep);
    }));
    const unit: Unit = { file, code, esm, deps, ready: Promise.resolve(), ...(shape ? { shape } : {}) };
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

  private transformOptions(file: string): TransformOptions {
    return {
      loader: LOADERS[extname(file)] ?? "js",
      platform: "node",
      target: `node${process.versions.node}`,
      sourcefile: file,
      ...(this.tsconfigRaw !== undefined ? { tsconfigRaw: this.tsconfigRaw } : {}),
      logLevel: "silent",
    };
  }

  private async compile(file: string, source: string, esm: boolean): Promise<string> {
    try {
      const result = await transform(source, {
        ...this.transformOptions(file),
        format: "cjs",
        sourcemap: "inline",
        sourcesContent: false,
        // An ES module is strict code, has import.meta, and import()s project files through this loader.
        ...(esm ? { define: { "import.meta": "module.lgdevMeta" }, banner: '"use strict";' } : {}),
        supported: { "dynamic-import": false },
      });
      return result.code;
    } catch (err) {
      throw compileError(err, file);
    }
  }

  /** The import/export names of an ES module, read from it compiled to plain ES module JavaScript. */
  private async shapeOf(file: string, source: string): Promise<Shape> {
    let code: string;
    try {
      code = (await transform(source, { ...this.transformOptions(file), format: "esm" })).code;
    } catch (err) {
      throw compileError(err, file);
    }
    await lexerReady;
    const [imports, exports] = lexImports(code);
    const shape: Shape = { exports: new Set(exports.map((e) => e.n)), stars: [], imports: [] };
    for (const entry of imports) {
      if (entry.d !== -1 || entry.n === undefined) continue;
      const statement = code.slice(entry.ss, entry.se);
      if (/^export\s*\*\s*from/.test(statement)) shape.stars.push(entry.n);
      const names = importedNames(statement);
      if (names.length > 0) shape.imports.push({ specifier: entry.n, names });
    }
    return shape;
  }

  /** What `specifier` in `file` leads to; undefined leaves it to Node's `require` at run time (builtins…). */
  private async resolveDep(specifier: string, file: string, esm: boolean): Promise<Dep | undefined> {
    if (isBuiltin(specifier)) return undefined;
    if (/^\.\.?(?:\/|$)/.test(specifier) || specifier.startsWith("/") || specifier.startsWith("file:")) {
      const base = specifier.startsWith("file:") ? fileURLToPath(specifier) : resolve(dirname(file), specifier);
      const found = findFile(base);
      if (found === undefined) return undefined;
      if (!NODE_MODULES.test(found)) return { kind: "project", file: found };
      return esm ? this.packageDep(specifier, file) : undefined;
    }
    // A tsconfig path alias of this project, a package, or a package.json "imports" entry.
    for (const base of this.paths ? aliasTargets(this.paths, specifier) : []) {
      const found = findFile(base);
      if (found !== undefined && !NODE_MODULES.test(found)) return { kind: "project", file: found };
    }
    // CommonJS files get Node's require.
    return esm ? this.packageDep(specifier, file) : undefined;
  }

  private packageDep(specifier: string, file: string): Promise<Dep> {
    const key = `${dirname(file)}\0${specifier}`;
    let dep = this.packages.get(key);
    if (!dep) {
      dep = (async (): Promise<Dep> => {
        let url: string;
        try {
          url = await this.options.resolveNative(specifier, pathToFileURL(file).href);
        } catch (err) {
          return { kind: "missing", error: err instanceof Error ? err : new Error(String(err)) };
        }
        if (url.startsWith("file:")) {
          const path = fileURLToPath(url.split("?")[0]!);
          if (!NODE_MODULES.test(path) && LOADERS[extname(path)]) return { kind: "project", file: realFile(path) };
        }
        try {
          return { kind: "package", exports: esModuleView(await this.options.importNative(url)) };
        } catch (err) {
          return { kind: "missing", error: err instanceof Error ? err : new Error(String(err)) };
        }
      })();
      // Project files a specifier resolves to may change with every save: only cache packages.
      void dep.then((d) => {
        if (d.kind !== "package") this.packages.delete(key);
      });
      this.packages.set(key, dep);
    }
    return dep;
  }

  /** Evaluate a prepared unit once per version; a circular import gets the exports evaluated so far. */
  private evaluate(unit: Unit): unknown {
    if (unit.module) return unit.module.exports;
    const module = new Module(unit.file) as NodeModule;
    module.filename = unit.file;
    module.paths = ModuleStatic._nodeModulePaths(dirname(unit.file));
    module.lgdevMeta = { url: pathToFileURL(unit.file).href, filename: unit.file, dirname: dirname(unit.file) };
    const nodeRequire = createRequire(unit.file);
    module.require = ((specifier: string) => this.requireFrom(unit, specifier, nodeRequire)) as NodeJS.Require;
    unit.module = module;
    try {
      module._compile(unit.code, unit.file);
    } catch (err) {
      // Like a failed ES module, this version is unusable; the next import compiles it again.
      unit.module = undefined;
      if (this.units.get(unit.file) === unit) this.units.delete(unit.file);
      throw err;
    }
    module.loaded = true;
    return module.exports;
  }

  private requireFrom(unit: Unit, specifier: string, nodeRequire: NodeJS.Require): unknown {
    const dep = unit.deps.get(specifier);
    if (dep === undefined) return nodeRequire(specifier);
    if (dep.kind === "package") return dep.exports;
    if (dep.kind === "missing") throw dep.error;
    const target = this.units.get(dep.file);
    if (!target) throw new Error(`lg-dev: ${dep.file} (imported by ${unit.file}) was not prepared`);
    return this.evaluate(target);
  }
}

/**
 * A package's ES namespace as the CommonJS interop esbuild emits expects it: `__esModule` makes
 * `import x from "pkg"` read `default`, exactly as an ES import of the package does.
 */
function esModuleView(namespace: Record<string, unknown>): unknown {
  const view: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(namespace)) {
    Object.defineProperty(view, key, { enumerable: true, get: () => namespace[key] });
  }
  Object.defineProperty(view, "__esModule", { value: true });
  return view;
}

/** What `import * as m from "./file.cjs"` gives in Node: the named exports plus `default: module.exports`. */
function commonJsNamespace(exports: unknown): Record<string, unknown> {
  const namespace: Record<string, unknown> = {};
  if (exports !== null && (typeof exports === "object" || typeof exports === "function")) {
    for (const key of Object.keys(exports)) namespace[key] = (exports as Record<string, unknown>)[key];
  }
  namespace.default = exports;
  return namespace;
}

function isEsmSource(file: string, source: string): boolean {
  if (/\.c[jt]s$/.test(file)) return false;
  if (/\.m[jt]s$/.test(file)) return true;
  return ESM_SYNTAX.test(source);
}

/** The file a relative import means, with tsx's rules: `./x.js` may be x.ts, extensions and index optional. */
function findFile(base: string): string | undefined {
  const candidates = [base];
  const js = /\.([cm]?)js(x?)$/.exec(base);
  if (js) {
    const stem = base.slice(0, -js[0].length);
    candidates.push(`${stem}.${js[1]}ts${js[2]}`);
    if (!js[1] && !js[2]) candidates.push(`${stem}.tsx`);
  }
  for (const ext of EXTENSIONS) candidates.push(base + ext);
  for (const ext of EXTENSIONS) candidates.push(join(base, `index${ext}`));
  for (const candidate of candidates) {
    try {
      if (statSync(candidate).isFile()) return realFile(candidate);
    } catch {
      // not this one
    }
  }
  return undefined;
}

function realFile(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/** `compilerOptions.paths` of a tsconfig (following `extends` to files), with the directory they are relative to. */
interface PathAliases {
  dir: string;
  patterns: Array<[prefix: string, suffix: string, wildcard: boolean, targets: string[]]>;
}

function readPathAliases(tsconfig: string, depth = 0): PathAliases | undefined {
  let config: { extends?: unknown; compilerOptions?: { baseUrl?: string; paths?: Record<string, string[]> } };
  try {
    config = parseJsonc(readFileSync(tsconfig, "utf8")) as typeof config;
  } catch {
    return undefined;
  }
  const dir = dirname(tsconfig);
  const options = config.compilerOptions ?? {};
  if (options.paths && typeof options.paths === "object") {
    const base = resolve(dir, options.baseUrl ?? ".");
    const patterns = Object.entries(options.paths).map(([pattern, targets]): PathAliases["patterns"][number] => {
      const star = pattern.indexOf("*");
      return star === -1
        ? [pattern, "", false, targets]
        : [pattern.slice(0, star), pattern.slice(star + 1), true, targets];
    });
    return { dir: base, patterns };
  }
  const parent = typeof config.extends === "string" ? config.extends : undefined;
  if (parent && depth < 8 && /^\.{0,2}\//.test(parent)) {
    const next = resolve(dir, parent);
    return readPathAliases(next.endsWith(".json") ? next : `${next}.json`, depth + 1);
  }
  return undefined;
}

/** The files a specifier may mean under tsconfig `paths` (most specific pattern first, as TypeScript does). */
function aliasTargets(aliases: PathAliases, specifier: string): string[] {
  const matches = aliases.patterns
    .filter(([prefix, suffix, wildcard]) =>
      wildcard
        ? specifier.length >= prefix.length + suffix.length && specifier.startsWith(prefix) && specifier.endsWith(suffix)
        : specifier === prefix,
    )
    .sort((a, b) => b[0].length - a[0].length);
  const out: string[] = [];
  for (const [prefix, suffix, wildcard, targets] of matches) {
    const captured = wildcard ? specifier.slice(prefix.length, specifier.length - suffix.length) : "";
    for (const target of targets) out.push(resolve(aliases.dir, target.replace("*", captured)));
  }
  return out;
}

/** JSON with comments and trailing commas, as tsconfig.json allows. */
function parseJsonc(text: string): unknown {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      const end = /"(?:[^"\\]|\\.)*"/y;
      end.lastIndex = i;
      const m = end.exec(text);
      if (!m) throw new SyntaxError("unterminated string");
      out += m[0];
      i += m[0].length - 1;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      i = close === -1 ? text.length : close + 1;
    } else out += c;
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, "$1"));
}

/** The names an `import … from` / `export … from` statement takes from its module (none for `*` and bare imports). */
export function importedNames(statement: string): string[] {
  const match = /^(import|export)\s*([\s\S]*?)\s*from\s*["']/.exec(statement);
  if (!match) return [];
  let clause = match[2]!;
  const names: string[] = [];
  if (match[1] === "import") {
    const def = /^([\w$]+)\s*(?:,|$)/.exec(clause);
    if (def) {
      names.push("default");
      clause = clause.slice(def[0].length).trim();
    }
  }
  const braces = /^\{([\s\S]*)\}$/.exec(clause.trim());
  if (!braces) return names;
  for (const part of braces[1]!.split(",")) {
    const name = part.trim().split(/\s+as\s+/)[0]!.trim();
    if (name) names.push(name.replace(/^(["'])(.*)\1$/, "$2"));
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

/** esbuild's failure as a SyntaxError whose message and stack say file:line:column, with the line and a caret. */
function compileError(err: unknown, file: string): Error {
  const failure = err as Partial<TransformFailure>;
  const first = failure.errors?.[0];
  if (!first) return err instanceof Error ? err : new Error(String(err));
  if (/top-level await/i.test(first.text)) {
    return new NeedsNativeEsm(`${file} uses top-level await`);
  }
  const at = first.location;
  const where = at ? `${at.file || file}:${at.line}:${at.column + 1}` : file;
  const excerpt = at?.lineText ? `\n    ${at.lineText}\n    ${" ".repeat(at.column)}^` : "";
  const error = new SyntaxError(`${first.text} (at ${where}${excerpt})`);
  error.stack = `SyntaxError: ${error.message}\n    at ${where}`;
  return error;
}
