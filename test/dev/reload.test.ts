import { afterEach, describe, expect, test } from "vitest";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MemorySaver } from "@langchain/langgraph";
import type { AuthService } from "../../src/auth/types.js";
import { createReloader, describeConfigChanges, describeFiles, restartNeeded, watchTargetsOf } from "../../src/dev/reload.js";
import { applyEnv, loadConfig, resolveConfig, type LoadedConfig } from "../../src/config/index.js";
import { createModuleLoader } from "../../src/graphs/loader.js";
import { GraphRegistry } from "../../src/graphs/registry.js";
import { createLogger } from "../../src/logger.js";
import { linkNodeModules, makeTempDir, writeFiles } from "../helpers/spawn.js";

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function config(raw: Record<string, unknown>, dir = "/p"): LoadedConfig {
  const { config, graphs, warnings } = resolveConfig({ graphs: { a: "./a.ts:graph" }, ...raw }, "langgraph.json");
  return { config, graphs, warnings, configDir: dir, configPath: `${dir}/langgraph.json` };
}

describe("describing a reload (pure)", () => {
  test("graphs added, removed, moved; auth changes", () => {
    const before = config({ graphs: { a: "./a.ts:graph", b: "./b.ts:graph" } });
    const after = config({ graphs: { a: "./a2.ts:graph", c: "./c.ts:graph" }, auth: { path: "./auth.ts:auth" } });
    expect(describeConfigChanges(before, after)).toEqual(["added graph c", "removed graph b", "graph a now from ./a2.ts:graph", "auth ./auth.ts:auth"]);
    expect(describeConfigChanges(after, before)).toContain("auth off");
    expect(describeConfigChanges(before, before)).toEqual([]);
  });

  test("what needs a restart: http settings, an edited custom app, tsconfig.json", () => {
    const plain = config({});
    const cors = config({ http: { cors: { allow_origins: ["http://x"] } } });
    expect(restartNeeded(plain, cors, [])).toEqual(["http.cors"]);
    expect(restartNeeded(cors, cors, [])).toEqual([]);
    const hooks = config({ webhooks: { url: { require_https: true } } });
    expect(restartNeeded(plain, hooks, [])).toEqual(["webhooks"]);
    expect(restartNeeded(hooks, hooks, [])).toEqual([]);
    const app = config({ http: { app: "./src/app.ts:app" } });
    expect(restartNeeded(app, app, ["/p/src/app.ts"])).toEqual(["src/app.ts"]);
    expect(restartNeeded(plain, plain, ["/p/tsconfig.json"])).toEqual(["tsconfig.json"]);
  });

  test("changed files are listed relative to the project, at most three", () => {
    expect(describeFiles(["/p/src/b.ts", "/p/src/a.ts"], "/p")).toBe("src/a.ts, src/b.ts");
    expect(describeFiles(["/p/1.ts", "/p/2.ts", "/p/3.ts", "/p/4.ts", "/p/5.ts"], "/p")).toBe("1.ts, 2.ts, 3.ts, +2 more");
    expect(describeFiles(["/shared/u.ts"], "/p")).toBe("../shared/u.ts");
  });

  test("watch targets: the project, local dependency folders, langgraph.json and the env file", () => {
    const tmp = makeTempDir("lg-dev-targets-");
    cleanups.push(tmp.cleanup);
    mkdirSync(join(tmp.dir, "proj"));
    mkdirSync(join(tmp.dir, "shared"));
    const loaded = config({ dependencies: [".", "../shared", "../missing", "some-package"], env: "../.env" }, join(tmp.dir, "proj"));
    expect(watchTargetsOf(loaded)).toEqual({
      dirs: [join(tmp.dir, "proj"), join(tmp.dir, "proj"), join(tmp.dir, "shared")],
      files: [join(tmp.dir, "proj/langgraph.json"), join(tmp.dir, ".env")],
    });
  });
});

