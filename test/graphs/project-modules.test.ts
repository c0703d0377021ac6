import { afterEach, describe, expect, test } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createModuleLoader } from "../../src/graphs/loader.js";
import { REPO_ROOT, makeTempDir, writeFiles } from "../helpers/spawn.js";

/**
 * Project files are compiled to CommonJS and evaluated by the loader itself (src/graphs/project-modules.ts) so
 * that versions replaced by a reload can be garbage-collected — Node's ES module cache never forgets one.
 * These tests pin down that the old versions really go, and that ES module semantics users rely on survive.
 */
const run = promisify(execFile);

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function project(files: Record<string, string>): string {
  const tmp = makeTempDir("lg-dev-project-modules-");
  cleanups.push(tmp.cleanup);
  writeFiles(tmp.dir, { "package.json": JSON.stringify({ type: "module" }), ...files });
  return tmp.dir;
}

/**
 * Run `body` in a plain `node --expose-gc` (the test runner keeps references of its own to what tests touch),
 * with `loader` (from dist/, built by `npm test`), `dir`, `write(file, text)` and `collected(weakRef)` in scope.
 */
async function inPlainNode(dir: string, body: string): Promise<Record<string, unknown>> {
  const script = join(dir, "check.mjs");
  writeFileSync(
    script,
    `import { writeFileSync } from "node:fs";
    const { createModuleLoader } = await import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, "dist/graphs/loader.js")).href)});
    const dir = ${JSON.stringify(dir)};
    const loader = createModuleLoader({ projectDir: dir });
    const write = (file, text) => { writeFileSync(dir + "/" + file, text); loader.invalidate([dir + "/" + file]); };
    const collected = async (ref) => {
      for (let i = 0; i < 10; i++) { gc(); await new Promise((r) => setTimeout(r, 5)); }
      return ref.deref() === undefined;
    };
    ${body}`,
  );
  const { stdout } = await run(process.execPath, ["--expose-gc", script], { timeout: 60_000 });
  return JSON.parse(stdout.trim().split("\n").pop()!) as Record<string, unknown>;
}

describe("versions replaced by a reload are freed", () => {
  test("a renewed module and its renewed importer are garbage-collected; unchanged ones are kept", async () => {
    const dir = project({
      "leaf.ts": 'export const leaf = "one"; export const big = new Array(1000).fill("x");\n',
      "graph.ts":
        'import * as leafModule from "./leaf.js";\nimport { keep } from "./kept.js";\nexport const answer = () => leafModule.leaf;\nexport { keep, leafModule };\n',
      "kept.ts": "export const keep = { id: Math.random() };\n",
    });
    const result = await inPlainNode(
      dir,
      `const old = await (async () => {
        const first = await loader.importModule(dir + "/graph.ts", 1);
        return { graph: new WeakRef(first), leafModule: new WeakRef(first.leafModule), leaf: first.answer(), keep: first.keep };
      })();
      write("leaf.ts", 'export const leaf = "two";\\n');
      const second = await loader.importModule(dir + "/graph.ts", 2);
      console.log(JSON.stringify({
        answers: [old.leaf, second.answer()],
        keptSame: second.keep === old.keep,
        graphFreed: await collected(old.graph),
        leafFreed: await collected(old.leafModule),
      }));`,
    );
    expect(result).toEqual({ answers: ["one", "two"], keptSame: true, graphFreed: true, leafFreed: true });
  }, 60_000);

  test("three hundred generations of a module leave the current version alive, not three hundred", async () => {
    const dir = project({ "graph.ts": "export const version = 0;\n" });
    const result = await inPlainNode(
      dir,
      `const refs = [];
      const versions = [];
      for (let generation = 1; generation <= 300; generation++) {
        write("graph.ts", "export const version = " + generation + ";\\n");
        const mod = await loader.importModule(dir + "/graph.ts", generation);
        versions.push(mod.version);
        refs.push(new WeakRef(mod));
      }
      await collected(refs[0]);
      console.log(JSON.stringify({
        versionsRight: versions.every((v, i) => v === i + 1),
        alive: refs.filter((ref) => ref.deref() !== undefined).length,
      }));`,
    );
    // The current version; V8 may keep the one before it a little longer. Not one per generation.
    expect(result.versionsRight).toBe(true);
    expect(result.alive).toBeLessThanOrEqual(2);
  }, 60_000);
});

