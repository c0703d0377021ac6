/**
 * What a specifier in a project file leads to (project-modules.ts): another project file (its tsconfig path aliases
 * included), a package resolved as Node's ES loader resolves it from the importing file, or nothing found.
 */
import { statSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import { isBuiltin } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { LOADERS } from "./module-format.js";
import { inNodeModules, pathOf, realFile } from "./paths.js";
import type { ProjectTsconfig } from "./tsconfig.js";

/** Resolve a package specifier as Node's ES loader would from `parentURL`; returns the URL it resolves to. */
export type ResolveNative = (specifier: string, parentURL: string) => Promise<string>;

/**
 * A package a project file imports, resolved when the file is compiled and imported (evaluated by Node) only when
 * the first file importing it is about to run, or when a dynamic `import()` asks for it.
 */
export interface PackageDep {
  kind: "package";
  url: string;
  /** Node's ES namespace, once imported. */
  namespace?: Record<string, unknown>;
  /** {@link packageView} of the namespace: what `require` in the compiled file returns. */
  exports?: Record<string, unknown>;
  /** Importing it failed: thrown where it is used. */
  error?: Error;
  loading?: Promise<void>;
}

/** What a specifier in a project file leads to, settled before the file is evaluated. */
export type Dep = { kind: "project"; file: string } | PackageDep | { kind: "missing"; error: Error };

const EXTENSIONS = [".ts", ".tsx", ".js", ".jsx", ".mts", ".cts", ".mjs", ".cjs", ".json"];

/** The dependencies of one loader's project files. */
export class Dependencies {
  /** Package specifier resolutions, by importing directory; kept across generations (cleared by `forgetPackages`). */
  private readonly packages = new Map<string, Promise<Dep>>();

  constructor(
    private readonly tsconfig: Pick<ProjectTsconfig, "aliasTargets"> | undefined,
    private readonly resolveNative: ResolveNative,
  ) {}

  /** Resolve packages afresh (and import them again: their module instances stay Node's). */
  forgetPackages(): void {
    this.packages.clear();
  }

  /** What `specifier` in `file` leads to; undefined leaves it to Node's `require` at run time (builtins…). */
  async resolve(specifier: string, file: string, esm: boolean): Promise<Dep | undefined> {
    if (isBuiltin(specifier)) return undefined;
    if (/^\.\.?(?:\/|$)/.test(specifier) || specifier.startsWith("/") || specifier.startsWith("file:")) {
      const base = specifier.startsWith("file:") ? fileURLToPath(specifier) : resolve(dirname(file), specifier);
      const found = findFile(base);
      if (found === undefined) return undefined;
      if (!inNodeModules(found)) return { kind: "project", file: found };
      return esm ? this.packageDep(specifier, file) : undefined;
    }
    // A tsconfig path alias of this project, a package, or a package.json "imports" entry.
    for (const base of this.tsconfig?.aliasTargets(specifier) ?? []) {
      const found = findFile(base);
      if (found !== undefined && !inNodeModules(found)) return { kind: "project", file: found };
    }
    // CommonJS files get Node's require.
    return esm ? this.packageDep(specifier, file) : undefined;
  }

  private packageDep(specifier: string, file: string): Promise<Dep> {
    const key = `${dirname(file)}\0${specifier}`;
    let dep = this.packages.get(key);
    if (!dep) {
      dep = (async (): Promise<Dep> => {
        let url: string;
        try {
          url = await this.resolveNative(specifier, pathToFileURL(file).href);
        } catch (err) {
          return { kind: "missing", error: err instanceof Error ? err : new Error(String(err)) };
        }
        if (url.startsWith("file:")) {
          const path = pathOf(url);
          if (!inNodeModules(path) && LOADERS[extname(path)]) return { kind: "project", file: realFile(path) };
        }
        return { kind: "package", url };
      })();
      // Project files a specifier resolves to may change with every save: only cache packages.
      void dep.then((d) => {
        if (d.kind !== "package") this.packages.delete(key);
      });
      this.packages.set(key, dep);
    }
    return dep;
  }
}

/** The file a relative import means, with tsx's rules: `./x.js` may be x.ts, extensions and index optional. */
function findFile(base: string): string | undefined {
  const candidates = [base];
  const js = /\.([cm]?)js(x?)$/.exec(base);
  if (js) {
    const stem = base.slice(0, -js[0].length);
    candidates.push(`${stem}.${js[1]}ts${js[2]}`);
    if (!js[1] && !js[2]) candidates.push(`${stem}.tsx`);
  }
  for (const ext of EXTENSIONS) candidates.push(base + ext);
  for (const ext of EXTENSIONS) candidates.push(join(base, `index${ext}`));
  for (const candidate of candidates) {
    try {
      if (statSync(candidate).isFile()) return realFile(candidate);
    } catch {
      // not this one
    }
  }
  return undefined;
}
