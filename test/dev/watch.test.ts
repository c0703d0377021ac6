import { afterEach, describe, expect, test } from "vitest";
import { mkdirSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isIgnoredPath, isRelevantFile, resolveWatchRoots, watchProject, type ProjectWatcher } from "../../src/dev/watch.js";
import { makeTempDir, writeFiles } from "../helpers/spawn.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function until(what: string, probe: () => boolean, boundMs = 5_000): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("what is watched (pure)", () => {
  const targets = { roots: ["/p", "/shared"], files: new Set(["/p/.env", "/elsewhere/app.env"]) };
  const file = { isFile: () => true, isDirectory: () => false } as never;
  const dir = { isFile: () => false, isDirectory: () => true } as never;

  test("folders below a root: node_modules, .git, .langgraph_api, dist, build and hidden ones are skipped", () => {
    for (const name of ["node_modules", ".git", ".langgraph_api", "dist", "build", ".venv", ".idea"]) {
      expect(isIgnoredPath(`/p/${name}`, targets)).toBe(true);
      expect(isIgnoredPath(`/p/${name}`, targets, dir)).toBe(true);
      expect(isIgnoredPath(`/p/src/${name}/x.ts`, targets, file)).toBe(true);
    }
    expect(isIgnoredPath("/p/src", targets)).toBe(false);
    expect(isIgnoredPath("/p/src", targets, dir)).toBe(false);
  });

  test("only the part below the root counts: a project may live under a hidden or build folder", () => {
    const nested = { roots: ["/home/me/.config/build/proj"], files: new Set<string>() };
    expect(isIgnoredPath("/home/me/.config/build/proj/src/a.ts", nested, file)).toBe(false);
    expect(isIgnoredPath("/home/me/.config/build/proj", nested, dir)).toBe(false);
  });

  test("files: source extensions and the named files (even hidden, even without an extension)", () => {
    for (const ext of [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs", ".json"]) expect(isIgnoredPath(`/p/src/a${ext}`, targets, file)).toBe(false);
    expect(isIgnoredPath("/p/README.md", targets, file)).toBe(true);
    expect(isIgnoredPath("/p/image.png", targets, file)).toBe(true);
    expect(isIgnoredPath("/p/.env", targets)).toBe(false);
    expect(isIgnoredPath("/p/.env", targets, file)).toBe(false);
    expect(isIgnoredPath("/elsewhere/app.env", targets, file)).toBe(false);
    expect(isRelevantFile("/elsewhere/app.env", targets.files)).toBe(true);
    expect(isRelevantFile("/p/notes.txt", targets.files)).toBe(false);
    expect(isRelevantFile("/shared/util.mts", targets.files)).toBe(true);
  });

  test("nested folders fold into their parent", () => {
    expect(resolveWatchRoots(["/p", "/p/src", "/p/../shared", "/shared/lib", "/p"])).toEqual(["/p", "/shared"]);
    expect(resolveWatchRoots(["/p", "/"])).toEqual(["/"]);
  });
});

