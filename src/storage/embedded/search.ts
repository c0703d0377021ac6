import type { Collection } from "./collection.js";
import { isPlainObject } from "../../json-value.js";
import { IRREGULAR_METADATA, metadataEntryKey } from "./metadata-index.js";
import { compareSortValues, plainPaging, sortValue, TopK, type PageSpec } from "../paging.js";

/** What a collection search looks for. */
export interface CollectionQuery<T> {
  /**
   * Index key sets every match belongs to (e.g. threads with `user: "alice"`); none: the whole collection.
   * Only the smallest is walked.
   */
  within?: ReadonlySet<string>[];
  /** The complete test of a record; undefined when `within` alone decides (every record in all the sets matches). */
  match?: (item: T) => boolean;
  /** The sort key the collection's `ordered` insertion order follows (`created_at`). */
  orderedBy?: string;
}

/**
 * Search an ordered collection (see `Collection.ordered`): the page by `spec` and the number of matches, exactly as
 * stable-sorting the matches in insertion order and slicing would give.
 */
export function searchCollection<T extends object>(
  collection: Collection<T>,
  cq: CollectionQuery<T>,
  spec: PageSpec,
  wantPage = true,
): { page: T[]; total: number } {
  const sets = [...(cq.within ?? [])].sort((a, b) => a.size - b.size);
  const smallest = sets[0];
  const others = sets.slice(1);
  const match = cq.match;

  // Counted without visiting anything: the whole collection, or one index set that decides alone.
  if (!match && others.length === 0) {
    const total = smallest ? smallest.size : collection.size;
    if (!wantPage || total === 0 || (plainPaging(spec) && (spec.limit === 0 || spec.offset >= total))) return { page: [], total };
    const k = spec.offset + spec.limit;
    const walkable =
      plainPaging(spec) &&
      cq.orderedBy !== undefined &&
      spec.sortBy === cq.orderedBy &&
      // Walking visits about k * size / |set| records until the page is complete; visiting the set costs |set|.
      (!smallest || smallest.size * smallest.size >= k * collection.size) &&
      collection.inSortKeyOrder();
    if (walkable) return { page: walkInOrder(collection, smallest, spec), total };
  }

  let total = 0;
  const top = wantPage && plainPaging(spec) && spec.limit > 0 ? new TopK<T>(spec.offset + spec.limit, spec.desc) : undefined;
  const all: { item: T; r: number }[] | undefined = wantPage && !top && !(plainPaging(spec) && spec.limit === 0) ? [] : undefined;
  const take = (item: T, rank: number) => {
    total++;
    if (top) top.offer(item, sortValue(item, spec.sortBy), rank);
    else all?.push({ item, r: rank });
  };
  if (smallest) {
    for (const key of smallest) {
      if (others.length > 0 && !others.every((s) => s.has(key))) continue;
      const item = collection.get(key)!;
      if (match && !match(item)) continue;
      take(item, collection.rankOf(key)!);
    }
  } else {
    collection.forEachInOrder(spec.desc, (item, rank) => {
      if (!match || match(item)) take(item, rank);
    });
  }
  if (top) return { page: top.sorted().slice(spec.offset), total };
  if (all) {
    all.sort((a, b) => compareSortValues(sortValue(a.item, spec.sortBy), sortValue(b.item, spec.sortBy), spec.desc) || a.r - b.r);
    return { page: all.slice(spec.offset, spec.offset + spec.limit).map((e) => e.item), total };
  }
  return { page: [], total };
}

/**
 * The page of a collection whose insertion order is ascending by the sort key (every value a string), optionally
 * only the records in `set`: walk from the end the order starts at and stop once the page is complete.
 */
function walkInOrder<T extends object>(collection: Collection<T>, set: ReadonlySet<string> | undefined, spec: PageSpec): T[] {
  const k = spec.offset + spec.limit;
  const got: { item: T; v: unknown; r: number }[] = [];
  if (!spec.desc) {
    // Ascending: insertion order is the order, ties included.
    collection.forEachInOrder(false, (item, r, key) => {
      if (set && !set.has(key)) return true;
      got.push({ item, v: undefined, r });
      return got.length < k;
    });
    return got.slice(spec.offset).map((e) => e.item);
  }
  // Descending, walking backwards: ties come out newest first but belong oldest first, so finish the last group of
  // equal values before stopping and put each group back in insertion order.
  collection.forEachInOrder(true, (item, r, key) => {
    if (set && !set.has(key)) return true;
    const v = sortValue(item, spec.sortBy);
    if (got.length >= k && v !== got[got.length - 1]!.v) return false;
    got.push({ item, v, r });
    return true;
  });
  got.sort((a, b) => compareSortValues(a.v, b.v, true) || a.r - b.r);
  return got.slice(spec.offset, k).map((e) => e.item);
}

/**
 * The sets of a collection's `metadata` index (see storage/metadata-index.ts) that every record passing
 * `contains(metadata, query)` and the auth `filters` (matchesFilters) belongs to; `exact` when being in all of them
 * is also enough. Undefined when the index cannot be used (some record's metadata is not a plain object).
 */
export function metadataIndexSets(
  collection: Collection<unknown>,
  query: unknown,
  filters: unknown,
): { sets: ReadonlySet<string>[]; exact: boolean } | undefined {
  if (collection.keySetBy("metadata", IRREGULAR_METADATA).size > 0) return undefined;
  const sets: ReadonlySet<string>[] = [];
  let exact = true;
  const require = (key: string, value: unknown) => {
    const ik = metadataEntryKey(key, value);
    if (ik === undefined) exact = false;
    else sets.push(collection.keySetBy("metadata", ik));
  };
  // contains(): every own entry of the query is in the metadata (objects and arrays recursively: left to `match`).
  if (query) {
    if (!isPlainObject(query)) exact = false;
    else for (const [k, v] of Object.entries(query)) require(k, v);
  }
  // matchesFilters(): a plain value or a lone {$eq: value} is ===; other operators are left to `match`.
  if (filters !== undefined && filters !== null) {
    if (!isPlainObject(filters)) exact = false;
    else {
      for (const [k, cond] of Object.entries(filters)) {
        if (!isPlainObject(cond) || !Object.keys(cond).some((op) => op.startsWith("$"))) require(k, cond);
        else if (Object.keys(cond).length === 1 && Object.hasOwn(cond, "$eq")) require(k, cond.$eq);
        else exact = false;
      }
    }
  }
  return { sets, exact };
}
