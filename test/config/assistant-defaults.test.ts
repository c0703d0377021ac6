import { describe, expect, it } from "vitest";
import { parseAssistantDefaults } from "../../src/config/assistant-defaults.js";

describe("LANGGRAPH_CONFIG", () => {
  it("is keyed by graph id; each value is the config, with the context under `context`", () => {
    const { defaults, warnings } = parseAssistantDefaults(
      JSON.stringify({ agent: { configurable: { model: "m" }, recursion_limit: 5, context: { user: "u" } }, other: {} }),
    );
    expect(warnings).toEqual([]);
    expect(defaults).toEqual({
      agent: { config: { configurable: { model: "m" }, recursion_limit: 5 }, context: { user: "u" } },
      other: { config: {}, context: {} },
    });
  });

  it("also accepts {config, context}", () => {
    expect(parseAssistantDefaults('{"a": {"config": {"configurable": {"x": 1}}, "context": {"y": 2}}}').defaults).toEqual({
      a: { config: { configurable: { x: 1 } }, context: { y: 2 } },
    });
  });

  it("unset or empty: nothing; broken: a warning and nothing", () => {
    expect(parseAssistantDefaults(undefined)).toEqual({ defaults: {}, warnings: [] });
    expect(parseAssistantDefaults("  ")).toEqual({ defaults: {}, warnings: [] });
    expect(parseAssistantDefaults("{nope").warnings[0]).toMatch(/not valid JSON/);
    expect(parseAssistantDefaults("[1]").warnings[0]).toMatch(/keyed by graph id/);
    const partial = parseAssistantDefaults('{"a": 3, "b": {"tags": ["t"]}}');
    expect(partial.defaults).toEqual({ b: { config: { tags: ["t"] }, context: {} } });
    expect(partial.warnings[0]).toMatch(/LANGGRAPH_CONFIG\["a"\]/);
  });
});
