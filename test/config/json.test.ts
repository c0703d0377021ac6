import { describe, expect, test } from "vitest";
import { lineAndColumn, locateJsonError, parseJsonFile } from "../../src/config/json.js";

describe("JSON errors with a position", () => {
  test.each([
    ['{"a": 1,}', 8, "Trailing comma before '}'"],
    ['{"a" 1}', 5, "Expected ':' after the property name but found \"1\""],
    ['{"a": 1 2}', 8, "Expected ',' or '}' after a property value but found \"2\""],
    ["{'a': 1}", 1, "Expected a double-quoted property name but found \"'\""],
    ['{"a": tru}', 6, 'Unexpected token "t"'],
    ['{"a": [1, 2', 11, "Unexpected end of JSON input"],
    ['{"a": "x\ny"}', 8, "Bad control character in string literal"],
    ["{} extra", 3, 'Unexpected token "e"'],
    ["", 0, "Unexpected end of JSON input"],
  ])("%j", (text, offset, message) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(locateJsonError(text)).toEqual({ offset, message });
  });

  test("valid JSON has no error", () => {
    expect(locateJsonError('{"a": [1, -2.5e3, true, null, "\\u00e9\\n"], "b": {}}')).toBeUndefined();
  });

  test("line and column are 1-based", () => {
    expect(lineAndColumn("ab\ncd", 0)).toEqual({ line: 1, column: 1 });
    expect(lineAndColumn("ab\ncd", 4)).toEqual({ line: 2, column: 2 });
  });

  test("parseJsonFile strips a BOM and labels errors", () => {
    expect(parseJsonFile('\uFEFF{"a": 1}', "x.json")).toEqual({ a: 1 });
    expect(() => parseJsonFile('{\n  "a": }', "x.json")).toThrow('x.json:2:8: Unexpected token "}"');
  });
});
