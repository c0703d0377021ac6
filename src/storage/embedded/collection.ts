/** Names of the collections the server keeps. */
export type CollectionName =
  | "assistants"
  | "assistant_versions"
  | "threads"
  | "runs"
  | "checkpoints"
  | "writes"
  | "store"
  | "crons";

/** One change to one collection, as written to a journal. Values are plain JSON. */
export type Mutation =
  | { t: "put"; c: CollectionName; k: string; v: unknown }
  | { t: "del"; c: CollectionName; k: string }
  | { t: "clear"; c: CollectionName };

/**
 * Where every change goes (a journal, or nowhere). `write` is called before the change is applied in memory, so a
 * sink that throws (disk full) leaves memory unchanged and the caller's request fails instead of being acknowledged.
 */
export interface MutationSink {
  write(mutation: Mutation): void;
  /** Run `fn` (synchronous) and record the mutations it makes as one unit: one write, all-or-nothing on recovery. */
  batch?<T>(fn: () => T): T;
  /** Hand collected mutations to the kernel now (group commit); called before a reply leaves the server. */
  flushPending?(): void;
  /** Resolves when what is collected now is written (end of the event-loop turn). */
  whenFlushed?(): Promise<void>;
  /** True when collected records wait for a write. */
  readonly hasPending?: boolean;
}

/** A sink that keeps nothing: the memory-only mode. */
export const NULL_SINK: MutationSink = { write() {} };

/** What an index's `keyOf` returns: one key, several keys (a multi-valued index), or undefined (not indexed). */
export type IndexKeys = string | readonly string[] | undefined;

/**
 * A keyed map of plain-JSON records that reports every change to a sink and keeps
 * optional secondary indexes (e.g. runs by thread) so that lookups never scan the whole collection.
 *
 * An `ordered` collection also keeps every key's position in insertion order (`rankOf`, `forEachInOrder`, which can
 * walk backwards) and whether that order is also ascending by a sort key (`createdAt` order: `inSortKeyOrder`).
 * Insertion order is what snapshots and journal replay reproduce, so it survives restarts.
 */
export class Collection<T> {
  private readonly items = new Map<string, T>();
  private readonly indexes = new Map<string, { keyOf: (v: T) => IndexKeys; map: Map<string, Set<string>> }>();
  private order?: OrderTracker<T>;

  constructor(
    readonly name: CollectionName,
    private readonly sink: MutationSink,
  ) {}

  /**
   * Declare a secondary index; `keyOf` returns the index key of a record, or several (a record found under each),
   * or undefined (not indexed).
   */
  index(indexName: string, keyOf: (v: T) => IndexKeys): this {
    this.indexes.set(indexName, { keyOf, map: new Map() });
    return this;
  }

  /**
   * Track insertion positions, and whether insertion order is ascending by `sortKeyOf` (string values compared with
   * `<`), so that searches ordered by that key can walk the collection instead of sorting it.
   */
  ordered(sortKeyOf: (v: T) => unknown): this {
    this.order = new OrderTracker(this.items, sortKeyOf);
    for (const [k, v] of this.items) this.order.put(k, v, undefined);
    return this;
  }

  get size(): number {
    return this.items.size;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  values(): IterableIterator<T> {
    return this.items.values();
  }

  entries(): IterableIterator<[string, T]> {
    return this.items.entries();
  }

  /** Keys of the records whose index key is `indexKey`, in insertion order. */
  keysBy(indexName: string, indexKey: string): string[] {
    return [...(this.indexOf(indexName).map.get(indexKey) ?? [])];
  }

  /** Records whose index key is `indexKey`, in insertion order. */
  valuesBy(indexName: string, indexKey: string): T[] {
    return this.keysBy(indexName, indexKey).map((k) => this.items.get(k)!);
  }

  /** The live set of keys under `indexKey` (not a copy: do not keep it across changes, never modify it). */
  keySetBy(indexName: string, indexKey: string): ReadonlySet<string> {
    return this.indexOf(indexName).map.get(indexKey) ?? EMPTY_SET;
  }

  /** Position of `key` in insertion order (ordered collections; comparable only until the next change). */
  rankOf(key: string): number | undefined {
    return this.orderOrThrow().pos.get(key);
  }

  /**
   * Visit the records of an ordered collection in insertion order (or backwards), with their rank; `fn` returns
   * false to stop. Do not change the collection meanwhile.
   */
  forEachInOrder(backwards: boolean, fn: (value: T, rank: number, key: string) => boolean | void): void {
    const { keys, values } = this.orderOrThrow();
    if (backwards) {
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i];
        if (k !== undefined && fn(values[i]!, i, k) === false) return;
      }
    } else {
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        if (k !== undefined && fn(values[i]!, i, k) === false) return;
      }
    }
  }

  /** True when insertion order is ascending by the `ordered` sort key (every value a string). */
  inSortKeyOrder(): boolean {
    return this.orderOrThrow().isSorted();
  }

  set(key: string, value: T): T {
    this.sink.write({ t: "put", c: this.name, k: key, v: value });
    this.applyPut(key, value);
    return value;
  }

  delete(key: string): boolean {
    if (!this.items.has(key)) return false;
    this.sink.write({ t: "del", c: this.name, k: key });
    this.applyDelete(key);
    return true;
  }

  clear(): void {
    this.sink.write({ t: "clear", c: this.name });
    this.applyClear();
  }

  /** Apply a change without reporting it (journal replay). */
  applyPut(key: string, value: T): void {
    const old = this.items.get(key);
    if (old !== undefined) this.unindex(key, old);
    this.items.set(key, value);
    this.order?.put(key, value, old);
    for (const idx of this.indexes.values()) {
      const ik = idx.keyOf(value);
      if (ik === undefined) continue;
      if (typeof ik === "string") addTo(idx.map, ik, key);
      else for (const one of ik) addTo(idx.map, one, key);
    }
  }

  /** Remove without reporting (journal replay). */
  applyDelete(key: string): void {
    const old = this.items.get(key);
    if (old === undefined) return;
    this.unindex(key, old);
    this.items.delete(key);
    this.order?.delete(key);
  }

  /** Clear without reporting (journal replay). */
  applyClear(): void {
    this.items.clear();
    for (const idx of this.indexes.values()) idx.map.clear();
    this.order?.clear();
  }

  private indexOf(indexName: string) {
    const idx = this.indexes.get(indexName);
    if (!idx) throw new Error(`no index ${indexName} on ${this.name}`);
    return idx;
  }

  private orderOrThrow(): OrderTracker<T> {
    if (!this.order) throw new Error(`${this.name} is not an ordered collection`);
    return this.order;
  }

  private unindex(key: string, value: T): void {
    for (const idx of this.indexes.values()) {
      const ik = idx.keyOf(value);
      if (ik === undefined) continue;
      if (typeof ik === "string") removeFrom(idx.map, ik, key);
      else for (const one of ik) removeFrom(idx.map, one, key);
    }
  }
}

