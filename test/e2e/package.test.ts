import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@langchain/langgraph-sdk";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES, REPO_ROOT, makeTempDir, writeFiles } from "../helpers/spawn.js";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const npx = process.platform === "win32" ? "npx.cmd" : "npx";
const temp = makeTempDir("lg-dev-pkg-");
// Two installed projects (a template's includes TypeScript): removing them takes a while on a busy machine.
afterAll(() => temp.cleanup(), 120_000);
const ours = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string; devDependencies: Record<string, string> };
const TARBALL = `lg-dev-${ours.version}.tgz`;

/** npm, bounded; the npm cache first (the registry only for what it lacks). */
function npmIn(cwd: string, args: string[]): void {
  execFileSync(npm, [...args, "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd, stdio: ["ignore", "ignore", "pipe"], timeout: 180_000 });
}

/**
 * `npx lg-dev --port 0` in `cwd`, as the README says, until `use` is done. npx does not pass SIGTERM on to lg-dev,
 * so it runs in a process group of its own and the whole group is stopped.
 */
async function withNpxLgDev(cwd: string, use: (url: string) => Promise<void>): Promise<void> {
  const child = spawn(npx, ["lg-dev", "--port", "0", "--no-browser", "--no-reload"], {
    cwd,
    env: { ...process.env, BROWSER: "none", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const exited = new Promise((r) => child.once("exit", r));
  try {
    let out = "";
    const url = await new Promise<string>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`not ready: ${out}`)), 60_000);
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
    await use(url);
  } finally {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // gone
      }
    }, 5_000);
    await exited;
    clearTimeout(timer);
  }
}

/** A thread, a streamed run, its state and the store, through the SDK: what a user does first. */
async function exercise(client: Client, graph: string, text: string): Promise<string> {
  const thread = await client.threads.create();
  const events: string[] = [];
  for await (const chunk of client.runs.stream(thread.thread_id, graph, {
    input: { messages: [{ role: "user", content: text }] },
    streamMode: ["values"],
  })) {
    events.push(chunk.event);
  }
  expect(events).toContain("values");
  expect(events).not.toContain("error");
  await client.store.putItem(["notes"], "first", { text });
  expect((await client.store.getItem(["notes"], "first"))?.value).toEqual({ text });
  const state = await client.threads.getState<{ messages: Array<{ content: string }> }>(thread.thread_id);
  return state.values.messages.at(-1)!.content;
}

/** The README's "Use it in your project", step by step, into fresh directories. */
describe("lg-dev from a clone, as the README says", () => {
  it("npm pack, the tarball installed into a project that has its peers, npx lg-dev, the SDK", { timeout: 300_000 }, async () => {
    const proj = join(temp.dir, "your-project");
    writeFiles(proj, { "package.json": JSON.stringify({ name: "your-project", private: true, type: "module" }) });
    // The project's own LangGraph (lg-dev's peers), as a project has before it adds lg-dev.
    npmIn(proj, ["install", ...["@langchain/langgraph", "@langchain/core", "@langchain/langgraph-sdk", "zod"].map((p) => `${p}@${ours.devDependencies[p]}`)]);
    // In the clone: `npm pack` (into a temp dir rather than the clone; its `prepare` builds dist/, which
    // `npm test` has just done, so scripts are skipped). Then copied into the project's vendor/ and installed.
    const packed = join(temp.dir, "packed");
    mkdirSync(packed);
    execFileSync(npm, ["pack", "--ignore-scripts", "--silent", "--pack-destination", packed], { cwd: REPO_ROOT, stdio: "ignore", timeout: 60_000 });
    mkdirSync(join(proj, "vendor"));
    copyFileSync(join(packed, TARBALL), join(proj, "vendor", TARBALL));
    npmIn(proj, ["install", "--save-dev", `./vendor/${TARBALL}`]);
    const pkg = JSON.parse(readFileSync(join(proj, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
    expect(pkg.devDependencies["lg-dev"]).toBe(`file:vendor/${TARBALL}`);
    // One copy of langgraph: the project's (lg-dev declares it as a peer).
    expect(existsSync(join(proj, "node_modules", "lg-dev", "node_modules", "@langchain", "langgraph"))).toBe(false);

    // The package's entry (main/types/exports) and the editor schema are in the tarball, and the entry works.
    const installed = join(proj, "node_modules", "lg-dev");
    for (const file of ["dist/index.js", "dist/index.d.ts", "schema/langgraph.schema.json"]) expect(existsSync(join(installed, file)), file).toBe(true);
    const entry = execFileSync(process.execPath, ["--input-type=module", "-e", 'const m = await import("lg-dev"); const s = await import("lg-dev/langgraph.schema.json", { with: { type: "json" } }); console.log(JSON.stringify([m.langgraphJsonSchemaPath, s.default.title]))'], { cwd: proj, encoding: "utf8" });
    const [schemaPath, title] = JSON.parse(entry) as [string, string];
    expect(schemaPath).toBe(join(installed, "schema", "langgraph.schema.json"));
    expect(title).toBe("langgraph.json (lg-dev)");

    writeFiles(proj, {
      // As the README says, for editors; lg-dev accepts it without a warning.
      "langgraph.json": JSON.stringify({ $schema: "./node_modules/lg-dev/schema/langgraph.schema.json", graphs: { echo: "./src/echo.ts:graph" } }),
      "src/echo.ts": readFileSync(join(FIXTURES, "echo", "src", "echo.ts"), "utf8"),
      "src/helper.ts": readFileSync(join(FIXTURES, "echo", "src", "helper.ts"), "utf8"),
    });
    await withNpxLgDev(proj, async (url) => {
      const client = new Client({ apiUrl: url, callerOptions: { maxRetries: 0 } });
      expect(await exercise(client, "echo", "from a tarball")).toBe("from a tarball");
      const info = (await (await fetch(`${url}/info`)).json()) as { langgraph_js_version: string };
      expect(info.langgraph_js_version).toBe(ours.devDependencies["@langchain/langgraph"]);
      // The Studio ships built inside the package: its page and assets are served from the install.
      const page = await fetch(`${url}/studio/`);
      expect(page.status).toBe(200);
      const script = /src="(\/studio\/assets\/[^"]+\.js)"/.exec(await page.text())![1]!;
      const asset = await fetch(`${url}${script}`, { headers: { "accept-encoding": "br" } });
      expect(asset.status).toBe(200);
      expect(asset.headers.get("content-encoding")).toBe("br");
    });
  });

  it("npx lg-new in the clone writes a project whose npm install and npx lg-dev work", { timeout: 300_000 }, async () => {
    const app = join(temp.dir, "my-app");
    execFileSync(npx, ["lg-new", app, "--template", "custom-auth"], { cwd: REPO_ROOT, stdio: "ignore", timeout: 60_000 });
    const pkg = JSON.parse(readFileSync(join(app, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
    expect(pkg.devDependencies["lg-dev"]).toBe(`file:vendor/${TARBALL}`);
    expect(readdirSync(join(app, "vendor"))).toEqual([TARBALL]);
    npmIn(app, ["install"]);
    await withNpxLgDev(app, async (url) => {
      await expect(new Client({ apiUrl: url, callerOptions: { maxRetries: 0 } }).threads.create()).rejects.toThrow(/401/);
      const client = new Client({ apiUrl: url, defaultHeaders: { Authorization: "Bearer user1-token" }, callerOptions: { maxRetries: 0 } });
      expect(await exercise(client, "agent", "hi")).toMatch(/You said: "hi"/);
    });
  });
});
