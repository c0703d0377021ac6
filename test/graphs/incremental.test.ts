import { afterEach, describe, expect, test } from "vitest";
import { symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MessageChannel } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import { handleRequest, initialize, resolve, type HookMessage } from "../../src/graphs/hooks.js";
import { createModuleLoader } from "../../src/graphs/loader.js";
import { makeTempDir, writeFiles } from "../helpers/spawn.js";

/**
 * Renewing only what changed: after `invalidate(files)`, a generation re-evaluates those files and the project
 * modules importing them, and hands back the very same instances of everything else.
 */
const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** a.ts -> mid.ts -> leaf.ts, a.ts -> shared.ts, b.ts -> shared.ts. Every module exports a unique stamp. */
function project() {
  const tmp = makeTempDir("lg-dev-incremental-");
  cleanups.push(tmp.cleanup);
  const stamp = "export const stamp = Math.random();\n";
  writeFiles(tmp.dir, {
    "package.json": JSON.stringify({ type: "module" }),
    "leaf.ts": `${stamp}export const leaf = "leaf1";\n`,
    "mid.ts": `${stamp}export { leaf, stamp as leafStamp } from "./leaf.js";\n`,
    "shared.ts": `${stamp}export const shared = "shared1";\n`,
    "a.ts": `${stamp}export { leaf, leafStamp } from "./mid.js";\nexport { shared, stamp as sharedStamp } from "./shared.js";\n`,
    "b.ts": `${stamp}export { shared, stamp as sharedStamp } from "./shared.js";\n`,
    "notes.json": "{}",
  });
  return tmp.dir;
}

type Mod = Record<string, unknown>;

async function both(loader: ReturnType<typeof createModuleLoader>, dir: string, generation: number): Promise<[Mod, Mod]> {
  return Promise.all([loader.importModule(join(dir, "a.ts"), generation), loader.importModule(join(dir, "b.ts"), generation)]);
}

