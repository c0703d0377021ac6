import { describe, expect, expectTypeOf, it } from "vitest";
import { resolveConfig, type LanggraphConfig } from "../../src/config/index.js";
import { configSchema } from "../../src/config/schema.js";
import { expected, validate } from "../../src/config/validate.js";

const GRAPHS = { agent: "./src/agent.ts:graph" };

describe("the langgraph.json schema", () => {
  it("is the TypeScript type of a loaded config, formats normalised", () => {
    // Checked by the type checker (npm run typecheck): the schema and the type cannot drift apart.
    type Http = NonNullable<LanggraphConfig["http"]>;
    expectTypeOf<NonNullable<LanggraphConfig["auth"]>["disable_studio_auth"]>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<Http["allowed_hosts"]>().toEqualTypeOf<string[] | true | undefined>();
    expectTypeOf<NonNullable<Http["cors"]>["allow_origins"]>().toEqualTypeOf<string[] | undefined>();
    expectTypeOf<LanggraphConfig["env"]>().toEqualTypeOf<string | { [key: string]: string } | undefined>();
    expectTypeOf<LanggraphConfig["graphs"][string]>().toMatchTypeOf<string | { path: string; description?: string }>();
    expect(configSchema.required).toEqual(["graphs"]);
  });

  it.each([
    ["all", true],
    [true, true],
    [["a.test", "all"], true],
    [[".a.test"], [".a.test"]],
  ])("reads http.allowed_hosts %j as %j", (allowed, normalised) => {
    const { config } = resolveConfig({ graphs: GRAPHS, http: { allowed_hosts: allowed } }, "langgraph.json");
    expect(config.http?.allowed_hosts).toEqual(normalised);
  });

  it.each([[false], ["some.host"], [["a", 1]]])("refuses http.allowed_hosts %j", (allowed) => {
    expect(() => resolveConfig({ graphs: GRAPHS, http: { allowed_hosts: allowed } }, "langgraph.json")).toThrow(
      `"http.allowed_hosts" must be an array of host names, true or "all", got`,
    );
  });
});

describe("validate", () => {
  it("says what a schema expects", () => {
    expect(expected({ type: "array", items: { type: "string" } })).toBe("an array of strings");
    expect(expected({ type: "object", minProperties: 1, additionalProperties: { type: "number" } })).toBe("a non-empty object whose values are a number");
    expect(expected({ anyOf: [{ type: "string" }, { type: "object" }] })).toBe("a string or an object");
    expect(expected({ type: ["integer", "null"] })).toBe("an integer or a null");
    expect(expected({})).toBe("any JSON value");
  });

  it("keeps unknown keys, reports every issue with its path, and warns about top-level keys only when asked", () => {
    const schema = { type: "object", properties: { a: { type: "object", properties: { b: { type: "number" } } } } } as const;
    const ok = validate(schema, { a: { b: 1, extra: true }, top: 1 }, { unknownKey: (key) => `unknown ${key}` });
    expect(ok).toEqual({ value: { a: { b: 1, extra: true }, top: 1 }, issues: [], warnings: [{ path: "top", message: "unknown top" }] });
    const bad = validate({ type: "array", items: schema }, [{ a: { b: "x" } }, { a: 2 }]);
    expect(bad.value).toBeUndefined();
    expect(bad.issues).toEqual([
      { path: "[0].a.b", message: 'must be a number, got the string "x"' },
      { path: "[1].a", message: "must be an object, got the number 2" },
    ]);
  });
});
