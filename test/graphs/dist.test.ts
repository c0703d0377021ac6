import { afterAll, beforeAll, expect, test } from "vitest";
import { execFile } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { FIXTURES, REPO_ROOT, copyFixture, linkNodeModules, makeTempDir } from "../helpers/spawn.js";

const run = promisify(execFile);

// lg-dev ships compiled JS: the hook file and the native-import helper must work from dist/, outside vitest
// (which also swaps Node's source-mapped stack traces for its own, so exact TS lines are checked here).
const tmp = makeTempDir("lg-dev-graphs-dist-");
const dist = join(tmp.dir, "dist");
const project = copyFixture("graphs-basic");

beforeAll(async () => {
  linkNodeModules(tmp.dir);
  // As in the published package, whose package.json says "type": "module".
  writeFileSync(join(tmp.dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(
    join(tmp.dir, "tsconfig.json"),
    JSON.stringify({
      extends: join(REPO_ROOT, "tsconfig.build.json"),
      compilerOptions: { rootDir: join(REPO_ROOT, "src"), outDir: dist, noCheck: true, declaration: false, sourceMap: false },
      include: [],
      files: [join(REPO_ROOT, "src/graphs/index.ts"), join(REPO_ROOT, "src/graphs/native-import.cts")],
    }),
  );
  await run(process.execPath, [join(REPO_ROOT, "node_modules/typescript/bin/tsc"), "-p", join(tmp.dir, "tsconfig.json")]);
}, 120_000);

afterAll(() => {
  tmp.cleanup();
  project.cleanup();
});

test("the compiled loader loads TS graphs, reloads, and reports errors at their TypeScript line", async () => {
  expect(existsSync(join(dist, "graphs/hooks.js"))).toBe(true);
  expect(existsSync(join(dist, "graphs/native-import.cjs"))).toBe(true);
  const script = join(tmp.dir, "run.mjs");
  writeFileSync(
    script,
    `
    const { createModuleLoader, loadGraphs } = await import(${JSON.stringify(pathToFileURL(join(dist, "graphs/index.js")).href)});
    const { writeFileSync } = await import("node:fs");
    const basic = ${JSON.stringify(project.dir)};
    const broken = ${JSON.stringify(join(FIXTURES, "graphs-broken"))};
    const loader = createModuleLoader({ projectDir: basic });
    const specs = [{ graphId: "agent", path: "./src/agent.ts:graph" }, { graphId: "cts", path: "./src/cts-graph.cts:graph" }];
    const graphs = await loadGraphs(specs, { configDir: basic, loader, generation: 1 });
    const texts = [];
    for (const id of ["agent", "cts"]) texts.push((await (await graphs.get(id).resolve({})).invoke({ text: "hi" })).text);
    writeFileSync(basic + "/src/helper.ts", "export const shout = (t: string): string => 'edited ' + t;");
    const reloaded = await loadGraphs(specs, { configDir: basic, loader, generation: 3 });
    texts.push((await (await reloaded.get("agent").resolve({})).invoke({ text: "hi" })).text);
    const messages = [];
    for (const path of ["./src/throws.ts:graph", "./src/imports-broken.ts:graph"]) {
      await loadGraphs([{ graphId: "bad", path }], { configDir: broken, loader, generation: 2 }).catch((e) => messages.push(e.message));
    }
    console.log(JSON.stringify({ texts, messages }));
    `,
  );
  const { stdout } = await run(process.execPath, [script], { timeout: 30_000 });
  const result = JSON.parse(stdout.trim().split("\n").pop()!) as { texts: string[]; messages: string[] };
  expect(result.texts).toEqual(["HI!", "cts:hi", "edited hi"]);
  expect(result.messages[0]).toContain(`(at ${join(FIXTURES, "graphs-broken/src/throws.ts")}:5:7)`);
  expect(result.messages[1]).toContain(`(at ${join(FIXTURES, "graphs-broken/src/throws-in-helper.ts")}:4:9)`);
}, 60_000);
