import { afterEach, describe, expect, test } from "vitest";
import { symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { announceGeneration } from "../../src/graphs/hooks.js";
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

describe("announceGeneration (the hook's bookkeeping)", () => {
  test("a loader it has never seen, or changed: null, renews everything", () => {
    expect(announceGeneration({ id: 1, loaderId: "t-unseen", generation: 1, changed: ["/x.ts"] })).toEqual({ id: 1, full: true, renewed: 0 });
    expect(announceGeneration({ id: 2, loaderId: "t-unseen", generation: 2, changed: null })).toEqual({ id: 2, full: true, renewed: 0 });
  });
});
