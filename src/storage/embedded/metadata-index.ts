/**
 * Keys of the inverted index on top-level metadata (threads): one key per `key: scalar` entry, so a search for
 * `metadata: {user: "alice"}` (or an auth filter `{owner: "alice"}`) only visits the records holding that entry.
 *
 * A record is found under `metadataEntryKey(k, v)` exactly when its metadata is a plain object with an own entry `k`
 * whose value is `=== v` (strings up to MAX_INDEXED_STRING characters, numbers but NaN, booleans, null). Records whose
 * metadata is not a plain object are listed under IRREGULAR instead; while there are any, searches ignore the index.
 */
import { isPlainObject } from "../../json-value.js";

/** Index key of the records whose metadata is not a plain object (normally none). */
export const IRREGULAR_METADATA = "\u0000irregular";

/** Longer strings are not indexed (a search for one visits every record). */
export const MAX_INDEXED_STRING = 512;

/** The index key of one metadata entry, or undefined when the value is not an indexed scalar. */
export function metadataEntryKey(key: string, value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
      return value.length <= MAX_INDEXED_STRING ? `${key.length}:${key}s${value}` : undefined;
    case "number":
      return Number.isNaN(value) ? undefined : `${key.length}:${key}n${value}`; // -0 and 0 share "0", as with ===
    case "boolean":
      return `${key.length}:${key}b${value}`;
    case "object":
      return value === null ? `${key.length}:${key}z` : undefined;
    default:
      return undefined;
  }
}

/** Every index key of a record's metadata. */
export function metadataIndexKeys(metadata: unknown): string[] {
  if (!isPlainObject(metadata)) return [IRREGULAR_METADATA];
  const keys: string[] = [];
  for (const k of Object.keys(metadata)) {
    const ik = metadataEntryKey(k, metadata[k]);
    if (ik !== undefined) keys.push(ik);
  }
  return keys;
}
