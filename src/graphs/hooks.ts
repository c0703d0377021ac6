/**
 * Node module `resolve` hook (registered by loader.ts through `module.register`, after tsx, so it runs first
 * and sees tsx's final answer). It makes hot reload cheap: project files — never node_modules, which stay one
 * shared copy (one `@langchain/langgraph`, so its classes and registries match) — get a version query,
 * `file.ts?lg_gen=<loader>.<version>`, and a new version means a new module instance.
 *
 * Which version: loader.ts announces each new generation on the port given to `initialize`, with the files
 * that changed. Those files and every project module importing them (directly or not, per the imports seen
 * here) get the new generation; all others keep their version, so Node hands back the module it already has.
 * A generation announced without a list of changes renews every project file. A loader that never announced
 * anything (or a hook used without a port) gets the old rule: a file inherits the generation of its importer.
 *
 * This file runs on Node's loader thread: it may import only builtins. Its state is the per-loader versions
 * and import edges below, which only the port's messages and the resolve calls change.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { MessagePort } from "node:worker_threads";
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
export const ESM_SYNTAX =
  /^\s*(?:import\s*(?:[{*"'`]|type\b|[\w$]+\s*(?:,|from\b))|import\.meta\b|export\s*(?:[{*]|(?:default|const|let|var|function|class|async|type|interface|enum|declare|abstract|namespace)\b))/m;

/** A loader's announcement of a new generation; `changed: null` renews every file. */
export interface GenerationMessage {
  id: number;
  loaderId: string;
  generation: number;
  /** Absolute paths (as Node resolves them) of files changed since the previous generation. */
  changed: string[] | null;
}

/** The answer to a {@link GenerationMessage}. */
export interface GenerationReply {
  id: number;
  /** True when every file was renewed (asked for, or a changed file was not a module seen so far). */
  full: boolean;
  /** How many known modules got the new generation (for a partial renewal). */
  renewed: number;
}

/** What the hook knows about one loader's modules. */
interface LoaderState {
  generation: number;
  /** File path -> generation of its current module instance. A file not here gets `generation`. */
  versions: Map<string, number>;
  /** Project file -> project files importing it, and the reverse, as seen in resolve calls. */
  importers: Map<string, Set<string>>;
  imports: Map<string, Set<string>>;
}

const loaders = new Map<string, LoaderState>();

/** `module.register(..., { data: { port } })` hands us the port loader.ts announces generations on. */
export function initialize(data?: { port?: MessagePort }): void {
  const port = data?.port;
  if (!port) return;
  port.on("message", (message: GenerationMessage) => port.postMessage(announceGeneration(message)));
  port.unref();
}

/** Apply a new generation for a loader: forget the versions of what changed and of everything importing it. */
export function announceGeneration(message: GenerationMessage): GenerationReply {
  let state = loaders.get(message.loaderId);
  if (!state) {
    state = { generation: message.generation, versions: new Map(), importers: new Map(), imports: new Map() };
    loaders.set(message.loaderId, state);
  }
  state.generation = message.generation;
  const changed = message.changed;
  if (changed === null || changed.some((file) => !state.versions.has(file))) {
    state.versions.clear();
    state.importers.clear();
    state.imports.clear();
    return { id: message.id, full: true, renewed: 0 };
  }
  const renew = new Set<string>();
  const stack = [...changed];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (renew.has(file)) continue;
    renew.add(file);
    for (const importer of state.importers.get(file) ?? []) stack.push(importer);
  }
  for (const file of renew) {
    state.versions.delete(file);
    // Its new instance reports its imports again; the old instance's imports no longer matter.
    for (const child of state.imports.get(file) ?? []) state.importers.get(child)?.delete(file);
    state.imports.delete(file);
  }
  return { id: message.id, full: false, renewed: renew.size };
}

/** The path of a `file:` URL without queries (tsx may encode its own query into the path of CommonJS modules). */
function pathOf(url: string): string {
  return fileURLToPath(url.split("?")[0]!).split("?")[0]!;
}

/**
 * The generation value a project file gets: its own version when its loader announced generations, else the
 * importer's. Records the import edge `parentURL -> url`.
 */
function versionFor(url: string, generation: string, parentURL: string | undefined): string {
  const dot = generation.lastIndexOf(".");
  const state = dot > 0 ? loaders.get(generation.slice(0, dot)) : undefined;
  if (!state) return generation;
  const file = pathOf(url);
  let version = state.versions.get(file);
  if (version === undefined) {
    version = state.generation;
    state.versions.set(file, version);
  }
  if (parentURL !== undefined && isProjectFile(parentURL) && generationOf(parentURL) !== undefined) {
    const parent = pathOf(parentURL);
    if (parent !== file) {
      if (!state.importers.has(file)) state.importers.set(file, new Set());
      state.importers.get(file)!.add(parent);
      if (!state.imports.has(parent)) state.imports.set(parent, new Set());
      state.imports.get(parent)!.add(file);
    }
  }
  return `${generation.slice(0, dot)}.${version}`;
}

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
