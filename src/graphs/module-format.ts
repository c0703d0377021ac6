/**
 * What kind of source a project file is: its language, by its extension, and whether it is written as an ES module
 * (import/export) or as CommonJS, the way its author meant it, whatever its package.json says. Imports only types:
 * hooks.ts, on Node's loader thread, uses it too.
 */
import type { Loader } from "esbuild";

/** The extensions of files the loader compiles, with the language esbuild reads each as. */
export const LOADERS: Record<string, Loader> = {
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

/** Import/export statements at the start of a line; `import x = require()` and `export =` are CommonJS TS. */
const ESM_SYNTAX =
  /^\s*(?:import\s*(?:[{*"'`]|type\b|[\w$]+\s*(?:,|from\b))|import\.meta\b|export\s*(?:[{*]|(?:default|const|let|var|function|class|async|type|interface|enum|declare|abstract|namespace)\b))/m;

/** `.cts`/`.cjs` are CommonJS and `.mts`/`.mjs` ES modules by name; any other file by what it is written with. */
export function isWrittenAsEsm(file: string, source: string): boolean {
  if (/\.c[jt]s$/.test(file)) return false;
  if (/\.m[jt]s$/.test(file)) return true;
  return ESM_SYNTAX.test(source);
}
