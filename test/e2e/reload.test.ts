import { Client } from "@langchain/langgraph-sdk";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFixture, makeTempDir, startServer, type RunningServer } from "../helpers/spawn.js";

/**
 * Hot reload end to end: bin/lg-dev on a copy of test/fixtures/reload, files edited on disk while it serves.
 * Waits are polls with a bound (for a log line or an answer), never fixed sleeps, except where nothing may happen.
 */

const BOUND_MS = 10_000;

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, boundMs = BOUND_MS): Promise<T> {
  const deadline = Date.now() + boundMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Lines of the server output matching `re`. */
const lines = (server: RunningServer, re: RegExp) => server.output().split("\n").filter((l) => re.test(l));
const RELOAD_LINE = /\b(reloaded|reload failed)\b/;

/** Start lg-dev with reload on and wait until its watcher has finished the initial scan. */
async function startWatching(dir: string): Promise<RunningServer> {
  const server = await startServer(dir, { args: ["--log-level", "debug"] });
  await until("the watcher to be ready", () => / for changes/.test(server.output()));
  return server;
}

function rewrite(file: string, from: string | RegExp, to: string): void {
  const before = readFileSync(file, "utf8");
  const after = before.replace(from, to);
  if (after === before) throw new Error(`rewrite of ${file}: ${String(from)} not found`);
  writeFileSync(file, after);
}

describe("hot reload (lg-dev with watching on)", () => {
  let server: RunningServer;
  let client: Client;
  let fixture: { dir: string; cleanup(): void };
  let signals: { dir: string; cleanup(): void };
  const file = (rel: string) => join(fixture.dir, rel);
  const ask = async (text = "x", graph = "echo") => ((await client.runs.wait(null, graph, { input: { text } })) as { answer: string }).answer;
  /** Poll until the echo graph's answer satisfies `ok` (the reload has been swapped in). */
  const answerBecomes = (ok: (answer: string) => boolean, what: string) =>
    until(what, async () => {
      const answer = await ask();
      return ok(answer) ? answer : undefined;
    });

  beforeAll(async () => {
    fixture = copyFixture("reload");
    signals = makeTempDir("lg-dev-reload-signals-");
    server = await startWatching(fixture.dir);
    client = new Client({ apiUrl: server.url });
  });

  afterAll(async () => {
    const code = await server?.stop();
    fixture?.cleanup();
    signals?.cleanup();
    expect(code).toBe(0);
  });

  it("serves the fixture as written", async () => {
    expect(await ask("a")).toBe("hello v1 [a]");
    // Files untouched since start-up: the check for edits made before the watcher was ready reloads nothing.
    await new Promise((r) => setTimeout(r, 300));
    expect(lines(server, RELOAD_LINE)).toEqual([]);
  });

  it("an edit of the graph file changes the answers, and the reload logs one line with the file and the time", async () => {
    const before = lines(server, RELOAD_LINE).length;
    rewrite(file("src/graph.ts"), 'VERSION = "v1"', 'VERSION = "v2"');
    await answerBecomes((a) => a === "hello v2 [x]", "the edited graph to answer");
    const line = await until("the reload line", () => lines(server, RELOAD_LINE).slice(before).find((l) => l.includes("src/graph.ts")));
    expect(line).toMatch(/info {2}reloaded graphs echo, slow \(src\/graph\.ts\) in \d+ ms$/);
  });

  it("an edit of a helper the graph imports (not the graph file) changes the answers", async () => {
    writeFileSync(file("src/helper.ts"), "export function decorate(text: string): string {\n  return `<${text}>`;\n}\n");
    await answerBecomes((a) => a === "hello v2 <x>", "the edited helper to take effect");
  });

  it("a syntax error keeps the last good version serving and names file:line; the next good save recovers", async () => {
    const before = lines(server, RELOAD_LINE).length;
    writeFileSync(file("src/helper.ts"), "export function decorate(text: string): string {\n  return text +;\n}\n");
    const failed = await until("the failed reload", () => lines(server, RELOAD_LINE).slice(before).find((l) => l.includes("reload failed")));
    expect(failed).toContain("(src/helper.ts)");
    expect(failed).toContain("still serving the previous version");
    expect(server.output()).toMatch(/src\/helper\.ts:2:\d+/);
    expect(await ask()).toBe("hello v2 <x>");

    // A module that throws while evaluating, and a missing export: same story.
    writeFileSync(file("src/helper.ts"), 'throw new Error("helper exploded");\nexport const decorate = (t: string) => t;\n');
    await until("the throwing module to be reported", () => /helper exploded.*src\/helper\.ts:1/.test(server.output()));
    expect(await ask()).toBe("hello v2 <x>");
    writeFileSync(file("src/helper.ts"), "export const somethingElse = 1;\n");
    await until("the missing export to be reported", () => /does not provide an export named 'decorate'.*src\/graph\.ts:2/.test(server.output()));
    expect(await ask()).toBe("hello v2 <x>");

    writeFileSync(file("src/helper.ts"), "export function decorate(text: string): string {\n  return `{${text}}`;\n}\n");
    await answerBecomes((a) => a === "hello v2 {x}", "the fixed helper to load");
  });

  it("a sequential request loop running through several saves (one of them broken) sees no failure", async () => {
    const answers: string[] = [];
    const failures: string[] = [];
    let sent = 0;
    const request = async () => {
      const i = sent++;
      try {
        const res = await fetch(`${server.url}/runs/wait`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ assistant_id: "echo", input: { text: String(i) } }),
        });
        const body = (await res.json()) as { answer?: string };
        if (res.status !== 200 || typeof body.answer !== "string") failures.push(`#${i}: ${res.status} ${JSON.stringify(body)}`);
        else answers.push(body.answer);
      } catch (err) {
        failures.push(`#${i}: ${String(err)}`);
      }
      // Also a read that goes through the registry (assistant by graph id).
      if (i % 10 === 0) {
        const res = await fetch(`${server.url}/assistants/echo`);
        if (res.status !== 200) failures.push(`GET /assistants/echo #${i}: ${res.status}`);
      }
    };
    const source = () => readFileSync(file("src/graph.ts"), "utf8").replace(/\nexport const = ;\n$/, "");

    // Each save lands while requests keep flowing; requests go on (bounded) until the save took effect, then 40 more.
    for (const save of ["v3", "v4", "BROKEN", "v5", "v6"]) {
      const failuresLogged = lines(server, /reload failed/).length;
      if (save === "BROKEN") writeFileSync(file("src/graph.ts"), source() + "\nexport const = ;\n");
      else writeFileSync(file("src/graph.ts"), source().replace(/VERSION = "v\d+"/, `VERSION = "${save}"`));
      const deadline = Date.now() + BOUND_MS;
      const applied = () => (save === "BROKEN" ? lines(server, /reload failed/).length > failuresLogged : answers.at(-1)?.includes(` ${save} `));
      while (!applied() && Date.now() < deadline) await request();
      expect(applied(), `save ${save} took effect`).toBe(true);
      for (let k = 0; k < 40; k++) await request();
    }
    while (sent < 300) await request();

    expect(failures).toEqual([]);
    expect(answers).toHaveLength(sent);
    // Versions only move forward, through every good save.
    const versions = answers.map((a) => Number(/ v(\d+) /.exec(a)![1]));
    for (let i = 1; i < versions.length; i++) expect(versions[i]).toBeGreaterThanOrEqual(versions[i - 1]!);
    for (const v of [3, 4, 5, 6]) expect(versions).toContain(v);
    expect(versions.at(-1)).toBe(6);
  });

  it("threads created before a reload keep their state, and continue on the new code", async () => {
    const thread = await client.threads.create({ metadata: { kept: "yes" } });
    await client.runs.wait(thread.thread_id, "echo", { input: { text: "before" } });
    const stateBefore = await client.threads.getState(thread.thread_id);
    const historyBefore = await client.threads.getHistory(thread.thread_id);

    rewrite(file("src/graph.ts"), /VERSION = "v\d+"/, 'VERSION = "v7"');
    await answerBecomes((a) => a.includes(" v7 "), "v7");

    const kept = await client.threads.get(thread.thread_id);
    expect(kept.metadata).toMatchObject({ kept: "yes" });
    const stateAfter = await client.threads.getState(thread.thread_id);
    expect(stateAfter.values).toEqual(stateBefore.values);
    expect(stateAfter.checkpoint).toEqual(stateBefore.checkpoint);
    expect(await client.threads.getHistory(thread.thread_id)).toHaveLength(historyBefore.length);
    const next = (await client.runs.wait(thread.thread_id, "echo", { input: { text: "after" } })) as { answer: string };
    expect(next.answer).toBe("hello v7 {after}");
  });

  it("a run in flight during a save finishes on the code it started with", async () => {
    const thread = await client.threads.create();
    const run = await client.runs.create(thread.thread_id, "slow", { input: { dir: signals.dir } });
    await until("the slow run to start", () => existsSync(join(signals.dir, "started")));

    const before = lines(server, RELOAD_LINE).length;
    rewrite(file("src/slow.ts"), 'VERSION = "slow-v1"', 'VERSION = "slow-v2"');
    await until("the reload of slow.ts", () => lines(server, RELOAD_LINE).slice(before).find((l) => l.includes("reloaded") && l.includes("src/slow.ts")));
    writeFileSync(join(signals.dir, "release"), "");

    const result = (await client.runs.join(thread.thread_id, run.run_id)) as { answer: string };
    expect(result.answer).toBe("slow-v1");
    expect((await client.runs.get(thread.thread_id, run.run_id)).status).toBe("success");
    // A run that starts now gets the new code (release already exists, so it ends at once).
    const fresh = (await client.runs.wait(null, "slow", { input: { dir: signals.dir } })) as { answer: string };
    expect(fresh.answer).toBe("slow-v2");
  });

  it("changing the env file changes behaviour (env is applied before modules are evaluated again)", async () => {
    const before = lines(server, RELOAD_LINE).length;
    writeFileSync(file("app.env"), "GREETING=bonjour\n");
    await answerBecomes((a) => a.startsWith("bonjour "), "the new GREETING");
    const line = await until("the env reload line", () => lines(server, RELOAD_LINE).slice(before).find((l) => l.includes("app.env")));
    expect(line).toContain("env GREETING changed");
  });

  it("a graph added to langgraph.json appears as an assistant; an http change says to restart", async () => {
    const config = JSON.parse(readFileSync(file("langgraph.json"), "utf8")) as { graphs: Record<string, string>; http?: unknown };
    config.graphs.second = "./src/second.ts:graph";
    writeFileSync(file("langgraph.json"), JSON.stringify(config, null, 2));
    const found = await until("the new system assistant", async () => {
      const list = await client.assistants.search({ graphId: "second" });
      return list.length === 1 ? list : undefined;
    });
    expect(found[0]!.metadata).toEqual({ created_by: "system" });
    expect(((await client.runs.wait(null, "second", { input: { text: "y" } })) as { answer: string }).answer).toBe("second y");
    expect(lines(server, /reloaded/).some((l) => l.includes("(langgraph.json; added graph second)"))).toBe(true);

    config.http = { cors: { allow_origins: ["http://example.test"] } };
    writeFileSync(file("langgraph.json"), JSON.stringify(config, null, 2));
    await until("the restart notice", () => lines(server, /restart lg-dev to apply http\.cors changes/).length === 1);
    // Broken JSON is a failed reload like any other.
    writeFileSync(file("langgraph.json"), "{ \"graphs\": ");
    await until("the invalid config to be reported", () => lines(server, /reload failed \(langgraph\.json\)/).length === 1);
    expect(await ask()).toMatch(/^bonjour v7/);
  });
});

