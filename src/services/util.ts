import { randomUUID } from "node:crypto";
import { jsonEqual } from "../json-value.js";
import { pageSpec, selectPage } from "../storage/embedded/search.js";

/**
 * A new random (v4) id. randomUUID() returns a rope of short pieces, which V8 hashes and compares piece by piece on
 * every Map lookup and sort (5-20x slower than a flat string); reading a character flattens it in place once.
 */
export const newId = (): string => {
  const id = randomUUID();
  id.charCodeAt(0);
  return id;
};

/** Current time as ISO-8601. */
export const nowIso = (): string => new Date().toISOString();

/** The namespace of system assistant ids (uuid5 of the graph id), the official servers' own: not one of RFC 4122's. */
export const ASSISTANT_NAMESPACE = "6ba7b821-9dad-11d1-80b4-00c04fd430c8";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** True for a UUID string in canonical form (any version). */
export const isUuid = (s: unknown): s is string => typeof s === "string" && UUID_RE.test(s);

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

/**
 * Sort, then page, a list of records (in source order: ties keep it); returns the page and the total before paging.
 * Picks the page with a bounded heap rather than sorting everything (see search.ts).
 */
export function sortAndPage<T extends object>(
  items: T[],
  opts: { sortBy?: string; sortOrder?: "asc" | "desc"; limit?: number; offset?: number; defaultSort: string },
): { page: T[]; total: number } {
  const spec = pageSpec({ sort_by: opts.sortBy, sort_order: opts.sortOrder, limit: opts.limit, offset: opts.offset }, opts.defaultSort);
  return { page: selectPage(items, spec), total: items.length };
}

/** The paging, sorting and field selection every search endpoint takes. */
export interface SearchQuery {
  sort_by?: string;
  sort_order?: "asc" | "desc";
  limit?: number;
  offset?: number;
  select?: string[];
}

/** One page of search results (sorted, paged, `select`ed), with the total before paging. */
export function searchPage<T extends object, V extends object = T>(
  items: T[],
  q: SearchQuery,
  view: (item: T) => V = (item) => item as unknown as V,
): { items: Partial<V>[]; total: number } {
  const { page, total } = sortAndPage(items, { sortBy: q.sort_by, sortOrder: q.sort_order, limit: q.limit ?? 10, offset: q.offset ?? 0, defaultSort: "created_at" });
  return { items: page.map((item) => pick(view(item), q.select)), total };
}

/** Keep only the `select`ed fields of a record (search `select`). */
export function pick<T extends object>(item: T, select?: string[]): Partial<T> {
  if (!select || select.length === 0) return item;
  const out: Record<string, unknown> = {};
  for (const k of select) if (k in item) out[k] = (item as Record<string, unknown>)[k];
  return out as Partial<T>;
}

/**
 * JSON-serialise a value the way the LangGraph API does: LangChain objects with `toDict()` (messages)
 * become `{...data, type}` plain objects; everything else goes through JSON.stringify as usual.
 */
export function toWireJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
    const raw = this[key];
    if (raw !== null && typeof raw === "object" && typeof (raw as { toDict?: unknown }).toDict === "function") {
      const { type, data } = (raw as { toDict(): { type: string; data: Record<string, unknown> } }).toDict();
      return { ...data, type };
    }
    if (typeof v === "bigint") return v.toString();
    return v;
  }) ?? "null";
}

/** A plain-JSON copy of a value in wire form (messages flattened), safe to store. */
export const toWire = <T = unknown>(value: unknown): T => (value === undefined ? (undefined as T) : (JSON.parse(toWireJson(value)) as T));

/** Serialise an error into the `{error, message}` shape streams and waits report. */
export function serializeError(error: unknown): { error: string; message: string } {
  if (error instanceof Error) return { error: error.name || "Error", message: error.message };
  return { error: "Error", message: typeof error === "string" ? error : JSON.stringify(error) };
}
