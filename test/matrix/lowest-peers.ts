/**
 * Global setup of the "lowest" test project (vitest.config.ts): the end-to-end tests run a second time against lg-dev
 * as a user installs it (its `npm pack` tarball) in a project that pins the LOWEST version of every peer dependency
 * lg-dev declares. lg-dev's own imports of those peers then resolve to the old copies, as in a user's project.
 *
 * The project is made fresh in a temp dir each run; npm's cache keeps it to a few seconds after the first time.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** The lowest version a peer range allows (`^1.2.0` -> `1.2.0`). */
export function floorOf(range: string): string {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(range) ?? /(\d+)(?:\.(\d+))?/.exec(range);
  if (!m) throw new Error(`cannot read a lowest version from the range "${range}"`);
  return `${m[1]}.${m[2] ?? 0}.${m[3] ?? 0}`;
}

/** Peers at their floor, and what the test fixtures import besides (at the versions this repository tests with). */
export function lowestSpecs(): string[] {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
    peerDependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const peers = Object.entries(pkg.peerDependencies).map(([name, range]) => `${name}@${floorOf(range)}`);
  const fixtures = ["zod", "jose"].map((name) => `${name}@${pkg.devDependencies[name]}`);
  return [...peers, ...fixtures];
}

/** Pack this repository (dist/ must be built) and install it with `specs` into a new project; returns its dir. */
export function installPacked(specs: string[], prefix: string, extraArgs: string[] = []): string {
  if (!existsSync(join(REPO_ROOT, "dist", "cli", "lg-dev.js"))) throw new Error("dist/ is missing: run `npm run build` first");
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    execFileSync(npm, ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir], { cwd: REPO_ROOT, stdio: "ignore", timeout: 60_000 });
    const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"))!;
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "lg-dev-matrix", private: true, type: "module" }));
    execFileSync(
      npm,
      ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", ...extraArgs, `./${tarball}`, ...specs],
      { cwd: dir, stdio: ["ignore", "ignore", "pipe"], timeout: 240_000 },
    );
    return dir;
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new Error(`installing lg-dev with ${specs.join(" ")} failed: ${(err as Error).message}\n${stderr}`);
  }
}

export default function setup(project: TestProject): () => void {
  const dir = installPacked(lowestSpecs(), "lg-dev-lowest-");
  project.provide("lgDevProject", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
