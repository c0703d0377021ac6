import { pageSpec, selectPage } from "../storage/paging.js";

/** The namespace of system assistant ids (uuid5 of the graph id), the official servers' own: not one of RFC 4122's. */
export const ASSISTANT_NAMESPACE = "6ba7b821-9dad-11d1-80b4-00c04fd430c8";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** True for a UUID string in canonical form (any version). */
export const isUuid = (s: unknown): s is string => typeof s === "string" && UUID_RE.test(s);

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

