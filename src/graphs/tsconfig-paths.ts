/** tsconfig.json `compilerOptions.paths`: which project files a path alias means, as TypeScript reads them. */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** `compilerOptions.paths` of a tsconfig (following `extends` to files), with the directory they are relative to. */
export interface PathAliases {
  dir: string;
  patterns: Array<[prefix: string, suffix: string, wildcard: boolean, targets: string[]]>;
}

export function readPathAliases(tsconfig: string, depth = 0): PathAliases | undefined {
  let config: { extends?: unknown; compilerOptions?: { baseUrl?: string; paths?: Record<string, string[]> } };
  try {
    config = parseJsonc(readFileSync(tsconfig, "utf8")) as typeof config;
  } catch {
    return undefined;
  }
  const dir = dirname(tsconfig);
  const options = config.compilerOptions ?? {};
  if (options.paths && typeof options.paths === "object") {
    const base = resolve(dir, options.baseUrl ?? ".");
    const patterns = Object.entries(options.paths).map(([pattern, targets]): PathAliases["patterns"][number] => {
      const star = pattern.indexOf("*");
      return star === -1
        ? [pattern, "", false, targets]
        : [pattern.slice(0, star), pattern.slice(star + 1), true, targets];
    });
    return { dir: base, patterns };
  }
  const parent = typeof config.extends === "string" ? config.extends : undefined;
  if (parent && depth < 8 && /^\.{0,2}\//.test(parent)) {
    const next = resolve(dir, parent);
    return readPathAliases(next.endsWith(".json") ? next : `${next}.json`, depth + 1);
  }
  return undefined;
}

/** The files a specifier may mean under tsconfig `paths` (most specific pattern first, as TypeScript does). */
export function aliasTargets(aliases: PathAliases, specifier: string): string[] {
  const matches = aliases.patterns
    .filter(([prefix, suffix, wildcard]) =>
      wildcard
        ? specifier.length >= prefix.length + suffix.length && specifier.startsWith(prefix) && specifier.endsWith(suffix)
        : specifier === prefix,
    )
    .sort((a, b) => b[0].length - a[0].length);
  const out: string[] = [];
  for (const [prefix, suffix, wildcard, targets] of matches) {
    const captured = wildcard ? specifier.slice(prefix.length, specifier.length - suffix.length) : "";
    for (const target of targets) out.push(resolve(aliases.dir, target.replace("*", captured)));
  }
  return out;
}

/** JSON with comments and trailing commas, as tsconfig.json allows. */
function parseJsonc(text: string): unknown {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      const end = /"(?:[^"\\]|\\.)*"/y;
      end.lastIndex = i;
      const m = end.exec(text);
      if (!m) throw new SyntaxError("unterminated string");
      out += m[0];
      i += m[0].length - 1;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      i = close === -1 ? text.length : close + 1;
    } else out += c;
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, "$1"));
}
