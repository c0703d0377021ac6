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
}

/** A sink that keeps nothing: the memory-only mode. */
export const NULL_SINK: MutationSink = { write() {} };

/**
 * A keyed map of plain-JSON records that reports every change to a sink and keeps
 * optional secondary indexes (e.g. runs by thread) so that lookups never scan the whole collection.
 */
export class Collection<T> {
  private readonly items = new Map<string, T>();
  private readonly indexes = new Map<string, { keyOf: (v: T) => string | undefined; map: Map<string, Set<string>> }>();

  constructor(
    readonly name: CollectionName,
    private readonly sink: MutationSink,
  ) {}

  /** Declare a secondary index; `keyOf` returns the index key of a record (undefined: not indexed). */
  index(indexName: string, keyOf: (v: T) => string | undefined): this {
    this.indexes.set(indexName, { keyOf, map: new Map() });
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
    const idx = this.indexes.get(indexName);
    if (!idx) throw new Error(`no index ${indexName} on ${this.name}`);
    return [...(idx.map.get(indexKey) ?? [])];
  }

  /** Records whose index key is `indexKey`, in insertion order. */
  valuesBy(indexName: string, indexKey: string): T[] {
    return this.keysBy(indexName, indexKey).map((k) => this.items.get(k)!);
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
    for (const idx of this.indexes.values()) {
      const ik = idx.keyOf(value);
      if (ik === undefined) continue;
      let set = idx.map.get(ik);
      if (!set) idx.map.set(ik, (set = new Set()));
      set.add(key);
    }
  }

  /** Remove without reporting (journal replay). */
  applyDelete(key: string): void {
    const old = this.items.get(key);
    if (old === undefined) return;
    this.unindex(key, old);
    this.items.delete(key);
  }

  /** Clear without reporting (journal replay). */
  applyClear(): void {
    this.items.clear();
    for (const idx of this.indexes.values()) idx.map.clear();
  }

  private unindex(key: string, value: T): void {
    for (const idx of this.indexes.values()) {
      const ik = idx.keyOf(value);
      if (ik === undefined) continue;
      const set = idx.map.get(ik);
      if (!set) continue;
      set.delete(key);
      if (set.size === 0) idx.map.delete(ik);
    }
  }
}
