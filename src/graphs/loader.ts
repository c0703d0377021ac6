/**
 * Importing user TypeScript/JavaScript without a build step, again and again as files change.
 *
 * A reload imports the graph file at a new generation (`graph.ts?lg_gen=<loader>.<N>`); hooks.ts hands the
 * generation on to every project file below it, so exactly the project's files are evaluated again while
 * node_modules are shared. Old generations stay in Node's module cache (it cannot evict), which keeps runs that
 * started on them working; each costs only the project's own modules. Measured in DESIGN.md.
 */
import { existsSync } from "node:fs";
import { createRequire, register } from "node:module";
import { randomBytes } from "node:crypto";
import { join, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { register as registerTsxEsm } from "tsx/esm/api";
import { register as registerTsxCjs } from "tsx/cjs/api";
import { GENERATION_PARAM } from "./hooks.js";

/** Options for {@link createModuleLoader}. */
export interface ModuleLoaderOptions {
  /** The project root. Its tsconfig.json (paths, jsx…) is used if this is the first loader of the process. */
  projectDir: string;
}

/** Imports user modules; the only door through which user code enters the process. */
export interface ModuleLoader {
  /**
   * Import `absFile` as of `generation`: project files are evaluated once per generation, node_modules once.
   * Use a generation number never used before for each (re)load: a module that failed stays failed.
   */
  importModule(absFile: string, generation: number): Promise<Record<string, unknown>>;
}

type NativeImport = (url: string) => Promise<Record<string, unknown>>;

const HOOKS_KEY = Symbol.for("lg-dev.graphs.loader-hooks");
type GlobalWithHooks = typeof globalThis & { [HOOKS_KEY]?: NativeImport };

/** Create a loader; installs the loader hooks on first use in this process. */
export function createModuleLoader(options: ModuleLoaderOptions): ModuleLoader {
  const nativeImport = installHooks(options.projectDir);
  // Two loaders on the same files must not share module instances (and their module-level state).
  const loaderId = randomBytes(4).toString("hex");
  let lastGeneration: number | undefined;
  return {
    async importModule(absFile, generation) {
      if (generation !== lastGeneration) {
        forgetProjectCommonJs();
        lastGeneration = generation;
      }
      const url = pathToFileURL(absFile);
      url.searchParams.set(GENERATION_PARAM, `${loaderId}.${generation}`);
      return nativeImport(url.href);
    },
  };
}

/**
 * Register tsx (ESM + CommonJS) and then our generation hook, once per process: loader hooks are process-wide
 * by nature, so the "already done" mark lives on globalThis. Hooks registered later run first, so ours wraps tsx.
 */
function installHooks(projectDir: string): NativeImport {
  const global = globalThis as GlobalWithHooks;
  const installed = global[HOOKS_KEY];
  if (installed) return installed;

  const tsconfigPath = join(projectDir, "tsconfig.json");
  const tsconfig = existsSync(tsconfigPath) ? tsconfigPath : undefined;
  registerTsxCjs();
  registerTsxEsm(tsconfig ? { tsconfig } : {});
  // From dist/ these are the compiled .js/.cjs; from src/ (tests) tsx, registered just above, loads the .ts.
  register(sibling("hooks", ".js", ".ts"));
  const nativeImport = createRequire(import.meta.url)(fileURLToPath(sibling("native-import", ".cjs", ".cts"))) as NativeImport;
  global[HOOKS_KEY] = nativeImport;
  return nativeImport;
}

function sibling(name: string, compiledExt: string, sourceExt: string): URL {
  const compiled = new URL(`./${name}${compiledExt}`, import.meta.url);
  return existsSync(fileURLToPath(compiled)) ? compiled : new URL(`./${name}${sourceExt}`, import.meta.url);
}

/**
 * CommonJS modules (.cts/.cjs and what they require) live in require.cache keyed by path, without generations:
 * drop the project's entries so the next generation reads them again. Modules already loaded keep their copies.
 */
function forgetProjectCommonJs(): void {
  const cache = createRequire(import.meta.url).cache;
  const nodeModules = `${sep}node_modules${sep}`;
  for (const key of Object.keys(cache)) {
    if (!key.includes(nodeModules) && !key.startsWith("node:")) delete cache[key];
  }
}