describe("ES module semantics of project files", () => {
  test("import.meta, JSON, dynamic import of a project file, cycles, re-exports", async () => {
    const dir = project({
      "data.json": '{ "n": 7 }',
      "lazy.ts": 'export const lazy = "loaded lazily";\n',
      "cycle-a.ts": 'import { b } from "./cycle-b.js";\nexport function a() { return "a" + b(); }\n',
      "cycle-b.ts": 'import { a } from "./cycle-a.js";\nexport function b() { return "b"; }\nexport const useA = () => a();\n',
      "graph.ts": [
        'import data from "./data.json";',
        'import { a } from "./cycle-a.js";',
        'import { useA } from "./cycle-b.js";',
        'export * from "./lazy.js";',
        "export const url = import.meta.url;",
        "export const dir = import.meta.dirname;",
        "export const n = data.n;",
        'export const loadLazy = async () => (await import("./lazy.js")).lazy;',
        "export const cycle = () => a() + useA();",
        "// @ts-ignore",
        "export const sloppy = () => { undeclaredName = 1; };",
        "",
      ].join("\n"),
    });
    const loader = createModuleLoader({ projectDir: dir });
    const mod = await loader.importModule(join(dir, "graph.ts"), 1);
    expect(mod.url).toBe(pathToFileURL(join(dir, "graph.ts")).href);
    expect(mod.dir).toBe(dir);
    expect(mod.n).toBe(7);
    expect(mod.lazy).toBe("loaded lazily");
    expect(await (mod.loadLazy as () => Promise<string>)()).toBe("loaded lazily");
    expect((mod.cycle as () => string)()).toBe("abab");
    // Module code is strict: an assignment to an undeclared name throws instead of creating a global.
    expect(() => (mod.sloppy as () => void)()).toThrow(ReferenceError);
  });

  test("packages are imported as ES modules: dual packages use their import build, CommonJS gets default", async () => {
    const dir = project({
      "node_modules/dual/package.json": JSON.stringify({
        name: "dual",
        type: "module",
        exports: { ".": { import: "./index.js", require: "./index.cjs" } },
      }),
      "node_modules/dual/index.js": 'export default "dual-default";\nexport const which = "esm";\n',
      "node_modules/dual/index.cjs": 'module.exports = { which: "cjs" };\n',
      "node_modules/old/package.json": JSON.stringify({ name: "old", main: "index.js" }),
      "node_modules/old/index.js": "module.exports = function hello() { return 'hi'; };\nmodule.exports.extra = 1;\n",
      "graph.ts": [
        'import dualDefault, { which } from "dual";',
        'import * as dualNs from "dual";',
        'import hello, { extra } from "old";',
        'import { readFileSync } from "node:fs";',
        "export const result = { dualDefault, which, nsDefault: dualNs.default, hello: hello(), extra, fs: typeof readFileSync };",
        "",
      ].join("\n"),
    });
    const loader = createModuleLoader({ projectDir: dir });
    const mod = await loader.importModule(join(dir, "graph.ts"), 1);
    expect(mod.result).toEqual({ dualDefault: "dual-default", which: "esm", nsDefault: "dual-default", hello: "hi", extra: 1, fs: "function" });
  });

  test("CommonJS packages marked __esModule, by defineProperty or by assignment: default is module.exports", async () => {
    const dir = project({
      // As TypeScript compiles a package: a non-configurable, non-enumerable marker.
      "node_modules/ts-cjs/package.json": JSON.stringify({ name: "ts-cjs", main: "index.js" }),
      "node_modules/ts-cjs/index.js":
        '"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.Client = class Client {};\nexports.default = "inner";\n',
      // As Babel and hand-written code do it: an ordinary, enumerable property.
      "node_modules/babel-cjs/package.json": JSON.stringify({ name: "babel-cjs", main: "index.js" }),
      "node_modules/babel-cjs/index.js": 'exports.__esModule = true;\nexports.value = 1;\nexports.default = "inner";\n',
      "again.ts": 'export * from "ts-cjs";\n',
      "graph.ts": [
        'import tsDefault, { Client } from "ts-cjs";',
        'import * as tsNs from "ts-cjs";',
        'import babelDefault, { value } from "babel-cjs";',
        'import { Client as Again } from "./again.js";',
        "export const result = {",
        "  tsDefault: typeof tsDefault, inner: (tsDefault as any).default, client: typeof Client, same: Again === Client,",
        "  nsDefault: (tsNs as any).default === tsDefault, babelDefault: typeof babelDefault, value,",
        "};",
        "",
      ].join("\n"),
    });
    const loader = createModuleLoader({ projectDir: dir });
    const mod = await loader.importModule(join(dir, "graph.ts"), 1);
    expect(mod.result).toEqual({ tsDefault: "object", inner: "inner", client: "function", same: true, nsDefault: true, babelDefault: "object", value: 1 });
  });

  test("a module that throws while loading fails every importer with its own error, also two graphs at once", async () => {
    const dir = project({
      "shared.ts": 'import { value } from "./broken.js";\nexport const shared = value;\n',
      "broken.ts": 'throw new Error("broken at load");\nexport const value = 1;\n',
      "one.ts": 'import { shared } from "./shared.js";\nexport const graph = shared;\n',
      "two.ts": 'import { shared } from "./shared.js";\nexport const graph = shared;\n',
    });
    const loader = createModuleLoader({ projectDir: dir });
    const results = await Promise.allSettled([loader.importModule(join(dir, "one.ts"), 1), loader.importModule(join(dir, "two.ts"), 1)]);
    for (const result of results) {
      expect(result.status).toBe("rejected");
      expect(((result as PromiseRejectedResult).reason as Error).message).toBe("broken at load");
    }
    // Later in the same generation too (Node keeps a failed module failed); a fixed file loads in the next one.
    await expect(loader.importModule(join(dir, "two.ts"), 1)).rejects.toThrow("broken at load");
    writeFileSync(join(dir, "broken.ts"), "export const value = 2;\n");
    loader.invalidate([join(dir, "broken.ts")]);
    expect((await loader.importModule(join(dir, "two.ts"), 2)).graph).toBe(2);
  });

  test("a package imported only by import() runs at that call, not before; a missing one is an error to catch", async () => {
    const dir = project({
      "node_modules/lazy-pkg/package.json": JSON.stringify({ name: "lazy-pkg", main: "index.js" }),
      "node_modules/lazy-pkg/index.js": "globalThis.__lazyPkgLoaded = (globalThis.__lazyPkgLoaded ?? 0) + 1;\nmodule.exports = { v: 41 };\n",
      "graph.ts": [
        "export const loadedAtStart = (globalThis as any).__lazyPkgLoaded ?? 0;",
        'export const load = async () => (await import("lazy-pkg")).default.v + 1;',
        'export const missing = () => import("not-installed-" + "anywhere").then(() => "found", (err) => err.code);',
        "",
      ].join("\n"),
    });
    const loader = createModuleLoader({ projectDir: dir });
    const mod = await loader.importModule(join(dir, "graph.ts"), 1);
    expect(mod.loadedAtStart).toBe(0);
    expect((globalThis as { __lazyPkgLoaded?: number }).__lazyPkgLoaded).toBeUndefined();
    expect(await (mod.load as () => Promise<number>)()).toBe(42);
    expect(await (mod.missing as () => Promise<string>)()).toBe("ERR_MODULE_NOT_FOUND");
    expect((globalThis as { __lazyPkgLoaded?: number }).__lazyPkgLoaded).toBe(1);
  });

  test("tsconfig paths lead to project files, which reload like any other", async () => {
    const dir = project({
      "tsconfig.json": JSON.stringify({ compilerOptions: { baseUrl: ".", paths: { "@lib/*": ["lib/*"] } } }),
      "lib/words.ts": 'export const word = "first";\n',
      "graph.ts": 'import { word } from "@lib/words.js";\nexport const answer = word;\n',
    });
    const loader = createModuleLoader({ projectDir: dir });
    expect((await loader.importModule(join(dir, "graph.ts"), 1)).answer).toBe("first");
    writeFileSync(join(dir, "lib/words.ts"), 'export const word = "second";\n');
    loader.invalidate([join(dir, "lib/words.ts")]);
    expect((await loader.importModule(join(dir, "graph.ts"), 2)).answer).toBe("second");
  });

  test("compiler options come from the tsconfig and what it extends (here JSX with a factory of the project's)", async () => {
    const dir = project({
      "tsconfig.json": '{ "extends": "./tsconfig.base.json", /* comments are fine */ }',
      "tsconfig.base.json": JSON.stringify({ compilerOptions: { jsx: "react", jsxFactory: "h" } }),
      "view.tsx": "const h = (tag: string) => `<${tag}>`;\nexport const element = <section />;\n",
    });
    const loader = createModuleLoader({ projectDir: dir });
    expect((await loader.importModule(join(dir, "view.tsx"), 1)).element).toBe("<section>");
  });

  test("a project using top-level await is loaded by Node's ES loader, and still reloads", async () => {
    const dir = project({
      "helper.ts": 'export const word = await Promise.resolve("awaited");\n',
      "graph.ts": 'import { word } from "./helper.js";\nexport const answer = word;\n',
    });
    const loader = createModuleLoader({ projectDir: dir });
    expect((await loader.importModule(join(dir, "graph.ts"), 1)).answer).toBe("awaited");
    writeFileSync(join(dir, "helper.ts"), 'export const word = await Promise.resolve("awaited again");\n');
    loader.invalidate([join(dir, "helper.ts")]);
    expect((await loader.importModule(join(dir, "graph.ts"), 2)).answer).toBe("awaited again");
  });
});