describe("incremental generations", () => {
  test("a changed leaf renews it and its importers only; unrelated modules keep their instance", async () => {
    const dir = project();
    const loader = createModuleLoader({ projectDir: dir });
    const [a1, b1] = await both(loader, dir, 1);

    writeFileSync(join(dir, "leaf.ts"), 'export const stamp = Math.random();\nexport const leaf = "leaf2";\n');
    loader.invalidate([join(dir, "leaf.ts")]);
    const [a2, b2] = await both(loader, dir, 2);

    expect(a2.leaf).toBe("leaf2");
    expect(a2).not.toBe(a1);
    expect(a2.leafStamp).not.toBe(a1.leafStamp);
    // shared.ts is imported by the renewed a.ts but did not change: same instance.
    expect(a2.sharedStamp).toBe(a1.sharedStamp);
    // b.ts imports nothing that changed: Node hands back the same module.
    expect(b2).toBe(b1);
  });

  test("a module imported by two graphs, when changed, renews both", async () => {
    const dir = project();
    const loader = createModuleLoader({ projectDir: dir });
    const [a1, b1] = await both(loader, dir, 1);
    writeFileSync(join(dir, "shared.ts"), 'export const stamp = Math.random();\nexport const shared = "shared2";\n');
    loader.invalidate([join(dir, "shared.ts")]);
    const [a2, b2] = await both(loader, dir, 2);
    expect([a2.shared, b2.shared]).toEqual(["shared2", "shared2"]);
    expect(a2.sharedStamp).toBe(b2.sharedStamp);
    // mid.ts/leaf.ts did not change.
    expect(a2.leafStamp).toBe(a1.leafStamp);
    expect(b2).not.toBe(b1);
  });

  test("without invalidate, a file no module imported, or after a failed import: everything is renewed", async () => {
    const dir = project();
    const loader = createModuleLoader({ projectDir: dir });
    const [, b1] = await both(loader, dir, 1);
    const [, b2] = await both(loader, dir, 2);
    expect(b2).not.toBe(b1);

    loader.invalidate([join(dir, "notes.json")]);
    const [, b3] = await both(loader, dir, 3);
    expect(b3).not.toBe(b2);

    // "all" wins over files named before or after it, until the next generation starts.
    loader.invalidate([join(dir, "leaf.ts")]);
    loader.invalidate("all");
    loader.invalidate([join(dir, "leaf.ts")]);
    const [, bAll] = await both(loader, dir, 30);
    expect(bAll).not.toBe(b3);
    loader.invalidate([join(dir, "leaf.ts")]);
    const [, bPartial] = await both(loader, dir, 31);
    expect(bPartial).toBe(bAll);

    writeFileSync(join(dir, "leaf.ts"), "export const leaf = ;\n");
    loader.invalidate([join(dir, "leaf.ts")]);
    await expect(loader.importModule(join(dir, "a.ts"), 34)).rejects.toThrow();
    writeFileSync(join(dir, "leaf.ts"), 'export const stamp = 1;\nexport const leaf = "fixed";\n');
    loader.invalidate([join(dir, "leaf.ts")]);
    const [a5, b5] = await both(loader, dir, 35);
    expect(a5.leaf).toBe("fixed");
    expect(b5).not.toBe(bPartial);
    // And from there on, partial again.
    writeFileSync(join(dir, "leaf.ts"), 'export const stamp = 2;\nexport const leaf = "again";\n');
    loader.invalidate([join(dir, "leaf.ts")]);
    const [a6, b6] = await both(loader, dir, 36);
    expect(a6.leaf).toBe("again");
    expect(b6).toBe(b5);
  });

  test("changes reported through a symlinked path count as the real file", async () => {
    const dir = project();
    const link = makeTempDir("lg-dev-incremental-link-");
    cleanups.push(link.cleanup);
    const linked = join(link.dir, "project");
    symlinkSync(dir, linked, "dir");
    const loader = createModuleLoader({ projectDir: linked });
    const [, b1] = await both(loader, linked, 1);
    writeFileSync(join(linked, "leaf.ts"), 'export const stamp = 3;\nexport const leaf = "via-link";\n');
    loader.invalidate([join(linked, "leaf.ts")]);
    const [a2, b2] = await both(loader, linked, 2);
    expect(a2.leaf).toBe("via-link");
    expect(b2).toBe(b1);
  });

  test("a module importing a file that is new in this generation works, and later edits of it are partial", async () => {
    const dir = project();
    const loader = createModuleLoader({ projectDir: dir });
    const [, b1] = await both(loader, dir, 1);
    writeFileSync(join(dir, "extra.ts"), 'export const extra = "x1";\n');
    writeFileSync(join(dir, "a.ts"), 'export { extra } from "./extra.js";\n');
    loader.invalidate([join(dir, "extra.ts"), join(dir, "a.ts")]);
    const [a2, b2] = await both(loader, dir, 2);
    expect(a2.extra).toBe("x1");
    // extra.ts was not a known module: everything was renewed.
    expect(b2).not.toBe(b1);
    writeFileSync(join(dir, "extra.ts"), 'export const extra = "x2";\n');
    loader.invalidate([join(dir, "extra.ts")]);
    const [a3, b3] = await both(loader, dir, 3);
    expect(a3.extra).toBe("x2");
    expect(b3).toBe(b2);
  });
});

