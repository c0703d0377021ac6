/**
 * The project's tsconfig.json as the loader uses it: the compiler options esbuild compiles project files with (jsx,
 * decorators…) and the `paths` aliases that lead to project files. Read with get-tsconfig, the reader tsx uses, so
 * both loading paths see the same file: `extends` followed (files and packages), JSON with comments and trailing
 * commas. Like tsx, a tsconfig that cannot be read counts as none.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createPathsMatcher, parseTsconfig, type TsConfigJsonResolved } from "get-tsconfig";

/** What the loader takes from a project's tsconfig.json. */
export interface ProjectTsconfig {
  /** Its path. */
  file: string;
  /** `compilerOptions`, with what it extends merged in (for esbuild's `tsconfigRaw`). */
  compilerOptions: NonNullable<TsConfigJsonResolved["compilerOptions"]>;
  /** The files a specifier may mean under `paths`/`baseUrl`, in TypeScript's order (none when it matches no alias). */
  aliasTargets(specifier: string): string[];
}

/** The tsconfig.json in `projectDir`, if there is one (the loader reads no other). */
export function findProjectTsconfig(projectDir: string): string | undefined {
  const file = join(projectDir, "tsconfig.json");
  return existsSync(file) ? file : undefined;
}

/** Read the project's tsconfig.json; undefined when it has none, or when it cannot be read. */
export function loadProjectTsconfig(projectDir: string): ProjectTsconfig | undefined {
  const file = findProjectTsconfig(projectDir);
  if (file === undefined) return undefined;
  let config: TsConfigJsonResolved;
  try {
    config = parseTsconfig(file);
  } catch {
    // An `extends` that names nothing installed: tsx goes on without the file, and so does the loader.
    return undefined;
  }
  const matcher = createPathsMatcher({ path: file, config });
  return { file, compilerOptions: config.compilerOptions ?? {}, aliasTargets: matcher ?? (() => []) };
}
