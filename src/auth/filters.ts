/**
 * Matching stored items against the filters an authorization handler returned.
 *
 * A filter maps a metadata key to a condition:
 * - a plain value: deep equality (`{owner: "alice"}`, `{tags: ["a", "b"]}`)
 * - `{$eq: v}`: deep equality with `v`, whatever `v` is (even an object with `$` keys)
 * - `{$contains: v}`: the item's value is an array holding `v`; `{$contains: [v1, v2]}`: holding all of them
 * - `{$and: [c1, c2]}`: every condition holds (lg-dev's own; produced by `mergeFilters`)
 * Several operators in one condition, and several keys, are ANDed. Anything we do not understand (an unknown
 * `$operator`, a malformed operand) matches nothing: a typo in a handler must hide data, not reveal it.
 */
import { isPlainObject, jsonEqual } from "../json-value.js";
import type { AuthFilters } from "./types.js";

/** True when `target` (an item's metadata, or `storeFilterTarget(...)`) satisfies every key of `filters`. */
export function matchesFilters(target: Record<string, unknown> | undefined, filters?: AuthFilters): boolean {
  if (filters === undefined || filters === null) return true;
  if (!isPlainObject(filters)) return false;
  const subject = isPlainObject(target) ? target : {};
  for (const [key, condition] of Object.entries(filters)) {
    const actual = Object.hasOwn(subject, key) ? subject[key] : undefined;
    if (!matchesCondition(actual, condition)) return false;
  }
  return true;
}

/** AND of two filter objects; undefined when neither filters anything. Keys present in both keep both conditions. */
export function mergeFilters(a?: AuthFilters, b?: AuthFilters): AuthFilters | undefined {
  const hasA = a !== undefined && a !== null && Object.keys(a).length > 0;
  const hasB = b !== undefined && b !== null && Object.keys(b).length > 0;
  if (!hasA) return hasB ? { ...b } : undefined;
  if (!hasB) return { ...a };
  const merged: AuthFilters = { ...a };
  for (const [key, condition] of Object.entries(b)) {
    merged[key] = Object.hasOwn(merged, key) ? { $and: [merged[key], condition] } : condition;
  }
  return merged;
}

/**
 * What store filters are matched against: the item's value fields, overridden by `namespace` (the array) and `key`,
 * so `{namespace: {$contains: user}}` and `{owner: user}` both work. Omit key/value for a bare namespace.
 */
export function storeFilterTarget(namespace: string[], key?: string, value?: Record<string, unknown>): Record<string, unknown> {
  return { ...(value ?? {}), namespace, ...(key === undefined ? {} : { key }) };
}

function matchesCondition(actual: unknown, condition: unknown): boolean {
  if (!isOperatorObject(condition)) return jsonEqual(actual, condition);
  for (const [op, operand] of Object.entries(condition)) {
    if (op === "$eq") {
      if (!jsonEqual(actual, operand)) return false;
    } else if (op === "$contains") {
      if (!Array.isArray(actual)) return false;
      const wanted = Array.isArray(operand) ? operand : [operand];
      if (!wanted.every((w) => actual.some((item) => jsonEqual(item, w)))) return false;
    } else if (op === "$and") {
      if (!Array.isArray(operand) || !operand.every((c) => matchesCondition(actual, c))) return false;
    } else {
      return false;
    }
  }
  return true;
}

/** An object with at least one `$` key is a set of operators; its other keys count as unknown operators. */
function isOperatorObject(value: unknown): value is Record<string, unknown> {
  return isPlainObject(value) && Object.keys(value).some((k) => k.startsWith("$"));
}
