import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** lg-dev's package root (src/ and dist/ both sit one level below it). */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** lg-dev's own package.json. */
export function packageInfo(): { name: string; version: string; peerDependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as {
    name: string;
    version: string;
    peerDependencies?: Record<string, string>;
  };
}

/** Where a package is installed as seen from `fromDir` (Node's node_modules walk), with its version. */
export function installedPackage(pkg: string, fromDir: string): { dir: string; version: string } | undefined {
  // Node's own lookup for a bare specifier, without `require.resolve`: that needs a "require" export condition and
  // throws for packages whose exports do not list ".". Only the package.json is read.
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", pkg);
    try {
      const json = JSON.parse(readFileSync(join(candidate, "package.json"), "utf8")) as { name?: string; version?: string };
      if (json.name === pkg && typeof json.version === "string") return { dir: candidate, version: json.version };
    } catch {
      // not here: keep walking up
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The version of a package as the project at `fromDir` resolves it (e.g. the user's @langchain/langgraph). */
export function resolvedVersion(pkg: string, fromDir: string): string | undefined {
  return installedPackage(pkg, fromDir)?.version;
}

type Version = [number, number, number, boolean];

function parseVersion(text: string): Version | undefined {
  const m = /^\s*[v=]?(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(-[\w.-]+)?/.exec(text);
  if (!m) return undefined;
  const n = (s: string | undefined) => (s === undefined || /[xX*]/.test(s) ? 0 : Number(s));
  return [Number(m[1]), n(m[2]), n(m[3]), m[4] !== undefined];
}

/** Version order; a prerelease sorts before its release (1.2.0-rc.1 < 1.2.0). */
function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a[3] === b[3] ? 0 : a[3] ? -1 : 1;
}

/** One `||` alternative of a range as [lowest allowed, first not allowed]. Handles `^`, `~`, `>=`, `<`, x-ranges, exact. */
function bounds(alternative: string): [Version, Version | undefined] | undefined {
  let low: Version = [0, 0, 0, false];
  let high: Version | undefined;
  for (const part of alternative.trim().split(/\s+/).filter(Boolean)) {
    const op = /^(\^|~|>=|<=|>|<|=)?(.*)$/.exec(part)!;
    const v = parseVersion(op[2]!);
    if (!v) return undefined;
    const [major, minor, patch] = v;
    const base: Version = [major, minor, patch, false];
    if (op[1] === "^") {
      low = base;
      high = major > 0 ? [major + 1, 0, 0, true] : minor > 0 ? [0, minor + 1, 0, true] : [0, 0, patch + 1, true];
    } else if (op[1] === "~") {
      low = base;
      high = [major, minor + 1, 0, true];
    } else if (op[1] === ">=" || op[1] === ">") low = base;
    else if (op[1] === "<" || op[1] === "<=") high = base;
    else {
      low = base;
      high = [major, minor, patch + 1, true];
    }
  }
  return [low, high];
}

/** Where `version` stands against `range`: inside it, below every version it allows, or above it. */
export function placeVersion(version: string, range: string): "inside" | "below" | "above" | "unknown" {
  const v = parseVersion(version);
  const alternatives = range.split("||").map(bounds);
  if (!v || alternatives.some((b) => b === undefined)) return "unknown";
  const parsed = alternatives as Array<[Version, Version | undefined]>;
  if (parsed.some(([low, high]) => compare(v, low) >= 0 && (high === undefined || compare(v, high) < 0))) return "inside";
  return parsed.every(([low]) => compare(v, low) < 0) ? "below" : "above";
}

/**
 * The peers lg-dev itself imports (the project needs them); @langchain/langgraph-sdk is only checked when present:
 * lg-dev never imports it, the project's auth module does.
 */
const REQUIRED_PEERS = new Set(["@langchain/langgraph", "@langchain/langgraph-checkpoint", "@langchain/core"]);

/** What {@link checkPeers} found: at most one error line (start-up must stop) and warning lines. */
export interface PeerCheck {
  error?: string;
  warnings: string[];
}

/**
 * Check, before anything imports them, the copies of lg-dev's peer dependencies that will be used: the project's
 * (its graphs import those) and lg-dev's own (when it is not installed inside the project, e.g. run from a clone).
 * A copy older than the declared range would fail deep inside an import with a bare `SyntaxError`; this says which.
 */
export function checkPeers(projectDir: string, ownDir: string = PACKAGE_ROOT): PeerCheck {
  const peers = packageInfo().peerDependencies ?? {};
  const problems: string[] = [];
  const fixes: string[] = [];
  const warnings: string[] = [];
  for (const [pkg, range] of Object.entries(peers)) {
    const versions = new Set<string>();
    for (const from of [projectDir, ownDir]) {
      const found = installedPackage(pkg, from);
      if (found) versions.add(found.version);
    }
    const old = [...versions].filter((version) => placeVersion(version, range) === "below");
    if (versions.size === 0 && REQUIRED_PEERS.has(pkg)) problems.push(`${pkg} is not installed, lg-dev needs ${range}`);
    else if (old.length > 0) problems.push(`${pkg} ${old.join(" and ")} is too old, lg-dev needs ${range}`);
    else {
      for (const version of versions) {
        if (placeVersion(version, range) === "above") warnings.push(`${pkg} ${version} is newer than lg-dev declares (${range}): it may not work`);
      }
      continue;
    }
    fixes.push(`"${pkg}@${range}"`);
  }
  if (problems.length === 0) return { warnings };
  return { error: `${problems.join("; ")}. Run: npm install ${fixes.join(" ")}`, warnings };
}
