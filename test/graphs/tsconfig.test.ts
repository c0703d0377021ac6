/** The project's tsconfig.json as the loader reads it (get-tsconfig): compiler options for esbuild, path aliases. */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { loadProjectTsconfig } from "../../src/graphs/tsconfig.js";
import { tempProject } from "../helpers/temp-project.js";

const project = (files: Record<string, string>) => tempProject(files, "lg-dev-tsconfig-");

describe("loadProjectTsconfig", () => {
  it("follows extends, reads comments and trailing commas, and maps path aliases as TypeScript does", () => {
    const dir = project({
      "tsconfig.json": '{\n  // the project\n  "extends": "./config/base.json",\n  "compilerOptions": { "jsx": "react-jsx", },\n}\n',
      "config/base.json": JSON.stringify({
        compilerOptions: { experimentalDecorators: true, baseUrl: "..", paths: { "@lib/*": ["lib/*"], "@lib/special": ["other/special.ts"] } },
      }),
    });
    const tsconfig = loadProjectTsconfig(dir)!;
    expect(tsconfig.file).toBe(join(dir, "tsconfig.json"));
    expect(tsconfig.compilerOptions).toMatchObject({ jsx: "react-jsx", experimentalDecorators: true });
    expect(tsconfig.aliasTargets("@lib/words.js")).toEqual([join(dir, "lib/words.js")]);
    // The most specific pattern wins.
    expect(tsconfig.aliasTargets("@lib/special")).toEqual([join(dir, "other/special.ts")]);
  });

  it("maps nothing without paths or baseUrl", () => {
    const tsconfig = loadProjectTsconfig(project({ "tsconfig.json": '{ "compilerOptions": { "strict": true } }' }))!;
    expect(tsconfig.aliasTargets("@lib/words")).toEqual([]);
  });

  it("is none without a tsconfig.json, or with one that extends what is not installed (as tsx goes on)", () => {
    expect(loadProjectTsconfig(project({ "graph.ts": "" }))).toBeUndefined();
    expect(loadProjectTsconfig(project({ "tsconfig.json": '{ "extends": "@tsconfig/not-installed/tsconfig.json" }' }))).toBeUndefined();
  });
});
