import type { Collection } from "./collection.js";
import { isPlainObject } from "../../json-value.js";
import { IRREGULAR_METADATA, metadataEntryKey } from "./metadata-index.js";

/**
 * Sorting and paging for the search endpoints without sorting everything.
 *
 * The order is the one a stable sort of the matches (in their source order: insertion order, or the `ids` given)
 * would give with this comparator: values compared with `<` (ascending or descending), null/undefined last in both
 * directions, ties in source order. Instead of sorting, a page is picked with a bounded heap of offset+limit entries
 * (ties broken by source position, `rank`), or, when the collection's insertion order is already the sort order
 * (`created_at`), by walking the collection from the right end and stopping once the page is complete.
 */

/** Which page of which order. */
export interface PageSpec {
  sortBy: string;
  desc: boolean;
  offset: number;
  limit: number;
}

/** The page spec of a search query (defaults: created_at, desc, offset 0, limit 10). */
export function pageSpec(q: { sort_by?: string; sort_order?: "asc" | "desc"; limit?: number; offset?: number }, defaultSort = "created_at"): PageSpec {
  return { sortBy: q.sort_by ?? defaultSort, desc: (q.sort_order ?? "desc") !== "asc", offset: q.offset ?? 0, limit: q.limit ?? 10 };
}

const isNullish = (v: unknown): boolean => v === undefined || v === null;

/**
 * Compare two sort values: negative when `a` comes first. Null and undefined come last in both directions (and tie
 * with each other). For values `<` orders totally (strings, numbers) this is the order searches always used.
 */
export function compareSortValues(a: unknown, b: unknown, desc: boolean): number {
  if (a === b) return 0;
  if (isNullish(a)) return isNullish(b) ? 0 : 1;
  if (isNullish(b)) return -1;
  return ((a as string) < (b as string) ? -1 : 1) * (desc ? -1 : 1);
}

/** Paging parameters the fast paths handle; anything else (negative, fractional) goes through a plain sort. */
const plainPaging = (spec: PageSpec): boolean =>
  Number.isSafeInteger(spec.offset) && Number.isSafeInteger(spec.limit) && spec.offset >= 0 && spec.limit >= 0;

/**
 * The `k` first entries (value, then rank) of everything offered: a binary max-heap whose root is the last entry
 * kept, so an entry that would not make the cut costs one comparison and no allocation.
 */
class TopK<T> {
  private readonly heap: { item: T; v: unknown; r: number }[] = [];

  constructor(
    private readonly k: number,
    private readonly desc: boolean,
  ) {}

  /** Negative when entry (av, ar) comes before (bv, br). */
  private cmp(av: unknown, ar: number, bv: unknown, br: number): number {
    return compareSortValues(av, bv, this.desc) || ar - br;
  }

  offer(item: T, v: unknown, r: number): void {
    const heap = this.heap;
    if (heap.length < this.k) {
      heap.push({ item, v, r });
      let i = heap.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (this.cmp(heap[i]!.v, heap[i]!.r, heap[parent]!.v, heap[parent]!.r) <= 0) break;
        [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
        i = parent;
      }
      return;
    }
    const root = heap[0];
    if (root === undefined || this.cmp(v, r, root.v, root.r) >= 0) return;
    root.item = item; // the old root drops out: reuse its entry
    root.v = v;
    root.r = r;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const rr = l + 1;
      let largest = i;
      if (l < heap.length && this.cmp(heap[l]!.v, heap[l]!.r, heap[largest]!.v, heap[largest]!.r) > 0) largest = l;
      if (rr < heap.length && this.cmp(heap[rr]!.v, heap[rr]!.r, heap[largest]!.v, heap[largest]!.r) > 0) largest = rr;
      if (largest === i) break;
      [heap[i], heap[largest]] = [heap[largest]!, heap[i]!];
      i = largest;
    }
  }

  /** Everything kept, in order. */
  sorted(): T[] {
    return this.heap.sort((a, b) => this.cmp(a.v, a.r, b.v, b.r)).map((e) => e.item);
  }
}

const sortValue = (item: object, key: string): unknown => (item as Record<string, unknown>)[key];

/** The page of `items` (in source order) by `spec`: the same as stable-sorting them all, then slicing. */
export function selectPage<T extends object>(items: readonly T[], spec: PageSpec): T[] {
  // Odd paging, or a page reaching past half the items: a plain (stable) sort is as good.
  if (!plainPaging(spec) || (spec.offset + spec.limit) * 2 >= items.length) {
    const sorted = items.slice().sort((a, b) => compareSortValues(sortValue(a, spec.sortBy), sortValue(b, spec.sortBy), spec.desc));
    return sorted.slice(spec.offset, spec.offset + spec.limit);
  }
  const k = spec.offset + spec.limit;
  if (spec.limit === 0 || spec.offset >= items.length) return [];
  const top = new TopK<T>(k, spec.desc);
  // Offering in the expected order (newest first for desc) makes most offers a single rejected comparison.
  if (spec.desc) for (let i = items.length - 1; i >= 0; i--) top.offer(items[i]!, sortValue(items[i]!, spec.sortBy), i);
  else for (let i = 0; i < items.length; i++) top.offer(items[i]!, sortValue(items[i]!, spec.sortBy), i);
  return top.sorted().slice(spec.offset);
}

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
