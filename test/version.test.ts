import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkPeers, installedPackage, packageInfo, placeVersion } from "../src/version.js";
import { makeTempDir } from "./helpers/spawn.js";

describe("placeVersion", () => {
  it.each([
    ["1.0.0", "^1.0.0", "inside"],
    ["1.7.3", "^1.0.0", "inside"],
    ["1.1.0", "^1.1.0", "inside"],
    ["1.0.9", "^1.1.0", "below"],
    ["0.2.74", "^1.0.0", "below"],
    ["0.3.80", "^1.1.0", "below"],
    ["2.0.0", "^1.0.0", "above"],
    ["1.2.0-rc.1", "^1.2.0", "below"],
    ["1.3.0-rc.1", "^1.2.0", "inside"],
    ["0.2.5", "^0.2.0", "inside"],
    ["0.3.0", "^0.2.0", "above"],
    ["1.4.2", "~1.4.0", "inside"],
    ["1.5.0", ">=1.0.0 <1.5.0", "above"],
    ["0.9.0", "^0.9.0 || ^1.0.0", "inside"],
    ["1.0.0", "^0.9.0 || ^1.0.0", "inside"],
    ["0.8.0", "^0.9.0 || ^1.0.0", "below"],
    ["1.x", "^1.0.0", "inside"],
    ["latest", "^1.0.0", "unknown"],
  ])("%s against %s is %s", (version, range, expected) => {
    expect(placeVersion(version, range)).toBe(expected);
  });
});

describe("checkPeers", () => {
  const temp = makeTempDir("lg-dev-peers-");
  afterAll(() => temp.cleanup());
  const peers = packageInfo().peerDependencies!;

  /** A project whose node_modules holds these package versions (package.json files only: nothing is imported). */
  function project(name: string, versions: Record<string, string>): string {
    const dir = join(temp.dir, name);
    for (const [pkg, version] of Object.entries(versions)) {
      mkdirSync(join(dir, "node_modules", pkg), { recursive: true });
      writeFileSync(join(dir, "node_modules", pkg, "package.json"), JSON.stringify({ name: pkg, version }));
    }
    mkdirSync(join(dir, "src"), { recursive: true });
    return dir;
  }
  const lowest = Object.fromEntries(Object.entries(peers).map(([pkg, range]) => [pkg, /\d+\.\d+\.\d+/.exec(range)![0]]));

  it("accepts the lowest declared versions, found from a sub-directory too", () => {
    const dir = project("lowest", lowest);
    expect(installedPackage("@langchain/langgraph", join(dir, "src"))).toEqual({ dir: join(dir, "node_modules", "@langchain/langgraph"), version: "1.0.0" });
    expect(checkPeers(dir, dir)).toEqual({ warnings: [] });
  });

  it("names each package that is too old with the version found and the range needed, in one line", () => {
    const dir = project("old", { ...lowest, "@langchain/langgraph": "0.2.74", "@langchain/core": "0.3.80" });
    const { error } = checkPeers(dir, dir);
    expect(error).toBe(
      `@langchain/core 0.3.80 is too old, lg-dev needs ${peers["@langchain/core"]}; ` +
        `@langchain/langgraph 0.2.74 is too old, lg-dev needs ${peers["@langchain/langgraph"]}. ` +
        `Run: npm install "@langchain/core@${peers["@langchain/core"]}" "@langchain/langgraph@${peers["@langchain/langgraph"]}"`,
    );
    expect(error).not.toContain("\n");
  });

  it("checks lg-dev's own copies too (lg-dev run from a clone on a project with its own node_modules)", () => {
    const dir = project("fine", lowest);
    const own = project("own-old", { ...lowest, "@langchain/langgraph-checkpoint": "0.0.18" });
    expect(checkPeers(dir, own).error).toMatch(/^@langchain\/langgraph-checkpoint 0\.0\.18 is too old/);
  });

  it("a missing LangGraph is an error; a missing SDK is not (only an auth module imports it); a newer major warns", () => {
    const { "@langchain/langgraph": _, "@langchain/langgraph-sdk": __, ...rest } = lowest;
    expect(checkPeers(project("missing", rest), temp.dir).error).toMatch(/^@langchain\/langgraph is not installed, lg-dev needs \^1/);
    const newer = checkPeers(project("newer", { ...lowest, "@langchain/langgraph": "2.0.0" }), temp.dir);
    expect(newer.error).toBeUndefined();
    expect(newer.warnings).toEqual([expect.stringMatching(/^@langchain\/langgraph 2\.0\.0 is newer than lg-dev declares/)]);
  });
});
