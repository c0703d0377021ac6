import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { makeTempDir } from "../helpers/spawn.js";
import { ensureBuilt, lgNew, readJson, ROOT_PACKAGE, TEMPLATE_IDS } from "./cli.js";

// The command line as users and CI see it: bin/lg-new.js in a child process, stdin not a terminal.

beforeAll(ensureBuilt, 180_000);
let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
});
function tempDir(): string {
  const tmp = makeTempDir("lg-new-cli-");
  cleanups.push(tmp.cleanup);
  return tmp.dir;
}

describe("information", () => {
  test("--list prints every template id with a one-line description", async () => {
    const result = await lgNew(["--list"], tempDir());
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines.map((line) => line.split(/\s+/)[0])).toEqual(TEMPLATE_IDS);
    for (const line of lines) expect(line).toMatch(/^\S+\s{2,}\S.{10,}/);
    expect(result.stdout).toContain("new-langgraph-project-js");
    expect(result.stdout).toContain("react-agent-js");
  });

  test("--help explains the arguments", async () => {
    const result = await lgNew(["--help"], tempDir());
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Usage: lg-new \[options\] \[dir\]/);
    for (const flag of ["--template <id>", "--list", "--version", "--help"]) expect(result.stdout).toContain(flag);
  });

  test("--version prints the package version", async () => {
    const result = await lgNew(["--version"], tempDir());
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(ROOT_PACKAGE.version);
  });
});

describe("refusals: exit 1, a clear message, nothing written", () => {
  test("a non-empty target directory", async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, "app"));
    writeFileSync(join(cwd, "app", "keep.txt"), "mine");
    const result = await lgNew(["app", "--template", "new-langgraph-project"], cwd);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: app is not empty \(it contains keep\.txt\)/);
    expect(result.stderr).toContain("never overwrites");
    expect(readdirSync(join(cwd, "app"))).toEqual(["keep.txt"]);
    expect(readFileSync(join(cwd, "app", "keep.txt"), "utf8")).toBe("mine");
    expect(readdirSync(cwd)).toEqual(["app"]);
  });

  test("a target that is a file", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "app"), "a file");
    const result = await lgNew(["app", "-t", "react-agent"], cwd);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("app exists and is not a directory");
    expect(readFileSync(join(cwd, "app"), "utf8")).toBe("a file");
  });

  test("an unknown template, listing the ids", async () => {
    const cwd = tempDir();
    const result = await lgNew(["app", "--template", "retrieval-agent"], cwd);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('unknown template "retrieval-agent"');
    for (const id of TEMPLATE_IDS) expect(result.stderr).toContain(id);
    expect(readdirSync(cwd)).toEqual([]);
  });

  test("no terminal and no --template: the error names the flag", async () => {
    const cwd = tempDir();
    const result = await lgNew(["app"], cwd);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: missing --template <id>/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  test("no terminal and no directory: the error names the argument", async () => {
    const cwd = tempDir();
    const result = await lgNew(["--template", "custom-auth"], cwd);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: missing the project directory <dir>/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  test("an unknown option", async () => {
    const result = await lgNew(["app", "--tempalte", "x"], tempDir());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("unknown option");
  });
});

describe("where the project goes", () => {
  test("an official alias picks the matching template", async () => {
    const cwd = tempDir();
    const result = await lgNew(["agent", "--template", "react-agent-js"], cwd, { vendor: false });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('from the "react-agent" template');
    expect(statSync(join(cwd, "agent", "src", "agent", "tools.ts")).isFile()).toBe(true);
  });

  test("the current directory, when empty: no cd step, name from the directory, usual permissions", async () => {
    const cwd = join(tempDir(), "Chat Bot");
    mkdirSync(cwd);
    const result = await lgNew([".", "-t", "new-langgraph-project"], cwd);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("cd ");
    expect(result.stdout).toMatch(/Next steps:\n {2}npm install\n {2}npx lg-dev\n/);
    expect(readJson<{ name: string }>(join(cwd, "package.json")).name).toBe("chat-bot");
    // lg-dev packed into the project (vendor/ moved in like every other staged folder).
    expect(readdirSync(join(cwd, "vendor"))).toEqual([`lg-dev-${ROOT_PACKAGE.version}.tgz`]);
    expect(readdirSync(cwd).filter((f) => f.includes("lg-new"))).toEqual([]);
    // Staging must not leave a private (0700) directory behind.
    expect(statSync(join(cwd, "src")).mode & 0o055).not.toBe(0);
  });

  test("nested directories are created; setup steps and hints are printed", async () => {
    const cwd = tempDir();
    const result = await lgNew(["a/b/oauth", "-t", "oauth-jwt"], cwd, { vendor: false });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/cd a\/b\/oauth\n {2}npm install\n {2}cp \.env\.example \.env\n {2}npm run issuer/);
    expect(statSync(join(cwd, "a", "b", "oauth", ".env.example")).isFile()).toBe(true);
    expect(statSync(join(cwd, "a", "b", "oauth")).mode & 0o055).not.toBe(0);
  });

  test("--lg-dev overrides the devDependency spec", async () => {
    const cwd = tempDir();
    const result = await lgNew(["app", "-t", "custom-auth", "--lg-dev", "file:../lg-dev"], cwd);
    expect(result.code).toBe(0);
    expect(readJson<{ devDependencies: Record<string, string> }>(join(cwd, "app", "package.json")).devDependencies["lg-dev"]).toBe(
      "file:../lg-dev",
    );
  });
});