describe("named imports are checked before anything runs, as Node links ES modules", () => {
  test("a name the imported file does not export fails the import, naming both and the line", async () => {
    const dir = project({
      "helper.ts": "export const somethingElse = 1;\n",
      "graph.ts": '// a comment\nimport { decorate } from "./helper.js";\nexport const ran = (globalThis as any).ranIt = true;\nexport const d = decorate;\n',
    });
    const loader = createModuleLoader({ projectDir: dir });
    const err = await loader.importModule(join(dir, "graph.ts"), 1).then(() => undefined, (e: unknown) => e as Error);
    expect(err).toBeInstanceOf(SyntaxError);
    expect(err!.message).toBe("The requested module './helper.js' does not provide an export named 'decorate'");
    expect(err!.stack).toContain(`${join(dir, "graph.ts")}:2:`);
    expect((globalThis as { ranIt?: boolean }).ranIt).toBeUndefined();
  });

  test("names re-exported through export * chains, defaults and packages are found; a missing package name is not", async () => {
    const dir = project({
      "node_modules/pkg/package.json": JSON.stringify({ name: "pkg", type: "module", exports: "./index.js" }),
      "node_modules/pkg/index.js": "export const fromPkg = 1;\n",
      "deep.ts": "export const deep = 1;\nexport default 2;\n",
      "middle.ts": 'export * from "./deep.js";\nexport { default as deepDefault } from "./deep.js";\n',
      "graph.ts": 'import { deep, deepDefault } from "./middle.js";\nimport d from "./deep.js";\nimport { fromPkg } from "pkg";\nexport const sum = deep + deepDefault + d + fromPkg;\n',
      "bad.ts": 'import { notThere } from "pkg";\nexport const x = notThere;\n',
      "bad-default.ts": 'import d from "./middle.js";\nexport const x = d;\n',
    });
    const loader = createModuleLoader({ projectDir: dir });
    expect((await loader.importModule(join(dir, "graph.ts"), 1)).sum).toBe(6);
    await expect(loader.importModule(join(dir, "bad.ts"), 1)).rejects.toThrow("The requested module 'pkg' does not provide an export named 'notThere'");
    // export * does not pass on a default.
    await expect(loader.importModule(join(dir, "bad-default.ts"), 1)).rejects.toThrow("does not provide an export named 'default'");
  });

  test("importedNames reads import and export-from statements", async () => {
    const { importedNames } = await import("../../src/graphs/compile.js");
    expect(importedNames('import d, { a, b as c, "s-t" as u } from "./x.js"')).toEqual(["default", "a", "b", "s-t"]);
    expect(importedNames('import * as ns from "./x.js"')).toEqual([]);
    expect(importedNames('import d, * as ns from "./x.js"')).toEqual(["default"]);
    expect(importedNames('import "./x.js"')).toEqual([]);
    expect(importedNames('export { a, default as b } from "./x.js"')).toEqual(["a", "default"]);
    expect(importedNames('export * from "./x.js"')).toEqual([]);
    expect(importedNames('export * as ns from "./x.js"')).toEqual([]);
  });
});
