/** The `http` keys of Python's langgraph.json that lg-dev reads: their validation and warnings. */
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/index.js";
import { resolveMountPrefix } from "../../src/config/mount-prefix.js";

const GRAPHS = { agent: "./src/agent.ts:graph" };
const load = (http: unknown) => resolveConfig({ graphs: GRAPHS, http }, "langgraph.json");

describe("http.mount_prefix", () => {
  it.each(["/my-api", "/api/v1", "/a_b-c.d"])("accepts %j", (prefix) => {
    expect(load({ mount_prefix: prefix }).config.http?.mount_prefix).toBe(prefix);
  });

  it.each([
    ["api", 'does not start with "/"'],
    ["/api/", 'ends with "/"'],
    ["/", 'ends with "/"'],
    ["/a//b", 'has an empty segment ("//")'],
    ["/a?b", "contains ?, #, %, \\ or a space"],
    ["/a/../b", 'has a "." or ".." segment'],
  ])("refuses %j: %s", (prefix, problem) => {
    expect(() => load({ mount_prefix: prefix })).toThrow(
      `Invalid langgraph.json: "http.mount_prefix" ${problem} (expected a path such as "/my-api", got ${JSON.stringify(prefix)})`,
    );
  });

  it("LANGGRAPH_MOUNT_PREFIX wins, and is checked the same way", () => {
    expect(resolveMountPrefix("/from-file", {})).toEqual({ prefix: "/from-file" });
    expect(resolveMountPrefix("/from-file", { LANGGRAPH_MOUNT_PREFIX: "/from-env" })).toEqual({ prefix: "/from-env" });
    expect(resolveMountPrefix(undefined, { LANGGRAPH_MOUNT_PREFIX: "" })).toEqual({ prefix: "" });
    expect(resolveMountPrefix(undefined, { LANGGRAPH_MOUNT_PREFIX: "env/" }).problem).toBe(
      'LANGGRAPH_MOUNT_PREFIX does not start with "/" (expected a path such as "/my-api" or "/api/v1", got "env/")',
    );
  });
});

describe("http header patterns", () => {
  it("take {includes, excludes} (the CLI schema) or {include, exclude} (the docs), null meaning none", () => {
    const { config, warnings } = load({
      configurable_headers: { includes: ["x-user-id"], excludes: null },
      logging_headers: { include: ["x-request-id"], exclude: ["*key*"] },
    });
    expect(config.http?.configurable_headers).toEqual({ includes: ["x-user-id"], excludes: null });
    expect(config.http?.logging_headers).toEqual({ include: ["x-request-id"], exclude: ["*key*"] });
    expect(warnings).toEqual([]);
  });

  it("refuse a pattern list that is not a list of strings, naming the key", () => {
    expect(() => load({ configurable_headers: { includes: "x-*" } })).toThrow(
      '"http.configurable_headers.includes" must be an array of strings or a null, got the string "x-*"',
    );
    expect(() => load({ logging_headers: { excludes: [1] } })).toThrow('"http.logging_headers.excludes[0]" must be a string, got the number 1');
  });
});

describe("other http keys of the Python server", () => {
  it("disable_* keys are booleans; disable_mcp and disable_a2a need no warning (lg-dev serves neither)", () => {
    const { warnings } = load({ disable_webhooks: true, disable_ui: true, disable_mcp: true, disable_a2a: true, disable_meta: false });
    expect(warnings).toEqual([]);
    expect(() => load({ disable_webhooks: "yes" })).toThrow('"http.disable_webhooks" must be a boolean, got the string "yes"');
  });

  it("middleware_order is accepted with a warning saying what lg-dev does", () => {
    const { warnings } = load({ middleware_order: "middleware_first" });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^langgraph\.json: "http\.middleware_order" is not used by lg-dev: a request to the custom app \(http\.app\) is authenticated before/);
  });
});
