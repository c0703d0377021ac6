/**
 * JSON values as lg-dev compares them: the data of requests, records, metadata and auth filters. One definition
 * each, so that search, auth filters and the store agree on what an object is and when two values are the same.
 */

/** A plain data object (what JSON produces): class instances (Date, Map, …) and arrays are not. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Equality of JSON data, as their JSON texts would compare: arrays by order, plain objects by their keys in any
 * order, and a key whose value is `undefined` counts as absent (JSON.stringify leaves it out). Other objects
 * (Date, Map, class instances) never come out of JSON: they are equal only to themselves.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keysA = Object.keys(a).filter((k) => a[k] !== undefined);
  const keysB = Object.keys(b).filter((k) => b[k] !== undefined);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
}

/** `subset` is contained in `target`: every key of subset is in target with a containing value (JSONB @> semantics). */
export function contains(target: unknown, subset: unknown): boolean {
  if (subset === null || typeof subset !== "object") return jsonEqual(target, subset);
  if (Array.isArray(subset)) {
    if (!Array.isArray(target)) return false;
    return subset.every((s) => target.some((t) => contains(t, s)));
  }
  if (target === null || typeof target !== "object" || Array.isArray(target)) return false;
  return Object.entries(subset).every(([k, v]) => k in (target as object) && contains((target as Record<string, unknown>)[k], v));
}