const EMPTY_SET: ReadonlySet<string> = new Set();

function addTo(map: Map<string, Set<string>>, indexKey: string, key: string): void {
  let set = map.get(indexKey);
  if (!set) map.set(indexKey, (set = new Set()));
  set.add(key);
}

function removeFrom(map: Map<string, Set<string>>, indexKey: string, key: string): void {
  const set = map.get(indexKey);
  if (!set) return;
  set.delete(key);
  if (set.size === 0) map.delete(indexKey);
}

/**
 * Insertion positions of an ordered collection: `keys[pos]` is the key inserted at that position and `values[pos]`
 * its current value (undefined once deleted; trailing holes are dropped, so the last entry is live, and the array is compacted when mostly holes,
 * which renumbers positions but keeps their order). `sorted` says insertion order is known ascending by the sort key;
 * a change that might break that clears it, and the next `isSorted` checks the whole order once (per change) before
 * trusting it again.
 */
class OrderTracker<T> {
  keys: (string | undefined)[] = [];
  /** The records by position, so walks read them in sequence instead of looking each key up. */
  values: (T | undefined)[] = [];
  readonly pos = new Map<string, number>();
  private holes = 0;
  private sorted = true;
  /** Bumped by changes while not known sorted, so a failed check is not repeated until something changes. */
  private version = 0;
  private checkedVersion = -1;

  constructor(
    private readonly items: ReadonlyMap<string, T>,
    readonly sortKeyOf: (v: T) => unknown,
  ) {}

  /** After `items.set(key, value)`; `old` is the value it replaced (an update keeps its position). */
  put(key: string, value: T, old: T | undefined): void {
    const sk = this.sortKeyOf(value);
    if (old !== undefined) {
      this.values[this.pos.get(key)!] = value;
      if (this.sorted && this.sortKeyOf(old) !== sk) this.unsorted();
      else if (!this.sorted) this.version++;
      return;
    }
    if (this.sorted) {
      const lastKey = this.keys[this.keys.length - 1];
      const last = lastKey === undefined ? undefined : this.sortKeyOf(this.values[this.values.length - 1]!);
      if (typeof sk !== "string" || (lastKey !== undefined && (typeof last !== "string" || sk < last))) this.unsorted();
    } else this.version++;
    this.pos.set(key, this.keys.length);
    this.keys.push(key);
    this.values.push(value);
  }

  /** After `items.delete(key)`. Deleting keeps the rest in order. */
  delete(key: string): void {
    const p = this.pos.get(key);
    if (p === undefined) return;
    this.pos.delete(key);
    this.keys[p] = undefined;
    this.values[p] = undefined;
    this.holes++;
    if (!this.sorted) this.version++;
    while (this.keys.length > 0 && this.keys[this.keys.length - 1] === undefined) {
      this.keys.pop();
      this.values.pop();
      this.holes--;
    }
    if (this.holes > 1024 && this.holes * 2 > this.keys.length) {
      this.keys = [...this.items.keys()];
      this.values = [...this.items.values()];
      this.holes = 0;
      this.keys.forEach((k, i) => this.pos.set(k!, i));
    }
  }

  clear(): void {
    this.keys = [];
    this.values = [];
    this.pos.clear();
    this.holes = 0;
    this.sorted = true;
    this.version++;
  }

  isSorted(): boolean {
    if (this.sorted) return true;
    if (this.checkedVersion === this.version) return false;
    this.checkedVersion = this.version;
    let prev: string | undefined;
    for (let i = 0; i < this.keys.length; i++) {
      if (this.keys[i] === undefined) continue;
      const sk = this.sortKeyOf(this.values[i]!);
      if (typeof sk !== "string" || (prev !== undefined && sk < prev)) return false;
      prev = sk;
    }
    this.sorted = true;
    return true;
  }

  private unsorted(): void {
    this.sorted = false;
    this.version++;
  }
}
