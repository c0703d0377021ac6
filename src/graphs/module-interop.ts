/**
 * What a project file compiled to CommonJS (project-modules.ts) is handed for each thing it imports, so that the
 * CommonJS interop esbuild emits (`__toESM(require(x))`) gives exactly what an ES import gives under Node (and tsx,
 * which the official server runs graphs with):
 *
 * - `import d from "pkg"` is the package's ES `default` — for a CommonJS package, its whole `module.exports`, even
 *   when it sets `__esModule` (as every TypeScript-compiled package does: mongodb, @pinecone-database/pinecone…).
 * - `import { a } from "pkg"` and `import * as ns` read the package's ES namespace as Node built it (for CommonJS,
 *   the names Node's lexer found), live.
 * - `await import(x)` is that namespace too, with tsx's one adjustment: a namespace whose `default` is a CommonJS
 *   `module.exports` marked `__esModule` is replaced by that object.
 */

/**
 * A package's ES namespace as esbuild's interop expects it: `__esModule` makes `import x from "pkg"` read
 * `default`, which is what the ES import gives. A CommonJS package that sets `__esModule` has it among its ES
 * exports too: the view then lists it as well, defined once (a second definition is the "Cannot redefine property:
 * __esModule" such packages used to fail with).
 */
export function packageView(namespace: Record<string, unknown>): Record<string, unknown> {
  const view = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(namespace)) {
    if (key !== "__esModule") Object.defineProperty(view, key, { enumerable: true, get: () => namespace[key] });
  }
  // Always true (esbuild's interop reads it); enumerable only when the package exports the name itself.
  Object.defineProperty(view, "__esModule", { value: true, enumerable: Object.hasOwn(namespace, "__esModule") });
  return view;
}

/**
 * A CommonJS project file as an ES module imports it under Node: every own name of `module.exports` (read live)
 * and `default: module.exports`, whatever `__esModule` says.
 */
export function commonJsView(exports: unknown): Record<string, unknown> {
  const view = Object.create(null) as Record<string, unknown>;
  if (exports !== null && (typeof exports === "object" || typeof exports === "function")) {
    for (const key of Object.keys(exports)) {
      if (key === "default" || key === "__esModule") continue;
      Object.defineProperty(view, key, { enumerable: true, get: () => (exports as Record<string, unknown>)[key] });
    }
  }
  Object.defineProperty(view, "default", { enumerable: true, value: exports });
  const marked = exports !== null && (typeof exports === "object" || typeof exports === "function") && Object.hasOwn(exports, "__esModule");
  Object.defineProperty(view, "__esModule", { value: true, enumerable: marked });
  return view;
}

/** What `import * as m from "./file.cjs"` gives in Node: the named exports plus `default: module.exports`. */
export function commonJsNamespace(exports: unknown): Record<string, unknown> {
  const namespace: Record<string, unknown> = {};
  if (exports !== null && (typeof exports === "object" || typeof exports === "function")) {
    for (const key of Object.keys(exports)) namespace[key] = (exports as Record<string, unknown>)[key];
  }
  namespace.default = exports;
  return namespace;
}

/** tsx's adjustment of every dynamic `import()` result in the files it compiles (see the top of this file). */
export function dynamicImportResult(namespace: Record<string, unknown>): unknown {
  const inner = namespace.default;
  return inner !== null && typeof inner === "object" && "__esModule" in inner ? inner : namespace;
}

/** The identifier `import(` is rewritten to in compiled project files: as long as `import`, so columns keep. */
const DYNAMIC_IMPORT = "__lgi_";

/**
 * Point every dynamic `import(…)` of compiled code (positions from es-module-lexer) at {@link DYNAMIC_IMPORT},
 * defined at the end as a call into the loader (`module.lgdevImport`), so the imported file goes through the same
 * loader (and hot reload) as static imports. The definition goes before the source map comment and adds no line
 * before any code, so the source map still fits.
 */
export function rewriteDynamicImports(code: string, starts: number[]): string {
  if (starts.length === 0) return code;
  let out = "";
  let last = 0;
  for (const start of [...starts].sort((a, b) => a - b)) {
    if (code.slice(start, start + 6) !== "import") continue;
    out += code.slice(last, start) + DYNAMIC_IMPORT;
    last = start + 6;
  }
  out += code.slice(last);
  const definition = `\nfunction ${DYNAMIC_IMPORT}(specifier, options) { return module.lgdevImport(specifier, options); }\n`;
  const map = out.lastIndexOf("\n//# sourceMappingURL=");
  return map === -1 ? out + definition : out.slice(0, map) + definition + out.slice(map + 1);
}
