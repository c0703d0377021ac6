import { spawn } from "node:child_process";
import { chmodSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { copyFixture, makeTempDir, runLgDev, startServer, writeFiles, FIXTURES, LG_DEV_BIN } from "../helpers/spawn.js";
import { join } from "node:path";
import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
const temps: Array<{ cleanup(): void }> = [];
afterAll(() => temps.forEach((t) => t.cleanup()));

/** A project in a temp dir whose files the test writes. */
function project(files: Record<string, string>) {
  const tmp = makeTempDir("lg-dev-cli-");
  temps.push(tmp);
  writeFiles(tmp.dir, files);
  return tmp.dir;
}

describe("lg-dev command line", () => {
  it("--version and --help", async () => {
    const v = await runLgDev(["--version"]);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(pkg.version);
    const h = await runLgDev(["--help"]);
    expect(h.code).toBe(0);
    for (const flag of ["--config", "--port", "--host", "--no-browser", "--no-reload", "--no-studio", "--n-jobs-per-worker", "--studio-url", "--log-level"]) {
      expect(h.stdout).toContain(flag);
    }
  });

  it("prints a banner with API, Studio and docs URLs and exits 0 on SIGTERM and SIGINT", async () => {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const fx = copyFixture("echo");
      temps.push(fx);
      const server = await startServer(fx.dir, { args: ["--no-reload", "--studio-url", "https://studio.example/"] });
      const out = server.output();
      expect(out).toMatch(/API:\s+http:\/\/127\.0\.0\.1:\d+/);
      // The local Studio first, then the hosted one.
      expect(out).toContain(`  - Studio: ${server.url}/studio/\n  - Hosted Studio: https://studio.example/studio/?baseUrl=${encodeURIComponent(server.url)}\n`);
      expect(out).toContain(`Docs:   ${server.url}/docs`);
      const exited = new Promise<number | null>((res) => server.process.on("exit", (code) => res(code)));
      server.process.kill(signal);
      expect(await exited).toBe(0);
    }
  });

  it("opens the Studio URL in the browser unless --no-browser", async () => {
    const fx = copyFixture("echo");
    temps.push(fx);
    // `open` hands the URL to $BROWSER on a machine without a desktop: a script that records what it got.
    const marker = join(fx.dir, "opened.txt");
    const browser = join(fx.dir, "fake-browser.sh");
    writeFiles(fx.dir, { "fake-browser.sh": `#!/bin/sh\necho "$@" > '${marker}'\n` });
    chmodSync(browser, 0o755);
    const child = spawn(process.execPath, [LG_DEV_BIN, "--port", "0", "--no-reload", "--no-persist"], {
      cwd: fx.dir,
      env: { ...process.env, BROWSER: browser },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    try {
      for (let i = 0; i < 200 && !existsSync(marker); i += 1) await new Promise((r) => setTimeout(r, 50));
      const url = /API:\s+(http:\/\/\S+)/.exec(out)![1]!;
      expect(readFileSync(marker, "utf8").trim()).toBe(`${url}/studio/`);
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
    // With --no-browser nothing is opened (the server is up and answering before we look).
    const quiet = join(fx.dir, "quiet.txt");
    writeFiles(fx.dir, { "quiet-browser.sh": `#!/bin/sh\necho "$@" > '${quiet}'\n` });
    chmodSync(join(fx.dir, "quiet-browser.sh"), 0o755);
    const server = await startServer(fx.dir, { args: ["--no-reload", "--no-persist"], env: { BROWSER: join(fx.dir, "quiet-browser.sh") } });
    await fetch(`${server.url}/ok`);
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(quiet)).toBe(false);
    expect(await server.stop()).toBe(0);
  });

  it("--no-studio and http.disable_studio turn the local Studio off: the banner then links the hosted one", async () => {
    const fx = copyFixture("echo");
    temps.push(fx);
    const flagged = await startServer(fx.dir, { args: ["--no-reload", "--no-persist", "--no-studio"] });
    try {
      expect(flagged.output()).toContain(`  - Studio: https://smith.langchain.com/studio/?baseUrl=${encodeURIComponent(flagged.url)}\n`);
      expect(flagged.output()).not.toContain("Hosted Studio");
      expect((await fetch(`${flagged.url}/studio/`)).status).toBe(404);
    } finally {
      expect(await flagged.stop()).toBe(0);
    }
    const config = JSON.parse(readFileSync(join(fx.dir, "langgraph.json"), "utf8")) as Record<string, unknown>;
    writeFiles(fx.dir, { "langgraph.json": JSON.stringify({ ...config, http: { disable_studio: true } }) });
    const keyed = await startServer(fx.dir, { args: ["--no-reload", "--no-persist"] });
    try {
      expect(keyed.output()).not.toContain("Hosted Studio");
      expect((await fetch(`${keyed.url}/studio/`)).status).toBe(404);
    } finally {
      expect(await keyed.stop()).toBe(0);
    }
    writeFiles(fx.dir, { "langgraph.json": JSON.stringify(config) });
    const on = await startServer(fx.dir, { args: ["--no-reload", "--no-persist"] });
    try {
      const page = await fetch(`${on.url}/studio/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("<title>lg-dev Studio</title>");
    } finally {
      expect(await on.stop()).toBe(0);
    }
  });

  it("a port already in use is a one-line error and exit 1", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await runLgDev(["--config", join(FIXTURES, "echo"), "--port", String(port), "--no-browser", "--no-reload", "--no-persist"]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain(`Port ${port}`);
      expect(r.stderr).toContain("already in use");
    } finally {
      blocker.close();
    }
  });

  it("a bad langgraph.json stops start-up with file, key and line", async () => {
    const dir = project({ "langgraph.json": '{\n  "graphs": {\n    "agent": 3\n  }\n}\n' });
    const r = await runLgDev(["--config", dir, "--port", "0", "--no-browser", "--no-reload"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("langgraph.json");
    expect(r.stderr).toContain("graphs.agent");
    const syntax = project({ "langgraph.json": '{\n  "graphs": {,\n}\n' });
    const s = await runLgDev(["--config", syntax, "--port", "0", "--no-browser", "--no-reload"]);
    expect(s.code).toBe(1);
    expect(s.stderr).toMatch(/langgraph\.json:2:\d+/);
    const missing = await runLgDev(["--config", join(dir, "nope.json"), "--port", "0", "--no-browser"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("nope.json");
  });

  it("a missing graph file or export names the graph, the file and what was found", async () => {
    const fx = copyFixture("echo");
    temps.push(fx);
    writeFiles(fx.dir, { "langgraph.json": JSON.stringify({ graphs: { agent: "./src/echo.ts:nope" } }) });
    const r = await runLgDev(["--config", fx.dir, "--port", "0", "--no-browser", "--no-reload"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("agent");
    expect(r.stderr).toContain("echo.ts");
    expect(r.stderr).toContain("nope");
    expect(r.stderr).toContain("graph"); // the export that is there
    writeFiles(fx.dir, { "langgraph.json": JSON.stringify({ graphs: { agent: "./src/missing.ts:graph" } }) });
    const m = await runLgDev(["--config", fx.dir, "--port", "0", "--no-browser", "--no-reload"]);
    expect(m.code).toBe(1);
    expect(m.stderr).toContain("missing.ts");
  });

  it("--config accepts the file itself and env from langgraph.json reaches graphs (environment wins)", async () => {
    const fx = copyFixture("echo");
    temps.push(fx);
    const server = await startServer(join(fx.dir, "langgraph.json"), { args: ["--no-reload"], cwd: fx.dir, env: { ECHO_PREFIX: "env-wins: " } });
    try {
      const res = await fetch(`${server.url}/runs/wait`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ assistant_id: "echo", input: { messages: [{ role: "user", content: "x" }] } }),
      });
      const body = (await res.json()) as { messages: Array<{ content: string }> };
      expect(body.messages.at(-1)!.content).toBe("env-wins: x");
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
