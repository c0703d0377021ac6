import { afterEach, describe, expect, test } from "vitest";
import { join } from "node:path";
import { ConfigError } from "../../src/errors.js";
import { loadConfig, resolveConfig } from "../../src/config/index.js";
import { makeTempDir, writeFiles } from "../helpers/spawn.js";

const temps: Array<() => void> = [];
afterEach(() => {
  while (temps.length) temps.pop()!();
});

function project(files: Record<string, string>): string {
  const tmp = makeTempDir("lg-dev-config-");
  temps.push(tmp.cleanup);
  writeFiles(tmp.dir, files);
  return tmp.dir;
}

/** The ConfigError message for `raw` as langgraph.json content. */
function invalid(raw: unknown): string {
  try {
    resolveConfig(raw, "langgraph.json");
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected the config to be rejected");
}

const GRAPHS = { agent: "./src/agent.ts:graph" };

describe("loadConfig", () => {
  test("reads a directory's langgraph.json and normalises graphs", async () => {
    const dir = project({
      "langgraph.json": JSON.stringify({
        graphs: { agent: "./src/agent.ts:graph", plain: "./src/plain.ts", described: { path: "./src/d.ts:g", description: "A described graph" } },
        env: ".env",
        dependencies: ["."],
      }),
    });
    const loaded = await loadConfig(dir);
    expect(loaded.configPath).toBe(join(dir, "langgraph.json"));
    expect(loaded.configDir).toBe(dir);
    expect(loaded.graphs).toEqual([
      { graphId: "agent", path: "./src/agent.ts:graph" },
      { graphId: "plain", path: "./src/plain.ts" },
      { graphId: "described", path: "./src/d.ts:g", description: "A described graph" },
    ]);
    expect(loaded.config.dependencies).toEqual(["."]);
    expect(loaded.warnings).toEqual([]);
  });

  test("accepts a file path, relative to cwd", async () => {
    const dir = project({ "conf/custom.json": JSON.stringify({ graphs: GRAPHS }) });
    const loaded = await loadConfig("conf/custom.json", dir);
    expect(loaded.configPath).toBe(join(dir, "conf/custom.json"));
    expect(loaded.configDir).toBe(join(dir, "conf"));
  });

  test("a missing file or a directory without langgraph.json says where it looked", async () => {
    const dir = project({ "README.md": "" });
    await expect(loadConfig(dir)).rejects.toThrow(new ConfigError(`No langgraph.json in ${dir} (looked for ${join(dir, "langgraph.json")})`));
    await expect(loadConfig(join(dir, "nope.json"))).rejects.toThrow(`Config file not found: ${join(dir, "nope.json")}`);
  });

  test("a JSON syntax error gives file:line:col", async () => {
    const dir = project({ "langgraph.json": '{\n  "graphs": {\n    "agent": "./a.ts:g",\n  }\n}\n' });
    await expect(loadConfig(dir, dir)).rejects.toThrow("langgraph.json:4:3: Trailing comma before '}'");
    const other = project({ "langgraph.json": '{\n  "graphs": { "agent": ./a.ts }\n}' });
    await expect(loadConfig(other, other)).rejects.toThrow(`langgraph.json:2:24: Unexpected token "."`);
  });

  test("the file is named by its absolute path when it is outside cwd", async () => {
    const dir = project({ "langgraph.json": "{" });
    await expect(loadConfig(dir, "/")).rejects.toThrow(`${join(dir, "langgraph.json").slice(1)}:1:2: Unexpected end of JSON input`);
    await expect(loadConfig(dir, join(dir, "sub"))).rejects.toThrow(`${join(dir, "langgraph.json")}:1:2: Unexpected end of JSON input`);
  });

  test("warns once per key lg-dev does not use", async () => {
    const dir = project({
      "langgraph.json": JSON.stringify({
        $schema: "https://langgra.ph/schema.json",
        graphs: GRAPHS,
        python_version: "3.12",
        dockerfile_lines: [],
        image_distro: "wolfi",
        store: { path: "./store.py:store", ttl: { default_ttl: 5 } },
        checkpointer: { path: "./saver.py:saver", ttl: {} },
        grpahs: {},
      }),
    });
    const { warnings } = await loadConfig(dir, dir);
    expect(warnings).toEqual([
      'langgraph.json: "python_version" is not used by lg-dev; ignored',
      'langgraph.json: "dockerfile_lines" is not used by lg-dev; ignored',
      'langgraph.json: "image_distro" is not used by lg-dev; ignored',
      'langgraph.json: unknown key "grpahs"; ignored',
      'langgraph.json: "store.path" (a custom store) is not used by lg-dev; the built-in store is used',
      'langgraph.json: "checkpointer.path" (a custom checkpointer) is not used by lg-dev; the built-in checkpointer is used',
    ]);
  });

  test("store.index needs dims and embed, named in the message", async () => {
    const dir = project({ "langgraph.json": JSON.stringify({ graphs: GRAPHS, store: { index: { dims: 3 } } }) });
    await expect(loadConfig(dir, dir)).rejects.toThrow('"store.index.embed" is required');
  });

  test("warns when node_version names another major than the running Node", async () => {
    const other = Number(process.versions.node.split(".")[0]) + 2;
    const dir = project({ "langgraph.json": JSON.stringify({ graphs: GRAPHS, node_version: String(other) }) });
    const { warnings } = await loadConfig(dir, dir);
    expect(warnings).toEqual([`langgraph.json: "node_version" is ${other} but lg-dev runs on Node ${process.versions.node}`]);
  });
});

describe("validation: messages name the file, the key and what was expected", () => {
  test("graphs is required and must be a non-empty object", () => {
    expect(invalid({})).toBe('Invalid langgraph.json: "graphs" is required (a non-empty object whose values are a "path/to/file.ts:exportName" string or an object)');
    expect(invalid({ graphs: {} })).toContain('"graphs" must be a non-empty object whose values are');
    expect(invalid({ graphs: {} })).toContain("got an empty object");
    expect(invalid({ graphs: ["./a.ts"] })).toContain('"graphs" must be a non-empty object');
    expect(invalid([])).toBe("Invalid langgraph.json: the file must be an object, got an array");
  });

  test("each graph is a path:export string or {path, description}", () => {
    expect(invalid({ graphs: { agent: 3 } })).toBe(
      'Invalid langgraph.json: "graphs.agent" must be a "path/to/file.ts:exportName" string or an object, got the number 3',
    );
    expect(invalid({ graphs: { agent: "./a.ts:not-valid" } })).toContain('"graphs.agent" has an invalid export name "not-valid"');
    expect(invalid({ graphs: { agent: ":graph" } })).toContain('"graphs.agent" names no file');
    expect(invalid({ graphs: { agent: { description: "x" } } })).toContain('"graphs.agent.path" is required');
    expect(invalid({ graphs: { agent: { path: "./a.ts", description: 1 } } })).toContain('"graphs.agent.description" must be a string, got the number 1');
  });

  test("ui and ui_config (generative UI) are read and checked", async () => {
    const dir = project({ "langgraph.json": JSON.stringify({ graphs: GRAPHS, ui: { agent: "./src/ui.tsx" }, ui_config: { shared: ["@acme/kit"] } }) });
    const loaded = await loadConfig(dir, dir);
    expect(loaded.warnings).toEqual([]);
    expect(loaded.config.ui).toEqual({ agent: "./src/ui.tsx" });
    expect(loaded.config.ui_config).toEqual({ shared: ["@acme/kit"] });
    expect(invalid({ graphs: GRAPHS, ui: { agent: 1 } })).toBe('Invalid langgraph.json: "ui.agent" must be a string, got the number 1');
    expect(invalid({ graphs: GRAPHS, ui_config: { shared: "@acme/kit" } })).toContain('"ui_config.shared" must be an array of strings');
  });

  test("all problems are listed at once", () => {
    const message = invalid({ graphs: { a: 1, b: "./b.ts" }, env: 5, dependencies: ["x", 2] });
    expect(message.split("\n")).toEqual([
      "Invalid langgraph.json:",
      '  - "graphs.a" must be a "path/to/file.ts:exportName" string or an object, got the number 1',
      '  - "env" must be a string or an object whose values are a string, got the number 5',
      '  - "dependencies[1]" must be a string, got the number 2',
    ]);
  });

  test.each([
    [{ env: ["A=1"] }, '"env" must be a string or an object whose values are a string, got an array'],
    [{ env: { A: 1 } }, '"env.A" must be a string, got the number 1'],
    [{ dependencies: "." }, '"dependencies" must be an array of strings, got the string "."'],
    [{ node_version: 20 }, '"node_version" must be a string, got the number 20'],
    [{ auth: "./auth.ts:auth" }, '"auth" must be an object, got the string'],
    [{ auth: { path: 1 } }, '"auth.path" must be a string, got the number 1'],
    [{ auth: { disable_studio_auth: "yes" } }, '"auth.disable_studio_auth" must be a boolean or the string "true"/"false", got the string "yes"'],
    [{ http: true }, '"http" must be an object, got the boolean true'],
    [{ http: { disable_runs: "true" } }, '"http.disable_runs" must be a boolean, got the string "true"'],
    [{ http: { cors: { allow_origins: "*" } } }, '"http.cors.allow_origins" must be an array of strings, got the string "*"'],
    [{ store: [] }, '"store" must be an object, got an array'],
    [{ checkpointer: "memory" }, '"checkpointer" must be an object, got the string "memory"'],
  ])("%j", (extra, expected) => {
    expect(invalid({ graphs: GRAPHS, ...extra })).toContain(expected);
  });

  test("valid optional keys pass through with their types", () => {
    const { config, warnings } = resolveConfig(
      {
        graphs: GRAPHS,
        env: { A: "1" },
        node_version: "20",
        auth: { path: "./auth.ts:auth", openapi: { securitySchemes: {} }, custom_thing: 1 },
        http: { app: "./app.ts:app", cors: { allow_origins: ["*"], allow_credentials: true }, disable_store: true, mount_prefix: "/x" },
      },
      "langgraph.json",
    );
    expect(warnings).toEqual([]);
    expect(config.auth?.path).toBe("./auth.ts:auth");
    expect(config.auth?.custom_thing).toBe(1);
    expect(config.http?.cors?.allow_origins).toEqual(["*"]);
    expect(config.http?.disable_store).toBe(true);
    expect(config.http?.mount_prefix).toBe("/x");
    expect(config.env).toEqual({ A: "1" });
  });

  test.each([
    [true, true],
    [false, false],
    ["true", true],
    ["FALSE", false],
    ["True", true],
    [" false ", false],
  ])("auth.disable_studio_auth %j becomes %j", (value, expected) => {
    const { config } = resolveConfig({ graphs: GRAPHS, auth: { disable_studio_auth: value } }, "langgraph.json");
    expect(config.auth?.disable_studio_auth).toBe(expected);
  });
});
