/**
 * Importing user TypeScript/JavaScript without a build step, again and again as files change.
 *
 * Project files go through ProjectModules (project-modules.ts): compiled by esbuild and evaluated as modules this
 * loader owns, so a version replaced by a reload is garbage-collected once nothing uses it. Packages are imported
 * by Node's ES loader, resolved from the importing file through the hooks (hooks.ts, after tsx).
 *
 * Fallback: a project file with top-level await cannot be evaluated that way. The loader then switches, for the
 * rest of the process, to Node's ES loader for project files too: a reload imports the graph file at a new
 * generation (`graph.ts?lg_gen=<loader>.<N>`) and hooks.ts gives each project file below it a version. Those
 * module instances stay in Node's module cache (it cannot evict), which is the memory ProjectModules avoids.
 *
 * Either way, told which files changed (`invalidate`), a generation renews only those and the modules importing
 * them, as the loader's one module graph (module-graph.ts) says; otherwise it renews every project file. Both
 * paths feed that graph: ProjectModules with each file it compiles, hooks.ts with each file it resolves.
 */
import { existsSync } from "node:fs";
import { createRequire, register } from "node:module";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { MessageChannel } from "node:worker_threads";
import { register as registerTsxEsm } from "tsx/esm/api";
import { register as registerTsxCjs } from "tsx/cjs/api";
import { GENERATION_PARAM, RESOLVE_SCHEME, type HookMessage, type HookRequest } from "./hooks.js";
import { NeedsNativeEsm } from "./compile.js";
import type { ImportNative } from "./evaluate.js";
import { ModuleGraph, type Renewal } from "./module-graph.js";
import { inNodeModules, realFile } from "./paths.js";
import { ProjectModules } from "./project-modules.js";
import { findProjectTsconfig } from "./tsconfig.js";

/** Options for {@link createModuleLoader}. */
export interface ModuleLoaderOptions {
  /** The project root. Its tsconfig.json (paths, jsx…) applies to the files this loader compiles (and to tsx on the native path, if this is the first loader of the process). */
  projectDir: string;
}

/** Imports user modules; the only door through which user code enters the process. */
export interface ModuleLoader {
  /**
   * Import `absFile` as of `generation`: node_modules are evaluated once, project files once per version.
   * The first import at a generation higher than any before starts it: it renews what `invalidate` named
   * (and their importers), or every project file. Use a number never used before for each (re)load: a module
   * that failed stays failed. A lower number imports the current versions.
   */
  importModule(absFile: string, generation: number): Promise<Record<string, unknown>>;
  /**
   * Files changed on disk since the last generation started. The next generation then renews only these and the
   * project modules importing them; every other module keeps its instance (and its module-level state). A file
   * no module imported so far, a failed import in the previous generation, or `"all"` renews everything.
   */
  invalidate(files: Iterable<string> | "all"): void;
  /** Import a package as the project's own files would (resolved from the project root), e.g. its LangGraph. */
  importPackage(specifier: string): Promise<Record<string, unknown>>;
}

/** The process-wide hooks: Node's import, and the channel to hooks.ts. */
interface InstalledHooks {
  nativeImport: ImportNative;
  /** Start a generation of a loader's native modules, renewing `renew` (null: all). */
  announce(loaderId: string, generation: number, renew: string[] | null): Promise<void>;
  /** Resolves once every import the hooks saw so far is in its loader's graph. */
  sync(): Promise<void>;
  /** The module graphs of the loaders on the native path, by loader id: the hooks report their imports there. */
  graphs: Map<string, ModuleGraph>;
}

const HOOKS_KEY = Symbol.for("lg-dev.graphs.loader-hooks.v3");
type GlobalWithHooks = typeof globalThis & { [HOOKS_KEY]?: InstalledHooks };

