import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@langchain/langgraph-sdk";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES, REPO_ROOT, makeTempDir, writeFiles } from "../helpers/spawn.js";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const temp = makeTempDir("lg-dev-pkg-");
afterAll(() => temp.cleanup());

/**
 * The package as users get it: `npm pack`, installed into a fresh project with its own @langchain/langgraph,
 * started with `npx lg-dev`. Uses the npm cache first (the registry only for what the cache lacks).
 */
describe("installed from a packed tarball", () => {
  it("runs the user's graph with the user's @langchain/langgraph", { timeout: 240_000 }, async () => {
    const packDir = join(temp.dir, "pack");
    const proj = join(temp.dir, "user-project");
    writeFiles(temp.dir, { "pack/.keep": "", "user-project/package.json": JSON.stringify({ name: "user-project", private: true, type: "module" }) });
    execFileSync(npm, ["pack", "--ignore-scripts", "--pack-destination", packDir], { cwd: REPO_ROOT, stdio: "ignore" });
    const tarball = readdirSync(packDir).find((f) => f.endsWith(".tgz"))!;
    const ours = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
    const peers = ["@langchain/langgraph", "@langchain/core", "@langchain/langgraph-sdk", "zod"].map((p) => `${p}@${ours.devDependencies[p]}`);
    execFileSync(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund", join(packDir, tarball), ...peers], { cwd: proj, stdio: "ignore" });
    writeFiles(proj, {
      "langgraph.json": JSON.stringify({ graphs: { echo: "./src/echo.ts:graph" } }),
      "src/echo.ts": readFileSync(join(FIXTURES, "echo", "src", "echo.ts"), "utf8"),
      "src/helper.ts": readFileSync(join(FIXTURES, "echo", "src", "helper.ts"), "utf8"),
    });
    // One copy of langgraph: the project's (lg-dev declares it as a peer).
    expect(existsSync(join(proj, "node_modules", "lg-dev", "node_modules", "@langchain", "langgraph"))).toBe(false);

    const child = spawn(join(proj, "node_modules", ".bin", "lg-dev"), ["--port", "0", "--no-browser", "--no-reload"], {
      cwd: proj,
      env: { ...process.env, BROWSER: "none" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let out = "";
      const url = await new Promise<string>((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`not ready: ${out}`)), 30_000);
        const on = (d: Buffer) => {
          out += d;
          const m = /API:\s+(http:\/\/\S+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            res(m[1]!);
          }
        };
        child.stdout.on("data", on);
        child.stderr.on("data", on);
        child.on("exit", (c) => rej(new Error(`exited ${c}: ${out}`)));
      });
      const client = new Client({ apiUrl: url });
      const thread = await client.threads.create();
      const result = (await client.runs.wait(thread.thread_id, "echo", { input: { messages: [{ role: "user", content: "from a tarball" }] } })) as {
        messages: Array<{ content: string }>;
      };
      expect(result.messages.at(-1)!.content).toBe("from a tarball");
      const info = (await (await fetch(`${url}/info`)).json()) as { langgraph_js_version: string };
      expect(info.langgraph_js_version).toBe(ours.devDependencies["@langchain/langgraph"]);
      // The Studio ships built inside the package: its page and assets are served from the install.
      const page = await fetch(`${url}/studio/`);
      expect(page.status).toBe(200);
      const script = /src="(\/studio\/assets\/[^"]+\.js)"/.exec(await page.text())![1]!;
      const asset = await fetch(`${url}${script}`, { headers: { "accept-encoding": "br" } });
      expect(asset.status).toBe(200);
      expect(asset.headers.get("content-encoding")).toBe("br");
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
  });
});
