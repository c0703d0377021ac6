/** One name per project file, whichever way it is reached: the watcher's path, Node's URL, a symlink. */
import { describe, expect, it } from "vitest";
import { realpathSync, rmSync, symlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { inNodeModules, pathOf, realFile } from "../../src/graphs/paths.js";
import { tempProject } from "../helpers/temp-project.js";

describe("realFile", () => {
  it("follows symlinks, also for a file that was deleted (the watcher reports it after it is gone)", () => {
    const dir = tempProject({ "project/src/graph.ts": "" }, "lg-dev-paths-");
    const real = join(realpathSync(dir), "project");
    const link = join(dir, "link");
    symlinkSync(real, link, "dir");

    expect(realFile(join(link, "src/graph.ts"))).toBe(join(real, "src/graph.ts"));
    rmSync(join(real, "src/graph.ts"));
    expect(realFile(join(link, "src/graph.ts"))).toBe(join(real, "src/graph.ts"));
    // Its folder gone too: the path as given, made absolute.
    expect(realFile(join(link, "gone/graph.ts"))).toBe(join(link, "gone/graph.ts"));
    expect(realFile("relative/x.ts")).toBe(resolve("relative/x.ts"));
  });
});

describe("pathOf", () => {
  it("is the path of a file URL without a generation query, or the query tsx encodes into the path", () => {
    const url = pathToFileURL("/p/src/graph.ts").href;
    expect(pathOf(url)).toBe("/p/src/graph.ts");
    expect(pathOf(`${url}?lg_gen=ab12.3`)).toBe("/p/src/graph.ts");
    expect(pathOf(`${url}%3Ftsx-namespace=1`)).toBe("/p/src/graph.ts");
  });
});

describe("inNodeModules", () => {
  it("tells packages from project files, in paths and (encoded) URLs", () => {
    expect(inNodeModules("/p/node_modules/@langchain/langgraph/dist/index.js")).toBe(true);
    expect(inNodeModules("file:///p/node%5Fmodules/x/index.js")).toBe(true);
    expect(inNodeModules("/p/src/node_modules_notes.ts")).toBe(false);
    expect(inNodeModules("file:///p/src/graph.ts")).toBe(false);
  });
});
