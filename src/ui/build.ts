/**
 * Bundling one generative UI entry (langgraph.json `ui`: `{"agent": "./src/agent/ui.tsx"}`) for the browser, the way
 * the official server's @langchain/langgraph-ui does, so the SDK's `LoadExternalComponent` loads it unchanged:
 * - one IIFE script assigned to `__LGUI_<graph id, non-alphanumerics as _>`, exposing `render(name, shadowRootId)`;
 * - React, the SDK's React UI entry and `ui_config.shared` left external, and required through the function the SDK
 *   installs at `globalThis[Symbol.for("LGUI_REQUIRE")]` (esbuild's `require` shim is pointed at it);
 * - `render` hands the component to the SDK's store at `window[Symbol.for("LGUI_EXT_STORE")]`, with a fresh element in
 *   the shadow root the SDK made for the message;
 * - the CSS the entry imports in a sibling `entrypoint.css`, run through Tailwind CSS when the project has it.
 * An esbuild context per entry makes rebuilds after a save incremental. This runs in the UI worker (worker.ts).
 */
import { basename, relative, resolve, sep } from "node:path";
import * as esbuild from "esbuild";
import { cssPlugin } from "./css.js";

/** A built file as the server serves it. */
export interface UiFile {
  basename: string;
  contents: Uint8Array;
}

/** One build: its files and the project files it read, or what went wrong. */
export type UiBuildResult =
  | { ok: true; files: UiFile[]; inputs: string[]; ms: number }
  | { ok: false; message: string; inputs: string[]; ms: number };

/** What {@link createUiBuilder} needs. */
export interface UiBuilderOptions {
  /** The `ui` key: a graph id (or any name the client asks for). */
  name: string;
  /** The entry file as written in langgraph.json, relative to `projectDir`. */
  path: string;
  /** The folder of langgraph.json. */
  projectDir: string;
  /** `ui_config.shared`: more packages the page provides (the SDK's `experimental_loadShare`). */
  shared?: string[];
}

/** Builds one entry, again and again. */
export interface UiBuilder {
  readonly name: string;
  /** Absolute path of the entry file. */
  readonly entry: string;
  build(): Promise<UiBuildResult>;
  dispose(): Promise<void>;
}

/** Packages the SDK's loader provides to every UI bundle (subpaths included: esbuild externals match prefixes). */
const PROVIDED_BY_SDK = ["react", "react-dom", "@langchain/langgraph-sdk", "@langchain/langgraph-sdk/react-ui"];

/** The global the script assigns, as the snippet's `onload` calls it. */
export function uiGlobalName(name: string): string {
  return `__LGUI_${name.replace(/[^a-zA-Z0-9]/g, "_")}`;
}

/** The entry's path as an import specifier from the project folder; throws when it lies outside the project. */
export function resolveUiEntry(projectDir: string, path: string): { file: string; specifier: string } {
  const file = resolve(projectDir, path);
  const rel = relative(projectDir, file).split(sep).join("/");
  if (rel.startsWith("../") || rel === ".." || resolve(projectDir, rel) !== file) {
    throw new Error(`UI path must be inside the project folder (${projectDir}); got "${path}"`);
  }
  return { file, specifier: `./${rel}` };
}

/**
 * The module the bundle starts from: the user's components, and a renderer answering the SDK's loader.
 * `components` is the entry's default export: `{ [message name]: React component }`.
 */
function entrySource(specifier: string): string {
  return `import components from ${JSON.stringify(specifier)};
const store = Symbol.for("LGUI_EXT_STORE");
export const render = (name, shadowRootId) => {
  const host = document.getElementById(shadowRootId);
  const target = document.createElement("div");
  host.shadowRoot.appendChild(target);
  window[store].respond(shadowRootId, components[name], target);
};
`;
}

/** esbuild's `require` shim of an IIFE, pointed at the SDK's loader instead of a CommonJS `require`. */
const REQUIRE_SHIM = 'typeof require !== "undefined" ? require';
const SDK_REQUIRE = 'typeof globalThis[Symbol.for("LGUI_REQUIRE")] !== "undefined" ? globalThis[Symbol.for("LGUI_REQUIRE")]';

/** Create the builder of one `ui` entry (nothing is built until `build()`). Throws for an entry outside the project. */
export function createUiBuilder(o: UiBuilderOptions): UiBuilder {
  const entry = resolveUiEntry(o.projectDir, o.path);
  const namespace = "lg-dev-ui-entry";
  let context: Promise<esbuild.BuildContext<{ write: false; metafile: true }>> | undefined;
  const open = () =>
    esbuild.context({
      absWorkingDir: o.projectDir,
      entryPoints: [{ in: "lg-dev-ui-entry", out: "entrypoint" }],
      outdir: resolve(o.projectDir, "dist"),
      write: false,
      metafile: true,
      bundle: true,
      platform: "browser",
      target: "es2020",
      jsx: "automatic",
      external: [...PROVIDED_BY_SDK, ...(o.shared ?? [])],
      globalName: uiGlobalName(o.name),
      logLevel: "silent",
      plugins: [
        {
          name: "lg-dev-ui-entry",
          setup(build) {
            build.onResolve({ filter: /^lg-dev-ui-entry$/ }, () => ({ path: resolve(entry.file, "..", "ui.entrypoint.tsx"), namespace }));
            build.onLoad({ filter: /.*/, namespace }, () => ({ contents: entrySource(entry.specifier), resolveDir: o.projectDir, loader: "tsx" }));
          },
        },
        cssPlugin(o.projectDir),
      ],
    });

  return {
    name: o.name,
    entry: entry.file,
    async build() {
      const started = performance.now();
      const ms = () => Math.round(performance.now() - started);
      try {
        context ??= open();
        const result = await (await context).rebuild();
        const files = result.outputFiles.map((f) => {
          const name = basename(f.path);
          const contents = name === "entrypoint.js" ? new TextEncoder().encode(f.text.replaceAll(REQUIRE_SHIM, SDK_REQUIRE)) : f.contents;
          return { basename: name, contents };
        });
        return { ok: true, files, inputs: inputsOf(result.metafile, o.projectDir), ms: ms() };
      } catch (err) {
        const failure = err as esbuild.BuildFailure;
        const message = Array.isArray(failure.errors) && failure.errors.length > 0 ? await describeErrors(failure.errors) : String((err as Error)?.message ?? err);
        // What the failed build read is unknown: the entry at least, so that saving it retries.
        const inputs = (failure.errors ?? []).map((e) => e.location?.file).filter((f): f is string => !!f).map((f) => resolve(o.projectDir, f));
        return { ok: false, message, inputs: [...new Set([entry.file, ...inputs])], ms: ms() };
      }
    },
    async dispose() {
      const pending = context;
      context = undefined;
      await (await pending?.catch(() => undefined))?.dispose();
    },
  };
}

/** The project files a build read (absolute), from esbuild's metafile. */
function inputsOf(metafile: esbuild.Metafile, projectDir: string): string[] {
  return Object.keys(metafile.inputs)
    .filter((key) => !/^[\w-]+:/.test(key))
    .map((key) => resolve(projectDir, key));
}

/** esbuild's own rendering of its errors: file:line:column, the line, and a caret. */
async function describeErrors(errors: esbuild.Message[]): Promise<string> {
  const formatted = await esbuild.formatMessages(errors, { kind: "error", color: false });
  return formatted.join("").trimEnd();
}
