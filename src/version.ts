import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** lg-dev's own package.json (src/ and dist/ both sit one level below the package root). */
export function packageInfo(): { name: string; version: string } {
  const file = join(dirname(fileURLToPath(import.meta.url)), "..", "package.json");
  return JSON.parse(readFileSync(file, "utf8")) as { name: string; version: string };
}

/** The version of a package as the project at `fromDir` resolves it (e.g. the user's @langchain/langgraph). */
export function resolvedVersion(pkg: string, fromDir: string): string | undefined {
  try {
    const require = createRequire(join(fromDir, "noop.js"));
    let dir = dirname(require.resolve(pkg));
    for (let i = 0; i < 6; i += 1) {
      try {
        const json = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
        if (json.name === pkg) return json.version;
      } catch {
        // keep walking up
      }
      dir = dirname(dir);
    }
  } catch {
    return undefined;
  }
  return undefined;
}
