/**
 * Node module `resolve` hook (registered by loader.ts through `module.register`, after tsx, so it runs first
 * and sees tsx's final answer). It makes hot reload cheap: a module imported as `file.ts?lg_gen=G` passes
 * `lg_gen=G` on to every project file it imports, so a new generation re-evaluates the project's own files
 * while node_modules stay one shared copy (one `@langchain/langgraph`, so its classes and registries match).
 *
 * This file runs on Node's loader thread: it may import only builtins, and it keeps no state.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ResolveFnOutput, ResolveHook, ResolveHookContext } from "node:module";

/** The query parameter that carries a generation. */
export const GENERATION_PARAM = "lg_gen";

/** The generation a `file:` URL carries, if any. */
export function generationOf(url: string | undefined): string | undefined {
  if (url === undefined || !url.startsWith("file:")) return undefined;
  const q = url.indexOf("?");
  if (q === -1) return undefined;
  const hash = url.indexOf("#", q);
  return new URLSearchParams(url.slice(q, hash === -1 ? undefined : hash)).get(GENERATION_PARAM) ?? undefined;
}

/** Import/export statements at the start of a line; `import x = require()` and `export =` are CommonJS TS. */
const ESM_SYNTAX =
  /^\s*(?:import\s*(?:[{*"'`]|type\b|[\w$]+\s*(?:,|from\b))|import\.meta\b|export\s*(?:[{*]|(?:default|const|let|var|function|class|async|type|interface|enum|declare|abstract|namespace)\b))/m;

function isProjectFile(url: string): boolean {
  return url.startsWith("file:") && !/[\\/]node_modules[\\/]/.test(decodeURIComponent(url));
}

/**
 * In a package without `"type": "module"`, tsx treats `.ts`/`.js` as CommonJS. Written with import/export,
 * such a file then loses its named exports and its generation identity, and it would see the CommonJS
 * build of @langchain/langgraph. Load it as ESM instead (what the author meant); `.cts`/`.cjs` stay CommonJS.
 */
function asEsmIfWrittenAsEsm(result: ResolveFnOutput, generation: string): ResolveFnOutput | undefined {
  // Node 20's typings do not know tsx's "commonjs-typescript" format.
  const format = result.format as string | null | undefined;
  if (format !== "commonjs" && format !== "commonjs-typescript") return undefined;
  // tsx may encode its own query into the path of CommonJS modules (`file.ts%3F...`): cut it off.
  const path = fileURLToPath(result.url.split("?")[0]!).split("?")[0]!;
  if (/\.c[jt]s$/.test(path)) return undefined;
  let source: string;
  try {
    source = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  if (!ESM_SYNTAX.test(source)) return undefined;
  const url = pathToFileURL(path);
  url.searchParams.set(GENERATION_PARAM, generation);
  return { ...result, url: url.href, format: "module" };
}

function withGeneration(result: ResolveFnOutput, generation: string): ResolveFnOutput {
  try {
    if (!isProjectFile(result.url)) return result;
    const esm = asEsmIfWrittenAsEsm(result, generation);
    if (esm) return esm;
    const url = new URL(result.url);
    url.searchParams.set(GENERATION_PARAM, generation);
    return { ...result, url: url.href };
  } catch {
    // An odd URL must not break every import of the process: it only loses hot reload.
    return result;
  }
}

/** Give project files the generation of the module importing them (or of the entry URL itself). */
export const resolve: ResolveHook = (specifier: string, context: ResolveHookContext, nextResolve) => {
  const generation = generationOf(specifier) ?? generationOf(context.parentURL);
  const result = nextResolve(specifier, context);
  if (generation === undefined) return result;
  // Written to work both as an async hook (module.register) and a synchronous one (module.registerHooks).
  return result instanceof Promise ? result.then((r) => withGeneration(r, generation)) : withGeneration(result, generation);
};
