/**
 * Paths of project files as Node names them, so that a file the watcher reports, a file a specifier resolves to and a
 * module URL Node hands the hooks all meet under one key. Imports only builtins: hooks.ts, on Node's loader thread,
 * uses it too.
 */
import { realpathSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The path Node reports for `file`: absolute, with symlinks followed. For a file that does not exist (any more: a
 * deleted file the watcher reports) the real path of its folder and its own name, which is where Node loaded it from.
 */
export function realFile(file: string): string {
  const abs = resolve(file);
  try {
    return realpathSync(abs);
  } catch {
    try {
      return join(realpathSync(dirname(abs)), basename(abs));
    } catch {
      return abs;
    }
  }
}

/** The path of a `file:` URL without its query (tsx may encode a query of its own into the path of CommonJS modules). */
export function pathOf(url: string): string {
  return fileURLToPath(url.split("?")[0]!).split("?")[0]!;
}

const NODE_MODULES = /[\\/]node_modules[\\/]/;

/** Whether a path (or a URL, percent-encoded or not) lies in a node_modules folder: a package, never a project file. */
export function inNodeModules(pathOrUrl: string): boolean {
  return NODE_MODULES.test(pathOrUrl) || (pathOrUrl.includes("%") && NODE_MODULES.test(safeDecode(pathOrUrl)));
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