describe("the native path: top-level await hands the project to Node's ES loader, and renewals stay partial", () => {
  test("a changed leaf renews it and its importers only, as the hooks report imports into the loader's graph", async () => {
    const dir = project();
    // leaf.ts awaits at top level: ProjectModules cannot evaluate it, so the loader switches to Node's ES loader.
    writeFileSync(join(dir, "leaf.ts"), 'export const stamp = await Promise.resolve(Math.random());\nexport const leaf = "leaf1";\n');
    const loader = createModuleLoader({ projectDir: dir });
    // a.ts first: b.ts alone would still go through ProjectModules, which has no top-level await to refuse.
    await loader.importModule(join(dir, "a.ts"), 1);
    const [a1, b1] = await both(loader, dir, 1);
    expect(a1.leaf).toBe("leaf1");

    writeFileSync(join(dir, "leaf.ts"), 'export const stamp = await Promise.resolve(Math.random());\nexport const leaf = "leaf2";\n');
    loader.invalidate([join(dir, "leaf.ts")]);
    const [a2, b2] = await both(loader, dir, 2);
    expect(a2.leaf).toBe("leaf2");
    expect(a2).not.toBe(a1);
    expect(a2.sharedStamp).toBe(a1.sharedStamp);
    expect(b2).toBe(b1);

    loader.invalidate([join(dir, "shared.ts")]);
    const [a3, b3] = await both(loader, dir, 3);
    expect(b3).not.toBe(b2);
    expect(a3.sharedStamp).toBe(b3.sharedStamp);
    expect(a3.leafStamp).toBe(a2.leafStamp);
  });
});

describe("the resolve hook's versions (hooks.ts, without Node's loader)", () => {
  const next = (specifier: string, context: { parentURL?: string }) => ({ url: new URL(specifier, context.parentURL).href, format: "module" as const });
  const resolveFrom = (specifier: string, parentURL?: string) =>
    (resolve(specifier, { parentURL, conditions: [], importAttributes: {} } as never, next as never) as { url: string }).url;
  const entry = (loaderId: string, generation: number) => `${pathToFileURL("/p/graph.ts").href}?lg_gen=${loaderId}.${generation}`;

  test("files keep their version until a generation names them; a generation without a list renews all", () => {
    handleRequest({ id: 1, type: "generation", loaderId: "t1", generation: 1, renew: null });
    const graph1 = resolveFrom(entry("t1", 1));
    expect(resolveFrom("./util.ts", graph1)).toBe(`${pathToFileURL("/p/util.ts").href}?lg_gen=t1.1`);
    expect(resolveFrom("./other.ts", graph1)).toBe(`${pathToFileURL("/p/other.ts").href}?lg_gen=t1.1`);

    handleRequest({ id: 2, type: "generation", loaderId: "t1", generation: 2, renew: ["/p/graph.ts", "/p/util.ts"] });
    const graph2 = resolveFrom(entry("t1", 2));
    expect(graph2).toBe(entry("t1", 2));
    expect(resolveFrom("./util.ts", graph2)).toBe(`${pathToFileURL("/p/util.ts").href}?lg_gen=t1.2`);
    expect(resolveFrom("./other.ts", graph2)).toBe(`${pathToFileURL("/p/other.ts").href}?lg_gen=t1.1`);

    handleRequest({ id: 3, type: "generation", loaderId: "t1", generation: 3, renew: null });
    expect(resolveFrom("./other.ts", resolveFrom(entry("t1", 3)))).toBe(`${pathToFileURL("/p/other.ts").href}?lg_gen=t1.3`);
  });

  test("a loader that announced nothing: a file inherits its importer's generation", () => {
    expect(resolveFrom("./util.ts", entry("never-announced", 7))).toBe(`${pathToFileURL("/p/util.ts").href}?lg_gen=never-announced.7`);
  });

  test("each project file resolved is reported with its importer, and a request is answered after them", async () => {
    const { port1, port2 } = new MessageChannel();
    const seen: HookMessage[] = [];
    let answered!: () => void;
    const answer = new Promise<void>((r) => (answered = r));
    port1.on("message", (m: HookMessage) => {
      seen.push(m);
      if (m.type === "reply") answered();
    });
    initialize({ port: port2 });
    try {
      handleRequest({ id: 1, type: "generation", loaderId: "t2", generation: 1, renew: null });
      resolveFrom("./util.ts", resolveFrom(entry("t2", 1)));
      port1.postMessage({ id: 9, type: "sync" });
      await answer;
      expect(seen).toEqual([
        { type: "import", loaderId: "t2", file: "/p/graph.ts" },
        { type: "import", loaderId: "t2", file: "/p/util.ts", importer: "/p/graph.ts" },
        { type: "reply", id: 9 },
      ]);
    } finally {
      port1.close();
    }
  });
});
