import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { linkNodeModules, makeTempDir, REPO_ROOT } from "../helpers/spawn.js";
import { AUTH_TEMPLATES, ensureBuilt, exec, lgNew, readJson, ROOT_PACKAGE, TEMPLATE_IDS } from "./cli.js";

// Every template, scaffolded the way a user would, must type-check and pass its own tests.
// node_modules is a symlink to the repository's instead of `npm install`: offline and fast, same versions.

const temp = makeTempDir("lg-new-templates-");
beforeAll(ensureBuilt, 180_000);
afterAll(() => temp.cleanup());

interface ProjectPackage {
  name: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

describe.each(TEMPLATE_IDS)("template %s", (id) => {
  const name = `my-${id}`;
  const project = join(temp.dir, name);

  test("scaffolds a complete project named after its directory", async () => {
    const result = await lgNew([name, "--template", id], temp.dir);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Next steps:\n {2}cd my-[\w-]+\n {2}npm install\n/);
    expect(result.stdout).toContain("  npx lg-dev\n");

    for (const file of ["package.json", "tsconfig.json", "langgraph.json", "README.md", ".gitignore", "src/agent/graph.ts"]) {
      expect(existsSync(join(project, file)), file).toBe(true);
    }
    // Stored under npm-safe names in the package; renamed on copy. The template's own metadata stays behind.
    for (const file of ["_gitignore", "_env.example", "template.json"]) expect(existsSync(join(project, file)), file).toBe(false);
    expect(readFileSync(join(project, ".gitignore"), "utf8")).toMatch(/^node_modules\/$/m);
    expect(readFileSync(join(project, "README.md"), "utf8")).toMatch(/npm install[\s\S]*npx lg-dev/);
    // Nothing but the project is left in the parent (no staging directory).
    expect(readdirSync(temp.dir).filter((f) => f.startsWith("."))).toEqual([]);

    const pkg = readJson<ProjectPackage>(join(project, "package.json"));
    expect(pkg.name).toBe(name);
    // lg-dev is not on the registry: the project gets the lg-dev that made it, packed into vendor/.
    expect(pkg.devDependencies["lg-dev"]).toBe(`file:vendor/lg-dev-${ROOT_PACKAGE.version}.tgz`);
    expect(existsSync(join(project, "vendor", `lg-dev-${ROOT_PACKAGE.version}.tgz`))).toBe(true);
    expect(result.stdout).toContain(`installs it from vendor/lg-dev-${ROOT_PACKAGE.version}.tgz`);
    expect(pkg.scripts.dev).toBe("lg-dev");
    expect(pkg.scripts.test).toBeTruthy();

    const config = readJson<{ graphs: Record<string, string>; auth?: { path: string }; env?: string }>(
      join(project, "langgraph.json"),
    );
    expect(config.graphs).toEqual({ agent: "./src/agent/graph.ts:graph" });
    if (AUTH_TEMPLATES.has(id)) {
      expect(config.auth).toEqual({ path: "./src/security/auth.ts:auth" });
      expect(existsSync(join(project, "src/security/auth.ts"))).toBe(true);
    } else {
      expect(config.auth).toBeUndefined();
    }
    if (id === "oauth-jwt") {
      expect(config.env).toBe(".env");
      const example = readFileSync(join(project, ".env.example"), "utf8");
      for (const key of ["AUTH_ISSUER", "AUTH_AUDIENCE", "AUTH_JWKS_URL"]) expect(example).toMatch(new RegExp(`^${key}=`, "m"));
    }
  });

  test("pins the same dependency versions as lg-dev itself", () => {
    const pkg = readJson<ProjectPackage>(join(project, "package.json"));
    const ours = { ...ROOT_PACKAGE.dependencies, ...ROOT_PACKAGE.devDependencies };
    for (const [dep, version] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
      if (dep !== "lg-dev" && dep in ours) expect(version, dep).toBe(ours[dep]);
    }
  });

  test("type-checks", async () => {
    linkNodeModules(project);
    const tsc = await exec(join(REPO_ROOT, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", project], { timeoutMs: 90_000 });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.code).toBe(0);
  }, 100_000);

  test("passes its own tests (npm test)", async () => {
    // A key in the developer's shell must not send the react-agent template to a real model.
    const run = await exec("npm", ["test"], { cwd: project, env: { OPENAI_API_KEY: undefined }, timeoutMs: 90_000 });
    expect(run.stdout + run.stderr).toMatch(/# fail 0/);
    expect(run.code).toBe(0);
  }, 100_000);
});

test("every template's files are in the published package (npm pack)", async () => {
  const pack = await exec("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { timeoutMs: 60_000 });
  expect(pack.code).toBe(0);
  const packed = new Set((JSON.parse(pack.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path));
  for (const id of TEMPLATE_IDS) {
    for (const file of ["template.json", "package.json", "tsconfig.json", "langgraph.json", "README.md", "_gitignore", "src/agent/graph.ts"]) {
      expect(packed.has(`templates/${id}/${file}`), `templates/${id}/${file}`).toBe(true);
    }
  }
  expect(packed.has("templates/oauth-jwt/_env.example")).toBe(true);
  expect(packed.has("templates/README.md")).toBe(true);
  expect(packed.has("bin/lg-new.js")).toBe(true);
}, 70_000);
