/**
 * How deeply nested a JSON value lg-dev accepts. Everything stored is served back through recursive serialisers
 * (JSON.stringify gives up near 4,000 levels here, structuredClone near 2,000, and less when the stack is already
 * deep), so a value nested too deeply could be stored and then make every list holding it fail. Such values are
 * refused where they come in instead.
 */
import { toWire } from "./wire.js";

/**
 * Request bodies (thread metadata, run input, state updates, store values, assistant config, cron payloads…): at
 * most this many levels of objects and arrays, counted from the body itself. Far beyond any real use, and it leaves
 * a wide margin for the records and journal lines that wrap a value.
 */
export const MAX_BODY_DEPTH = 100;

/**
 * Values a graph produces that lg-dev stores as JSON (state values, interrupts, store items written by nodes): a
 * graph's own data may legitimately nest more than a request body, so only what could not be served back is refused.
 */
export const MAX_STORED_DEPTH = 1000;

/** A value lg-dev will not store: too deep, circular, or otherwise not serialisable. */
export class UnstorableValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnstorableValueError";
  }
}

/**
 * The path (`body/metadata/a`: the first two keys below `root`) where `value` exceeds `limit` levels of objects and
 * arrays, or undefined when it does not. Recursion is bounded by `limit`, so a value nested 100,000 levels deep
 * costs `limit` frames, never a stack overflow.
 */
export function tooDeep(value: unknown, limit: number, root = "body"): string | undefined {
  const walk = (v: unknown, depth: number, path: string): string | undefined => {
    if (v === null || typeof v !== "object") return undefined;
    if (depth > limit) return path;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const found = walk(v[i], depth + 1, depth <= 2 ? `${path}/${i}` : path);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    for (const key in v) {
      const found = walk((v as Record<string, unknown>)[key], depth + 1, depth <= 2 ? `${path}/${key}` : path);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return walk(value, 1, root);
}

/**
 * A plain-JSON copy of a value a graph produced, in wire form, checked to be storable and servable; throws an
 * UnstorableValueError naming `what` otherwise.
 */
export function toStorable<T = unknown>(value: unknown, what: string): T {
  let plain: T;
  try {
    plain = toWire<T>(value);
  } catch (err) {
    throw new UnstorableValueError(`${what} cannot be stored as JSON: ${(err as Error).message}`);
  }
  assertStorable(plain, what);
  return plain;
}

/** Throw an UnstorableValueError naming `what` when a plain-JSON value nests deeper than MAX_STORED_DEPTH. */
export function assertStorable(value: unknown, what: string): void {
  if (tooDeep(value, MAX_STORED_DEPTH) !== undefined) throw new UnstorableValueError(`${what} nests deeper than ${MAX_STORED_DEPTH} levels of objects and arrays, the most lg-dev stores`);
}
