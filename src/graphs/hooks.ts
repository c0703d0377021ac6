/**
 * Node module `resolve` hook (registered by loader.ts through `module.register`, after tsx, so it runs first
 * and sees tsx's final answer). It makes hot reload cheap on the native ES module fallback (a project with
 * top-level await): project files — never node_modules, which stay one shared copy (one `@langchain/langgraph`, so
 * its classes and registries match) — get a version query, `file.ts?lg_gen=<loader>.<version>`, and a new version
 * means a new module instance.
 *
 * Which version: the hook reports every project file it resolves for a loader, with the project file importing it,
 * on the port given to `initialize`; loader.ts keeps them in its module graph (module-graph.ts), the one that says
 * what a change renews. A new generation comes with that answer: the files named get the new generation, all others
 * keep their version, so Node hands back the module it already has. A generation without a list renews every
 * project file. A loader that never announced anything (or a hook used without a port) gets the old rule: a file
 * inherits the generation of its importer.
 *
 * This file runs on Node's loader thread: it may import only builtins and files that import only builtins. Its
 * state is the per-loader versions below, which only the port's messages and the resolve calls change.
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { MessagePort } from "node:worker_threads";
import type { ResolveFnOutput, ResolveHook, ResolveHookContext } from "node:module";
import { isWrittenAsEsm } from "./module-format.js";
import { inNodeModules, pathOf } from "./paths.js";

/** The query parameter that carries a generation. */
export const GENERATION_PARAM = "lg_gen";

/** The generation a `file:` URL carries, if any. */
function generationOf(url: string | undefined): string | undefined {
  if (url === undefined || !url.startsWith("file:")) return undefined;
  const q = url.indexOf("?");
  if (q === -1) return undefined;
  const hash = url.indexOf("#", q);
  return new URLSearchParams(url.slice(q, hash === -1 ? undefined : hash)).get(GENERATION_PARAM) ?? undefined;
}

/** loader.ts -> hook: answer once the imports resolved so far are reported, or start a generation. */
export type HookRequest =
  | { id: number; type: "sync" }
  | {
      id: number;
      type: "generation";
      loaderId: string;
      generation: number;
      /** Files (as Node resolves them) whose modules must be new in this generation; null renews every file. */
      renew: string[] | null;
    };

/** Hook -> loader.ts: the answer to a request, or a project file resolved for a loader (and who imported it). */
export type HookMessage = { type: "reply"; id: number } | { type: "import"; loaderId: string; file: string; importer?: string };

/** What the hook knows about one loader's modules. */
interface LoaderState {
  generation: number;
  /** File path -> generation of its current module instance. A file not here gets `generation`. */
  versions: Map<string, number>;
}

const loaders = new Map<string, LoaderState>();
/** Where resolved project files are reported (the port of `initialize`). */
let report: ((message: HookMessage) => void) | undefined;

/** `module.register(..., { data: { port } })` hands us the port loader.ts talks to us on. */
export function initialize(data?: { port?: MessagePort }): void {
  const port = data?.port;
  if (!port) return;
  report = (message) => port.postMessage(message);
  // Replies go after every import reported before them, on the same port: the loader's graph is then complete.
  port.on("message", (request: HookRequest) => port.postMessage(handleRequest(request)));
  port.unref();
}

/** Answer a request of loader.ts. */
export function handleRequest(request: HookRequest): HookMessage {
  if (request.type === "generation") startGeneration(request.loaderId, request.generation, request.renew);
  return { type: "reply", id: request.id };
}

/** A new generation for a loader: the files named (or all) get new module instances from now on. */
function startGeneration(loaderId: string, generation: number, renew: string[] | null): void {
  let state = loaders.get(loaderId);
  if (!state) {
    state = { generation, versions: new Map() };
    loaders.set(loaderId, state);
  }
  state.generation = generation;
  if (renew === null) state.versions.clear();
  else for (const file of renew) state.versions.delete(file);
}

/**
 * The generation value a project file gets: its own version when its loader announced generations, else the
 * importer's. Reports the file, and the project file importing it, to the loader.
 */
function versionFor(url: string, generation: string, parentURL: string | undefined): string {
  const dot = generation.lastIndexOf(".");
  const loaderId = dot > 0 ? generation.slice(0, dot) : undefined;
  const state = loaderId === undefined ? undefined : loaders.get(loaderId);
  if (!state) return generation;
  const file = pathOf(url);
  let version = state.versions.get(file);
  if (version === undefined) {
    version = state.generation;
    state.versions.set(file, version);
  }
  const importer = parentURL !== undefined && isProjectFile(parentURL) && generationOf(parentURL) !== undefined ? pathOf(parentURL) : undefined;
  report?.({ type: "import", loaderId: loaderId!, file, ...(importer !== undefined ? { importer } : {}) });
  return `${loaderId}.${version}`;
}

function isProjectFile(url: string): boolean {
  return url.startsWith("file:") && !inNodeModules(url);
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
  const path = pathOf(result.url);
  if (/\.c[jt]s$/.test(path)) return undefined;
  let source: string;
  try {
    source = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  if (!isWrittenAsEsm(path, source)) return undefined;
  const url = pathToFileURL(path);
  url.searchParams.set(GENERATION_PARAM, generation);
  return { ...result, url: url.href, format: "module" };
}

function withGeneration(result: ResolveFnOutput, inherited: string, parentURL: string | undefined): ResolveFnOutput {
  try {
    if (!isProjectFile(result.url)) return result;
    const generation = versionFor(result.url, inherited, parentURL);
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

/** The scheme of loader.ts's resolution requests: `lg-dev-resolve:?s=<specifier>&p=<parent URL>`. */
export const RESOLVE_SCHEME = "lg-dev-resolve:";

/** A module whose default export is `url`: the answer to a resolution request. */
function answer(url: string): ResolveFnOutput {
  return { url: `data:text/javascript,export default ${encodeURIComponent(JSON.stringify(url))};`, format: "module", shortCircuit: true };
}

/** Give project files below a generation-tagged import their version (see the top of this file). */
export const resolve: ResolveHook = (specifier: string, context: ResolveHookContext, nextResolve) => {
  if (specifier.startsWith(RESOLVE_SCHEME)) {
    // Resolve a specifier as if imported from another module, with every hook below (tsx) taking part.
    const query = new URLSearchParams(specifier.slice(RESOLVE_SCHEME.length).replace(/^\?/, ""));
    const result = nextResolve(query.get("s") ?? "", { ...context, parentURL: query.get("p") ?? undefined });
    return result instanceof Promise ? result.then((r) => answer(r.url)) : answer(result.url);
  }
  const generation = generationOf(specifier) ?? generationOf(context.parentURL);
  const result = nextResolve(specifier, context);
  if (generation === undefined) return result;
  const parentURL = context.parentURL;
  // Written to work both as an async hook (module.register) and a synchronous one (module.registerHooks).
  return result instanceof Promise
    ? result.then((r) => withGeneration(r, generation, parentURL))
    : withGeneration(result, generation, parentURL);
};
