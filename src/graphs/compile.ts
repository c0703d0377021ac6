/**
 * Compiling one project file for project-modules.ts: esbuild turns it into CommonJS (with an inline source map)
 * that evaluate.ts runs as a module of the loader's own, and, for an ES module, into plain ES module JavaScript from which
 * es-module-lexer reads what it imports and exports (Node's link check, the order of evaluation).
 */
import type { TransformFailure, TransformOptions } from "esbuild";
import { init as lexerReady, parse as lexImports } from "es-module-lexer";
import { extname } from "node:path";
import type { EsbuildService } from "./esbuild-service.js";
import { LOADERS } from "./module-format.js";
import { rewriteDynamicImports } from "./module-interop.js";

/** A file needs Node's ES module loader (top-level await): the caller should load the project natively. */
export class NeedsNativeEsm extends Error {
  override name = "NeedsNativeEsm";
}

/** `require("…")` in esbuild's output (it prints every string literal with double quotes). */
const REQUIRE_CALL = /\brequire\(\s*("(?:[^"\\\n]|\\.)*")\s*\)/g;

/** The static import/export names of an ES module. */
export interface Shape {
  /** Names it exports itself (including `default`, and `export * as ns` names). */
  exports: Set<string>;
  /** Specifiers of `export * from "…"`. */
  stars: string[];
  /** Names each specifier must export: `import { a } from`, `import d from`, `export { a } from`. */
  imports: Array<{ specifier: string; names: string[] }>;
  /** Every static import and re-export, in source order. */
  order: string[];
}

/** A project file compiled for evaluation, with what it imports. */
export interface CompiledFile {
  /** CommonJS, its dynamic `import()` rewritten to the loader's (module-interop.ts). */
  code: string;
  /** For an ES module: its import/export names and static import order. */
  shape?: Shape;
  /** `require("…")` specifiers of the compiled code, in order (for an ES module, its static imports). */
  required: string[];
  /** Specifiers of `import("…")` with a literal specifier. */
  dynamic: string[];
}

/** What {@link compileFile} compiles with. */
export interface CompileOptions {
  esbuild: EsbuildService;
  /** The project's tsconfig.json as esbuild reads it (`tsconfigRaw`). */
  tsconfigRaw?: string;
}

/** Compile `source` (of `file`; `esm`: written as an ES module). */
export async function compileFile(file: string, source: string, esm: boolean, { esbuild, tsconfigRaw }: CompileOptions): Promise<CompiledFile> {
  const options: TransformOptions = {
    loader: LOADERS[extname(file)] ?? "js",
    platform: "node",
    target: `node${process.versions.node}`,
    sourcefile: file,
    ...(tsconfigRaw !== undefined ? { tsconfigRaw } : {}),
    logLevel: "silent",
  };
  const [compiled, shape] = await Promise.all([
    esbuild.transform(source, {
      ...options,
      format: "cjs",
      sourcemap: "inline",
      sourcesContent: false,
      // An ES module is strict code and has import.meta; import() is kept, and rewritten to the loader's below.
      ...(esm ? { define: { "import.meta": "module.lgdevMeta" }, banner: '"use strict";' } : {}),
    }).then((result) => result.code, (err: unknown) => Promise.reject(compileError(err, file))),
    esm ? shapeOf(file, source, options, esbuild) : undefined,
  ]);
  await lexerReady;
  let dynamic: ReturnType<typeof lexImports>[0] = [];
  try {
    dynamic = lexImports(compiled)[0].filter((entry) => entry.d > -1);
  } catch {
    // Not lexable (CommonJS output is not what the lexer is for): its import() stays Node's own.
  }
  const required: string[] = [];
  for (const match of compiled.matchAll(REQUIRE_CALL)) required.push(JSON.parse(match[1]!) as string);
  return {
    code: rewriteDynamicImports(compiled, dynamic.map((entry) => entry.ss)),
    ...(shape ? { shape } : {}),
    required,
    dynamic: dynamic.flatMap((entry) => (entry.n === undefined ? [] : [entry.n])),
  };
}

/** The import/export names of an ES module, read from it compiled to plain ES module JavaScript. */
async function shapeOf(file: string, source: string, options: TransformOptions, esbuild: EsbuildService): Promise<Shape> {
  let code: string;
  try {
    code = (await esbuild.transform(source, { ...options, format: "esm" })).code;
  } catch (err) {
    throw compileError(err, file);
  }
  await lexerReady;
  const [imports, exports] = lexImports(code);
  const shape: Shape = { exports: new Set(exports.map((e) => e.n)), stars: [], imports: [], order: [] };
  for (const entry of imports) {
    if (entry.d !== -1 || entry.n === undefined) continue;
    shape.order.push(entry.n);
    const statement = code.slice(entry.ss, entry.se);
    if (/^export\s*\*\s*from/.test(statement)) shape.stars.push(entry.n);
    const names = importedNames(statement);
    if (names.length > 0) shape.imports.push({ specifier: entry.n, names });
  }
  return shape;
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
