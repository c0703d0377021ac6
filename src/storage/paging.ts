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
export const plainPaging = (spec: PageSpec): boolean =>
  Number.isSafeInteger(spec.offset) && Number.isSafeInteger(spec.limit) && spec.offset >= 0 && spec.limit >= 0;

/**
 * The `k` first entries (value, then rank) of everything offered: a binary max-heap whose root is the last entry
 * kept, so an entry that would not make the cut costs one comparison and no allocation.
 */
export class TopK<T> {
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

export const sortValue = (item: object, key: string): unknown => (item as Record<string, unknown>)[key];

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