describe("watchProject", () => {
  function project() {
    const tmp = makeTempDir("lg-dev-watch-");
    cleanups.push(tmp.cleanup);
    writeFiles(tmp.dir, {
      "langgraph.json": "{}",
      "src/a.ts": "1",
      "src/b.ts": "1",
      "node_modules/pkg/index.js": "1",
      ".git/HEAD": "1",
      ".langgraph_api/journal.json": "1",
      "dist/out.js": "1",
      "README.md": "1",
    });
    return tmp.dir;
  }

  function start(
    dir: string,
    onChange: (paths: string[]) => Promise<void>,
    extra: { files?: string[]; dirs?: string[]; debounceMs?: number; changedSince?: number } = {},
  ): ProjectWatcher {
    const watcher = watchProject({
      targets: { dirs: [dir, ...(extra.dirs ?? [])], files: [join(dir, "langgraph.json"), ...(extra.files ?? [])] },
      onChange,
      debounceMs: extra.debounceMs ?? 50,
      changedSince: extra.changedSince,
    });
    cleanups.push(() => watcher.close());
    return watcher;
  }

  test("a burst of saves is one batch; ignored folders and irrelevant files never show up", async () => {
    const dir = project();
    const batches: string[][] = [];
    // A generous quiet period, so that a loaded machine does not split the ~40 ms burst below.
    const watcher = start(dir, async (paths) => void batches.push(paths.sort()), { debounceMs: 250 });
    await watcher.ready;

    writeFileSync(join(dir, "node_modules/pkg/index.js"), "2");
    writeFileSync(join(dir, ".git/HEAD"), "2");
    writeFileSync(join(dir, ".langgraph_api/journal.json"), "2");
    writeFileSync(join(dir, "dist/out.js"), "2");
    writeFileSync(join(dir, "README.md"), "2");
    // A checkout-like burst: several files, one removed, one created, over ~60 ms; a.ts saved the way many
    // editors do (write a temp file, rename it over the original).
    writeFileSync(join(dir, "src/a.ts.tmp-123"), "2");
    renameSync(join(dir, "src/a.ts.tmp-123"), join(dir, "src/a.ts"));
    await new Promise((r) => setTimeout(r, 20));
    rmSync(join(dir, "src/b.ts"));
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(join(dir, "src/c.ts"), "new");
    writeFileSync(join(dir, "langgraph.json"), '{"graphs":{}}');

    await until("a batch", () => batches.length > 0);
    // Nothing else is coming: a further two debounce periods stay quiet.
    await new Promise((r) => setTimeout(r, 500));
    expect(batches).toEqual([[join(dir, "langgraph.json"), join(dir, "src/a.ts"), join(dir, "src/b.ts"), join(dir, "src/c.ts")]]);
  });

  test("events during a running batch wait for it and come as the next batch", async () => {
    const dir = project();
    const batches: string[][] = [];
    let release!: () => void;
    let running = 0;
    let overlap = false;
    const watcher = start(dir, async (paths) => {
      running++;
      if (running > 1) overlap = true;
      batches.push(paths);
      if (batches.length === 1) await new Promise<void>((r) => (release = r));
      running--;
    });
    await watcher.ready;
    writeFileSync(join(dir, "src/a.ts"), "2");
    await until("the first batch", () => batches.length === 1);
    writeFileSync(join(dir, "src/b.ts"), "2");
    await new Promise((r) => setTimeout(r, 150));
    expect(batches).toHaveLength(1);
    release();
    await until("the second batch", () => batches.length === 2);
    expect(batches[1]).toEqual([join(dir, "src/b.ts")]);
    expect(overlap).toBe(false);
  });

  test("a dependency folder and an env file outside the project are watched; setTargets switches them", async () => {
    const dir = project();
    const shared = makeTempDir("lg-dev-watch-shared-");
    cleanups.push(shared.cleanup);
    writeFiles(shared.dir, { "util.ts": "1", "app.env": "A=1" });
    const batches: string[][] = [];
    const watcher = start(dir, async (paths) => void batches.push(paths), { dirs: [join(shared.dir)] });
    await watcher.ready;
    writeFileSync(join(shared.dir, "util.ts"), "2");
    await until("the dependency edit", () => batches.flat().includes(join(shared.dir, "util.ts")));

    await watcher.setTargets({ dirs: [dir], files: [join(dir, "langgraph.json"), join(shared.dir, "app.env")] });
    batches.length = 0;
    writeFileSync(join(shared.dir, "app.env"), "A=2");
    await until("the env edit", () => batches.flat().includes(join(shared.dir, "app.env")));
    // The folder is no longer watched, only that one file.
    writeFileSync(join(shared.dir, "util.ts"), "3");
    writeFileSync(join(dir, "src/a.ts"), "3");
    await until("the project edit", () => batches.flat().includes(join(dir, "src/a.ts")));
    expect(batches.flat()).not.toContain(join(shared.dir, "util.ts"));
  });

  test("changedSince: files modified after it (before the scan was done) come as one batch once ready", async () => {
    const dir = project();
    const loadedAt = Date.now();
    // Everything the project() wrote is older than the load; then two files are saved after it, before the watcher
    // even starts (as a save right after the ready banner lands before the initial scan is done).
    const old = new Date(loadedAt - 60_000);
    for (const f of ["langgraph.json", "src/a.ts", "src/b.ts", "node_modules/pkg/index.js", "dist/out.js", "README.md"]) utimesSync(join(dir, f), old, old);
    writeFileSync(join(dir, "src/a.ts"), "edited");
    writeFileSync(join(dir, "src/new.ts"), "added");
    writeFileSync(join(dir, "README.md"), "irrelevant");
    writeFileSync(join(dir, "dist/out.js"), "ignored");
    const batches: string[][] = [];
    const watcher = start(dir, async (paths) => void batches.push(paths.sort()), { changedSince: loadedAt });
    await watcher.ready;
    await until("the batch", () => batches.length > 0);
    await new Promise((r) => setTimeout(r, 200));
    expect(batches).toEqual([[join(dir, "src/a.ts"), join(dir, "src/new.ts")]]);
  });

  test("changedSince: nothing modified since, nothing reported", async () => {
    const dir = project();
    const batches: string[][] = [];
    const watcher = start(dir, async (paths) => void batches.push(paths), { changedSince: Date.now() + 1000 });
    await watcher.ready;
    await new Promise((r) => setTimeout(r, 200));
    expect(batches).toEqual([]);
  });

  test("close() stops reporting", async () => {
    const dir = project();
    mkdirSync(join(dir, "more"));
    const batches: string[][] = [];
    const watcher = start(dir, async (paths) => void batches.push(paths));
    await watcher.ready;
    await watcher.close();
    writeFileSync(join(dir, "src/a.ts"), "3");
    await new Promise((r) => setTimeout(r, 150));
    expect(batches).toEqual([]);
  });
});
