import { describe, expect, it } from "vitest";
import { matchesFilters } from "../src/auth/filters.js";
import { isPlainObject, jsonEqual } from "../src/json-value.js";
import { contains } from "../src/json-value.js";

describe("isPlainObject", () => {
  it("is true for what JSON produces and for null-prototype objects", () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject(JSON.parse('{"a": 1}'))).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
  });

  it.each([[null], [[]], ["x"], [1], [new Date()], [new Map()], [new (class A {})()]])("is false for %o", (value) => {
    expect(isPlainObject(value)).toBe(false);
  });
});

describe("jsonEqual", () => {
  it("compares arrays by order and objects by keys in any order", () => {
    expect(jsonEqual({ a: [1, { b: 2 }], c: null }, { c: null, a: [1, { b: 2 }] })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEqual({ a: 1 }, [1])).toBe(false);
    expect(jsonEqual("1", 1)).toBe(false);
  });

  it("counts a key whose value is undefined as absent, as JSON.stringify does", () => {
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(true);
    expect(jsonEqual({ a: undefined }, { b: undefined })).toBe(true);
    expect(jsonEqual({ a: undefined }, { a: null })).toBe(false);
  });

  it("compares other objects by identity only", () => {
    const d = new Date(0);
    expect(jsonEqual(d, d)).toBe(true);
    expect(jsonEqual(new Date(0), new Date(0))).toBe(false);
    expect(jsonEqual(new Map(), {})).toBe(false);
  });

  it("is what auth filters and metadata containment use", () => {
    // A handler building its filter from optional fields: `{org: user.org}` with no org is no condition on org.
    expect(matchesFilters({ owner: { id: "a" } }, { owner: { id: "a", org: undefined } })).toBe(true);
    expect(contains({ tags: ["x", "y"], n: 1 }, { tags: ["y"], n: 1 })).toBe(true);
    expect(contains({ n: 1 }, { n: "1" })).toBe(false);
  });
});
