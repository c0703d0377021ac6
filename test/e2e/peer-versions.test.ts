import { spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { installPacked } from "../matrix/lowest-peers.js";

/**
 * A project whose LangGraph packages are older than lg-dev's peer ranges (LangChain's published templates still pin
 * @langchain/langgraph 0.2 and @langchain/core 0.3) must get one line naming them, not Node's SyntaxError from deep
 * inside an import. npm refuses such an install; yarn and pnpm only warn, so it is made with --legacy-peer-deps.
 * (The lowest versions lg-dev declares are exercised by the "lowest" test project: see vitest.config.ts.)
 */
describe("peer versions older than lg-dev declares", () => {
  let dir: string | undefined;
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it("stop start-up with one line naming the package, the version found and the version needed", { timeout: 240_000 }, async () => {
    dir = installPacked(["@langchain/langgraph@0.2.74", "@langchain/core@0.3.80"], "lg-dev-old-peers-", ["--legacy-peer-deps"]);
    writeFileSync(join(dir, "langgraph.json"), JSON.stringify({ graphs: { agent: "./graph.ts:graph" } }));
    writeFileSync(join(dir, "graph.ts"), 'export { graph } from "./nothing.js";\n');
    const { code, stdout, stderr } = await run(join(dir, "node_modules", ".bin", "lg-dev"), ["--port", "0", "--no-browser"], dir);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    const lines = stderr.trim().split("\n");
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^lg-dev: /);
    expect(lines[0]).toContain("@langchain/langgraph 0.2.74 is too old, lg-dev needs ^1.0.0");
    expect(lines[0]).toContain("@langchain/core 0.3.80 is too old, lg-dev needs ^1.1.0");
    expect(lines[0]).toMatch(/Run: npm install .*"@langchain\/langgraph@\^1\.0\.0"/);
    expect(stderr).not.toMatch(/SyntaxError|does not provide an export/);
  });
});

function run(bin: string, args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, env: { ...process.env, BROWSER: "none", NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