describe("an edit saved right after the ready banner (before the watcher's initial scan is done)", () => {
  it("is picked up: files changed since start-up count as changed once the watcher is ready", async () => {
    const fixture = copyFixture("reload");
    const server = await startServer(fixture.dir, { args: ["--log-level", "debug"] });
    try {
      // startServer resolves on the banner: save at once, without waiting for the watcher.
      rewrite(join(fixture.dir, "src/graph.ts"), 'VERSION = "v1"', 'VERSION = "v2"');
      const client = new Client({ apiUrl: server.url });
      const ask = async () => ((await client.runs.wait(null, "echo", { input: { text: "b" } })) as { answer: string }).answer;
      await until("the edited graph to answer", async () => ((await ask()) === "hello v2 [b]" ? true : undefined));
      const reloads = await until("the reload line", () => {
        const found = lines(server, RELOAD_LINE);
        return found.length > 0 ? found : undefined;
      });
      expect(reloads[0]).toMatch(/reloaded graphs echo, slow \(src\/graph\.ts\)/);
      // Nothing more may happen (one reload for one save): give the watcher ten debounce periods to misbehave.
      await new Promise((r) => setTimeout(r, 500));
      expect(lines(server, RELOAD_LINE)).toHaveLength(1);
    } finally {
      const code = await server.stop();
      fixture.cleanup();
      expect(code).toBe(0);
    }
  });
});