/** Create a loader; installs the loader hooks on first use in this process. */
export function createModuleLoader(options: ModuleLoaderOptions): ModuleLoader {
  const hooks = installHooks(options.projectDir);
  // Two loaders on the same files must not share module instances (and their module-level state).
  const loaderId = randomBytes(4).toString("hex");
  const resolveNative = async (specifier: string, parentURL: string) => {
    const query = new URLSearchParams({ s: specifier, p: parentURL });
    return (await hooks.nativeImport(`${RESOLVE_SCHEME}?${query}`)).default as string;
  };
  const graph = new ModuleGraph();
  const project = new ProjectModules({ projectDir: options.projectDir, graph, importNative: hooks.nativeImport, resolveNative });
  // Project files go through ProjectModules (forgettable) until one needs Node's own ES loader.
  let native = false;
  let started = 0;
  let starting: Promise<unknown> = Promise.resolve();
  // undefined: nothing known about what changed, so the next generation renews everything.
  let changed: Set<string> | undefined;
  let renewAll = false;
  let failed = false;
  /** What a generation renews: what the graph says `files` reach, or everything. */
  const renewal = (files: string[] | undefined): Renewal => {
    if (files !== undefined) return graph.invalidate(files);
    graph.clear();
    return "all";
  };
  const startNative = async (generation: number, files: string[] | undefined) => {
    // The graph must hold every import the hooks have seen before it can say what a change reaches.
    await hooks.sync();
    const renew = renewal(files);
    await hooks.announce(loaderId, generation, renew === "all" ? null : [...renew]);
  };
  return {
    async importModule(absFile, generation) {
      if (generation > started) {
        started = generation;
        forgetProjectCommonJs();
        const files = failed || renewAll || changed === undefined ? undefined : [...changed];
        changed = undefined;
        renewAll = false;
        failed = false;
        if (native) starting = startNative(generation, files);
        else project.forget(renewal(files));
      }
      if (!native) {
        try {
          return await project.import(absFile);
        } catch (err) {
          if (!(err instanceof NeedsNativeEsm)) {
            failed = true;
            throw err;
          }
          // Top-level await somewhere: from now on the whole project is loaded by Node's ES loader.
          native = true;
          hooks.graphs.set(loaderId, graph);
          starting = startNative(generation, undefined);
        }
      }
      await starting;
      const url = pathToFileURL(absFile);
      url.searchParams.set(GENERATION_PARAM, `${loaderId}.${generation}`);
      try {
        return await hooks.nativeImport(url.href);
      } catch (err) {
        // Node remembers the failed module URLs: renew everything next time rather than guess which.
        failed = true;
        throw err;
      }
    },
    async importPackage(specifier) {
      return hooks.nativeImport(await resolveNative(specifier, pathToFileURL(join(options.projectDir, "package.json")).href));
    },
    invalidate(files) {
      if (files === "all") {
        renewAll = true;
        return;
      }
      changed ??= new Set();
      for (const file of files) changed.add(realFile(file));
    },
  };
}

/**
 * Register tsx (ESM + CommonJS) and then our generation hook, once per process: loader hooks are process-wide
 * by nature, so the "already done" mark lives on globalThis. Hooks registered later run first, so ours wraps tsx.
 */
function installHooks(projectDir: string): InstalledHooks {
  const global = globalThis as GlobalWithHooks;
  const installed = global[HOOKS_KEY];
  if (installed) return installed;

  const tsconfig = findProjectTsconfig(projectDir);
  registerTsxCjs();
  registerTsxEsm(tsconfig ? { tsconfig } : {});
  // From dist/ these are the compiled .js/.cjs; from src/ (tests) tsx, registered just above, loads the .ts.
  const { port1, port2 } = new MessageChannel();
  register(sibling("hooks", ".js", ".ts"), { data: { port: port2 }, transferList: [port2] });
  const nativeImport = createRequire(import.meta.url)(fileURLToPath(sibling("native-import", ".cjs", ".cts"))) as ImportNative;

  // The port keeps the process alive only while a request waits for its answer.
  const graphs = new Map<string, ModuleGraph>();
  const waiting = new Map<number, () => void>();
  let nextId = 0;
  port1.on("message", (message: HookMessage) => {
    if (message.type === "import") {
      graphs.get(message.loaderId)?.addImport(message.file, message.importer);
      return;
    }
    waiting.get(message.id)?.();
    waiting.delete(message.id);
    if (waiting.size === 0) port1.unref();
  });
  port1.unref();
  const ask = (request: HookRequest) =>
    new Promise<void>((res) => {
      waiting.set(request.id, res);
      port1.ref();
      port1.postMessage(request);
    });
  const hooks: InstalledHooks = {
    nativeImport,
    graphs,
    announce: (loaderId, generation, renew) => ask({ id: ++nextId, type: "generation", loaderId, generation, renew }),
    sync: () => ask({ id: ++nextId, type: "sync" }),
  };
  global[HOOKS_KEY] = hooks;
  return hooks;
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
  for (const key of Object.keys(cache)) {
    if (!inNodeModules(key) && !key.startsWith("node:")) delete cache[key];
  }
}