describe("createReloader (in process)", () => {
  async function setup(files: Record<string, string>) {
    const tmp = makeTempDir("lg-dev-reloader-");
    cleanups.push(tmp.cleanup);
    linkNodeModules(tmp.dir);
    writeFiles(tmp.dir, { "package.json": JSON.stringify({ type: "module" }), ...files });
    const loaded = await loadConfig(tmp.dir, tmp.dir);
    applyEnv(loaded);
    cleanups.push(() => delete process.env.WORD);
    const lines: string[] = [];
    const logger = createLogger("debug", { out: (s) => lines.push(s), err: (s) => lines.push(s) });
    const registry = new GraphRegistry();
    const authRef: { current: AuthService } = { current: { enabled: false, authenticate: async () => undefined, authorize: async () => undefined } };
    const ensured: string[][] = [];
    const servedVersions: Array<{ ids: string[]; files: string[] }> = [];
    const reloader = createReloader({
      loaded,
      loader: createModuleLoader({ projectDir: tmp.dir }),
      registry,
      authRef,
      checkpointer: new MemorySaver(),
      store: undefined,
      ensureSystemAssistants: async (ids) => void ensured.push(ids),
      onGraphsServed: (graphs) => servedVersions.push({ ids: [...graphs.keys()], files: [...graphs.values()].map((g) => g.file) }),
      logger,
    });
    await reloader.load();
    const answer = async (id = "a") => {
      const graph = await registry.get(id)!.resolve({});
      return ((await graph.invoke!({ text: "t" }, { configurable: { thread_id: String(Math.random()) } })) as { out: string }).out;
    };
    return { dir: tmp.dir, reloader, registry, authRef, lines, ensured, servedVersions, answer, path: (rel: string) => join(tmp.dir, rel) };
  }

  const graphSource = (tag: string) =>
    `import { Annotation, StateGraph } from "@langchain/langgraph";\nimport { help } from "./helper.js";\n` +
    `const S = Annotation.Root({ text: Annotation<string>, out: Annotation<string> });\n` +
    `export const graph = new StateGraph(S).addNode("n", (s: typeof S.State) => ({ out: \`${tag} \${help()} \${process.env.WORD ?? ""}\` })).addEdge("__start__", "n").compile();\n`;

  test("each served version is announced (schemas are read again from it); a failed reload announces nothing", async () => {
    const p = await setup({ "langgraph.json": JSON.stringify({ graphs: { a: "./a.ts:graph" } }), "a.ts": graphSource("A1"), "helper.ts": 'export const help = () => "h";\n' });
    expect(p.servedVersions).toEqual([{ ids: ["a"], files: [p.path("a.ts")] }]);
    writeFileSync(p.path("a.ts"), graphSource("A2"));
    expect((await p.reloader.reload([p.path("a.ts")])).ok).toBe(true);
    expect(p.servedVersions).toHaveLength(2);
    writeFileSync(p.path("a.ts"), "export const graph = ;\n");
    expect((await p.reloader.reload([p.path("a.ts")])).ok).toBe(false);
    expect(p.servedVersions).toHaveLength(2);
  });

  test("code, env and langgraph.json changes; a failure keeps the served version; auth is swapped too", async () => {
    const p = await setup({
      "langgraph.json": JSON.stringify({ graphs: { a: "./a.ts:graph" }, env: "vars.env" }),
      "vars.env": "WORD=one\n",
      "a.ts": graphSource("A1"),
      "b.ts": graphSource("B1"),
      "helper.ts": 'export const help = () => "h1";\n',
      "auth.ts": 'import { Auth } from "@langchain/langgraph-sdk/auth";\nexport const auth = new Auth().authenticate(async () => "me");\n',
    });
    expect(await p.answer()).toBe("A1 h1 one");
    expect(p.ensured).toEqual([["a"]]);

    writeFileSync(p.path("helper.ts"), 'export const help = () => "h2";\n');
    expect((await p.reloader.reload([p.path("helper.ts")])).ok).toBe(true);
    expect(await p.answer()).toBe("A1 h2 one");
    expect(p.lines.at(-1)).toMatch(/info {2}reloaded graph a \(helper\.ts\) in \d+ ms/);

    writeFileSync(p.path("vars.env"), "WORD=two\n");
    await p.reloader.reload([p.path("vars.env")]);
    expect(await p.answer()).toBe("A1 h2 two");
    expect(p.lines.at(-1)).toContain("(vars.env; env WORD changed)");

    const served = p.registry.get("a");
    writeFileSync(p.path("a.ts"), "export const graph = ;\n");
    const failed = await p.reloader.reload([p.path("a.ts")]);
    expect(failed.ok).toBe(false);
    expect(p.registry.get("a")).toBe(served);
    expect(p.lines.at(-1)).toMatch(/error reload failed \(a\.ts\) in \d+ ms; still serving the previous version:\n {2}Graph "a".*a\.ts:1:\d+/);

    writeFileSync(p.path("a.ts"), graphSource("A2"));
    writeFileSync(p.path("langgraph.json"), JSON.stringify({ graphs: { a: "./a.ts:graph", b: "./b.ts:graph" }, env: "vars.env", auth: { path: "./auth.ts:auth" } }));
    await p.reloader.reload([p.path("a.ts"), p.path("langgraph.json")]);
    expect(await p.answer()).toBe("A2 h2 two");
    expect(await p.answer("b")).toBe("B1 h2 two");
    expect(p.ensured.at(-1)).toEqual(["a", "b"]);
    expect(p.authRef.current.enabled).toBe(true);
    expect(p.lines.at(-1)).toContain("reloaded graphs a, b, auth (a.ts, langgraph.json; added graph b; auth ./auth.ts:auth)");
    expect(p.reloader.config.graphs.map((g) => g.graphId)).toEqual(["a", "b"]);

    // A broken auth module fails the reload as a whole, with its place; the graphs are not swapped either.
    const authBefore = p.authRef.current;
    const aBefore = p.registry.get("a");
    writeFileSync(p.path("auth.ts"), 'throw new Error("auth exploded");\nexport const auth = 1;\n');
    writeFileSync(p.path("a.ts"), graphSource("A3"));
    expect((await p.reloader.reload([p.path("auth.ts"), p.path("a.ts")])).ok).toBe(false);
    // Exact lines are checked in plain Node (test/graphs/dist.test.ts): vitest replaces source-mapped stacks.
    expect(p.lines.at(-1)).toMatch(/auth exploded.*auth\.ts:\d+/);
    expect(p.authRef.current).toBe(authBefore);
    expect(p.registry.get("a")).toBe(aBefore);
  });

  test("a start-up failure throws (lg-dev exits with the message)", async () => {
    await expect(
      setup({ "langgraph.json": JSON.stringify({ graphs: { a: "./a.ts:graph" } }), "a.ts": "export const nothing = 1;\n" }),
    ).rejects.toThrow(/Graph "a".*has no export "graph"/);
  });
});