describe("--no-reload", () => {
  it("does not watch: edits are ignored", async () => {
    const fixture = copyFixture("reload");
    const server = await startServer(fixture.dir, { args: ["--no-reload", "--log-level", "debug"] });
    try {
      const client = new Client({ apiUrl: server.url });
      const ask = async () => ((await client.runs.wait(null, "echo", { input: { text: "n" } })) as { answer: string }).answer;
      expect(await ask()).toBe("hello v1 [n]");
      rewrite(join(fixture.dir, "src/graph.ts"), 'VERSION = "v1"', 'VERSION = "v2"');
      // Nothing may happen, so there is nothing to poll for: give a watcher ten debounce periods to act.
      await new Promise((r) => setTimeout(r, 600));
      expect(await ask()).toBe("hello v1 [n]");
      expect(server.output()).not.toMatch(/for changes|reloaded|reload failed/);
    } finally {
      const code = await server.stop();
      fixture.cleanup();
      expect(code).toBe(0);
    }
  });
});

describe("a project with custom routes (http.app)", () => {
  it("reloads its graphs and says the custom routes keep their code until a restart", async () => {
    const fixture = copyFixture("reload");
    try {
      writeFileSync(join(fixture.dir, "src", "routes.ts"), 'export const app = async (f: any) => { f.get("/hello", async () => ({ hello: "v1" })); };\n');
      const config = JSON.parse(readFileSync(join(fixture.dir, "langgraph.json"), "utf8")) as Record<string, unknown>;
      config.http = { app: "./src/routes.ts:app" };
      writeFileSync(join(fixture.dir, "langgraph.json"), JSON.stringify(config, null, 2));
      const server = await startWatching(fixture.dir);
      try {
        expect(await (await fetch(`${server.url}/hello`)).json()).toEqual({ hello: "v1" });
        const before = lines(server, RELOAD_LINE).length;
        rewrite(join(fixture.dir, "src", "helper.ts"), "`[${text}]`", "`<${text}>`");
        await until("the reload line", () => lines(server, RELOAD_LINE).length > before || undefined);
        await until("the custom routes note", () => lines(server, /custom routes \(http\.app\) keep the code they started with/).length === 1 || undefined);
      } finally {
        await server.stop();
      }
    } finally {
      fixture.cleanup();
    }
  });
});
