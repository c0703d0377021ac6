import type { AuthEventValueMap as SdkEventValueMap } from "@langchain/langgraph-sdk/auth";
import { describe, expect, it } from "vitest";
import { isLoopbackAddress, matchesFilters, mergeFilters, storeFilterTarget, type AuthEventValueMap } from "../../src/auth/index.js";

describe("matchesFilters", () => {
  const meta = { owner: "alice", org: { id: 1, name: "acme" }, tags: ["a", "b", { k: 1 }], n: 0, empty: null };

  it("matches everything without filters", () => {
    expect(matchesFilters(meta, undefined)).toBe(true);
    expect(matchesFilters(meta, {})).toBe(true);
    expect(matchesFilters(undefined, undefined)).toBe(true);
  });

  it("compares plain values and $eq, deeply", () => {
    expect(matchesFilters(meta, { owner: "alice" })).toBe(true);
    expect(matchesFilters(meta, { owner: "bob" })).toBe(false);
    expect(matchesFilters(meta, { owner: { $eq: "alice" } })).toBe(true);
    expect(matchesFilters(meta, { org: { name: "acme", id: 1 } })).toBe(true);
    expect(matchesFilters(meta, { org: { id: 1 } })).toBe(false);
    expect(matchesFilters(meta, { tags: ["a", "b", { k: 1 }] })).toBe(true);
    expect(matchesFilters(meta, { tags: ["b", "a", { k: 1 }] })).toBe(false);
    expect(matchesFilters(meta, { n: 0 })).toBe(true);
    expect(matchesFilters(meta, { n: "0" })).toBe(false);
    expect(matchesFilters(meta, { empty: null })).toBe(true);
    expect(matchesFilters(meta, { missing: null })).toBe(false);
    expect(matchesFilters(meta, { org: { $eq: { id: 1, name: "acme" } } })).toBe(true);
  });

  it("ANDs the keys", () => {
    expect(matchesFilters(meta, { owner: "alice", n: 0 })).toBe(true);
    expect(matchesFilters(meta, { owner: "alice", n: 1 })).toBe(false);
  });

  it("$contains checks membership of one value or all values of a list", () => {
    expect(matchesFilters(meta, { tags: { $contains: "a" } })).toBe(true);
    expect(matchesFilters(meta, { tags: { $contains: { k: 1 } } })).toBe(true);
    expect(matchesFilters(meta, { tags: { $contains: "z" } })).toBe(false);
    expect(matchesFilters(meta, { tags: { $contains: ["a", "b"] } })).toBe(true);
    expect(matchesFilters(meta, { tags: { $contains: ["a", "z"] } })).toBe(false);
    expect(matchesFilters(meta, { owner: { $contains: "ali" } })).toBe(false);
    expect(matchesFilters(meta, { missing: { $contains: "a" } })).toBe(false);
  });

  it("fails closed on unknown operators and malformed filters, without throwing", () => {
    expect(matchesFilters(meta, { owner: { $ne: "bob" } })).toBe(false);
    expect(matchesFilters(meta, { owner: { $eq: "alice", extra: 1 } })).toBe(false);
    expect(matchesFilters(meta, { owner: { $and: "alice" } })).toBe(false);
    expect(matchesFilters(meta, ["owner"] as never)).toBe(false);
    expect(matchesFilters(undefined, { owner: "alice" })).toBe(false);
  });

  it("does not read inherited properties", () => {
    expect(matchesFilters({}, { constructor: { $contains: "x" } })).toBe(false);
    expect(matchesFilters({}, { toString: Object.prototype.toString })).toBe(false);
  });
});

describe("mergeFilters", () => {
  it("ANDs two filters, keeping both conditions on a shared key", () => {
    expect(mergeFilters(undefined, undefined)).toBeUndefined();
    expect(mergeFilters({}, { a: 1 })).toEqual({ a: 1 });
    const merged = mergeFilters({ owner: "alice", tags: { $contains: "x" } }, { tags: { $contains: "y" }, org: 1 });
    expect(matchesFilters({ owner: "alice", tags: ["x", "y"], org: 1 }, merged)).toBe(true);
    expect(matchesFilters({ owner: "alice", tags: ["x"], org: 1 }, merged)).toBe(false);
    expect(matchesFilters({ owner: "alice" }, mergeFilters({ owner: "alice" }, { owner: "bob" }))).toBe(false);
  });
});

describe("storeFilterTarget", () => {
  it("exposes namespace, key and the value's fields", () => {
    const target = storeFilterTarget(["users", "alice"], "prefs", { owner: "alice", key: "spoofed" });
    expect(matchesFilters(target, { namespace: { $contains: "alice" }, key: "prefs", owner: "alice" })).toBe(true);
    expect(matchesFilters(storeFilterTarget(["users", "bob"]), { namespace: { $contains: "alice" } })).toBe(false);
  });
});

describe("isLoopbackAddress", () => {
  it.each(["127.0.0.1", "127.8.9.10", "::1", "0:0:0:0:0:0:0:1", "[::1]", "::ffff:127.0.0.1", "::ffff:7f00:1"])("%s is loopback", (addr) => {
    expect(isLoopbackAddress(addr)).toBe(true);
  });
  it.each([undefined, "", "10.0.0.1", "128.0.0.1", "::ffff:10.0.0.1", "::", "0.0.0.0", "localhost", "fe80::1%lo0", "1127.0.0.1", "::127.0.0.1"])(
    "%s is not loopback",
    (addr) => {
      expect(isLoopbackAddress(addr)).toBe(false);
    },
  );
});

// Compile-time: every value we build must be what a handler typed against the SDK expects.
type Incompatible = {
  [K in keyof SdkEventValueMap]: K extends keyof AuthEventValueMap
    ? AuthEventValueMap[K] extends SdkEventValueMap[K]
      ? never
      : K
    : K;
}[keyof SdkEventValueMap];
const allCompatible: [Incompatible] extends [never] ? true : Incompatible = true;
it("event value types are assignable to the SDK's", () => expect(allCompatible).toBe(true));
