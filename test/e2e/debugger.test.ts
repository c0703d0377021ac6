/**
 * `--debug-port` / `--wait-for-client`: a debugger attached over the inspector's WebSocket (as VS Code attaches)
 * sets a breakpoint on a line of a graph's TypeScript source, through the source map of the compiled file, before
 * any graph code has run; a run then stops there, in the graph's frame. Also the flag errors.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CdpClient, inlineSourceMap, type CdpEvent } from "../helpers/cdp.js";
import { copyFixture, lgDevUnderTest, runLgDev } from "../helpers/spawn.js";

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Spawn lg-dev (not waiting for its banner: with --wait-for-client it comes only after a debugger attached). */
function spawnLgDev(dir: string, args: string[]): { child: ChildProcess; output(): string; waitFor(re: RegExp, ms?: number): Promise<RegExpExecArray> } {
  const child = spawn(process.execPath, [lgDevUnderTest().bin, "--config", dir, "--port", "0", "--no-browser", "--no-reload", "--no-persist", ...args], {
    cwd: dir,
    env: { ...process.env, BROWSER: "none", LG_DEV_STATIC_SCHEMAS: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  cleanups.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
  });
  const waitFor = async (re: RegExp, ms = 20_000) => {
    const until = Date.now() + ms;
    for (;;) {
      const m = re.exec(out);
      if (m) return m;
      if (child.exitCode !== null) throw new Error(`lg-dev exited (${child.exitCode}):\n${out}`);
      if (Date.now() > until) throw new Error(`timed out waiting for ${re}:\n${out}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return { child, output: () => out, waitFor };
}

describe("--debug-port --wait-for-client", () => {
  it("waits for a debugger, whose breakpoint on a TypeScript line then stops a run there", async () => {
    const fx = copyFixture("debugger");
    cleanups.push(fx.cleanup);
    const source = readFileSync(join(fx.dir, "src", "double.ts"), "utf8").split("\n");
    const tsLine = source.findIndex((l) => l.includes("the test's breakpoint")); // 0-based, as CDP counts
    expect(tsLine).toBeGreaterThan(0);

    const lg = spawnLgDev(fx.dir, ["--debug-port", "0", "--wait-for-client"]);
    const [, wsUrl] = await lg.waitFor(/Waiting for a debugger to attach to (ws:\/\/127\.0\.0\.1:\d+\/\S+) /);
    // Nothing is served, no graph loaded, while it waits.
    await new Promise((r) => setTimeout(r, 300));
    expect(lg.output()).not.toContain("API:");

    const cdp = await CdpClient.connect(wsUrl!);
    cleanups.push(() => cdp.close());
    const scripts = new Map<string, CdpEvent["params"]>();
    // What a debugger does in attach mode: when the graph's compiled script is parsed, read its source map, find
    // the compiled line of the TypeScript line, and set the breakpoint there (by URL, so a reload's copy binds too).
    let generatedLine = -1;
    let breakpoint: Promise<{ locations: unknown[] }> | undefined;
    cdp.on((e) => {
      if (e.method !== "Debugger.scriptParsed") return;
      scripts.set(e.params.scriptId, e.params);
      if (!/\/src\/double\.ts$/.test(e.params.url) || !e.params.sourceMapURL || breakpoint) return;
      const map = inlineSourceMap(e.params.sourceMapURL);
      expect(map.sources[0]).toMatch(/src\/double\.ts$/);
      generatedLine = map.mappings.find((m) => m.originalLine === tsLine)!.generatedLine;
      breakpoint = cdp.send("Debugger.setBreakpointByUrl", { urlRegex: "src/double\\.ts$", lineNumber: generatedLine });
    });
    await cdp.send("Runtime.enable");
    await cdp.send("Debugger.enable");
    await cdp.send("Runtime.runIfWaitingForDebugger");

    const [, api] = await lg.waitFor(/API:\s+(http:\/\/\S+)/);
    expect(lg.output()).toMatch(/Debugger: ws:\/\/127\.0\.0\.1:\d+\//);
    expect(generatedLine).toBeGreaterThanOrEqual(0);
    // The types above the function are erased: the breakpoint could only bind through the source map.
    expect(generatedLine).not.toBe(tsLine);
    expect((await breakpoint!).locations).toHaveLength(1);

    const mark = cdp.events.length;
    const result = fetch(`${api}/runs/wait`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ assistant_id: "double", input: { value: 21 } }) });
    result.catch(() => undefined); // awaited below; a failure before then must not be unhandled
    const paused = await cdp.waitFor((e) => e.method === "Debugger.paused" && e.params.reason !== "instrumentation", 20_000, mark);
    const frame = paused.params.callFrames[0];
    expect(paused.params.hitBreakpoints).toHaveLength(1);
    const script = scripts.get(frame.location.scriptId)!;
    expect(script.url).toMatch(/\/src\/double\.ts$/);
    expect(frame.location.lineNumber).toBe(generatedLine);
    const back = inlineSourceMap(script.sourceMapURL).mappings.filter((m) => m.generatedLine === frame.location.lineNumber);
    expect(back.map((m) => m.originalLine)).toContain(tsLine);
    // In the graph's own frame: its arguments are there to inspect.
    const value = await cdp.send("Debugger.evaluateOnCallFrame", { callFrameId: frame.callFrameId, expression: "state.value" });
    expect(value.result.value).toBe(21);

    await cdp.send("Debugger.removeBreakpoint", { breakpointId: paused.params.hitBreakpoints[0] });
    await cdp.send("Debugger.resume");
    const answer = await (await result).json();
    expect(answer).toEqual({ value: 42 });
  }, 60_000);
});

describe("debugger and TLS flag errors", () => {
  it("--wait-for-client needs --debug-port; the cert flags go together", async () => {
    const wait = await runLgDev(["--wait-for-client"]);
    expect(wait.code).toBe(1);
    expect(wait.stderr).toMatch(/--wait-for-client needs --debug-port/);
    const half = await runLgDev(["--ssl-certfile", "cert.pem"]);
    expect(half.code).toBe(1);
    expect(half.stderr).toMatch(/--ssl-certfile and --ssl-keyfile go together/);
  });

  it("a debug port in use is one clear line and exit code 1", async () => {
    const busy = createServer().listen(0, "127.0.0.1");
    await new Promise((r) => busy.once("listening", r));
    cleanups.push(() => new Promise<void>((r) => busy.close(() => r())));
    const port = (busy.address() as { port: number }).port;
    const fx = copyFixture("debugger");
    cleanups.push(fx.cleanup);
    const run = await runLgDev(["--config", fx.dir, "--port", "0", "--no-browser", "--no-persist", "--debug-port", String(port)], { cwd: fx.dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`lg-dev: Cannot open the debugger on 127.0.0.1:${port} (is the port in use?)`);
  });
});
