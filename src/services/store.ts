import { ConflictError, ForbiddenError, ValidationError } from "../errors.js";
import { matchesFilters, storeFilterTarget } from "../auth/filters.js";
import type { StorageBackend } from "../storage/backend.js";
import type { StoreItemRecord } from "../storage/types.js";
import type { Authorizer, RequestContext } from "./context.js";
import type { SemanticIndex } from "../semantic-index.js";
import type { StoreTtlPolicy } from "./ttl.js";

/** An item as the API returns it. */
export interface StoreItemView {
  namespace: string[];
  key: string;
  value: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

/** A search result: with `score` when the search had a `query` and `store.index` is configured. */
export type StoreSearchItem = StoreItemView & { score?: number | null };

/** What the store does beyond plain items: langgraph.json's `store.index` and `store.ttl`. */
export interface StoreOptions {
  ttl?: StoreTtlPolicy;
  index?: SemanticIndex;
  /** Milliseconds since the epoch (tests pass a fake clock). */
  clock?: () => number;
}

export interface StoreSearch {
  namespace_prefix?: string[];
  filter?: Record<string, unknown>;
  limit?: number;
  offset?: number;
  /** With `store.index`: rank by similarity to this text. Without: text the value must contain. Null or absent: any. */
  query?: string | null;
  /** Push the found items' expiry back by their TTL (default: `store.ttl.refresh_on_read`). */
  refresh_ttl?: boolean | null;
}

export interface NamespaceList {
  prefix?: string[];
  suffix?: string[];
  max_depth?: number;
  limit?: number;
  offset?: number;
}

/** Reject namespaces the official store rejects: empty, empty labels, labels with dots, the reserved root. */
export function validateNamespace(namespace: unknown, field = "namespace"): string[] {
  if (!Array.isArray(namespace) || namespace.length === 0) throw new ValidationError(`${field} must be a non-empty array of strings`);
  namespace.forEach((label, i) => {
    if (typeof label !== "string") throw new ValidationError(`${field}[${i}] must be a string`);
    if (label === "") throw new ValidationError(`${field}[${i}] must not be empty`);
    if (label.includes(".")) throw new ValidationError(`${field}[${i}] must not contain periods ('.'), got "${label}"`);
  });
  if (namespace[0] === "langgraph") throw new ValidationError(`${field} must not start with the reserved label "langgraph"`);
  return namespace as string[];
}

const view = (r: StoreItemRecord): StoreItemView => ({ namespace: r.namespace, key: r.key, value: r.value, created_at: r.created_at, updated_at: r.updated_at });
const byUpdatedDesc = (a: { updated_at: string }, b: { updated_at: string }) => (a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : 0);

/** The long-term memory store, shared by the API and by graphs at run time. */
export class StoreService {
  private readonly now: () => number;
  private index: SemanticIndex | undefined;
  private readonly ttl: StoreTtlPolicy;

  constructor(
    private readonly backend: StorageBackend,
    private readonly authz: Authorizer,
    options: StoreOptions = {},
  ) {
    this.now = options.clock ?? Date.now;
    this.index = options.index;
    this.ttl = options.ttl ?? { refreshOnRead: true };
  }

  /** Use `store.index` from now on (dev/ loads the embedding function after the graphs). */
  setIndex(index: SemanticIndex | undefined): void {
    this.index = index;
  }

  /** The store's TTL settings (the sweeper reads its interval). */
  get ttlPolicy(): StoreTtlPolicy {
    return this.ttl;
  }

  async put(ctx: RequestContext, body: { namespace: string[]; key: string; value: Record<string, unknown> | null; index?: unknown; ttl?: number | null }): Promise<void> {
    const value: Record<string, unknown> = { namespace: [...body.namespace], key: body.key, value: body.value, index: body.index };
    const filters = await this.authz.check(ctx, "store", "put", value);
    const namespace = validateNamespace(value.namespace);
    const key = value.key as string;
    // A null value deletes, with the rules of delete: another's item looks absent, so nothing happens.
    if (value.value === null) return this.deleteVisible(namespace, key, filters);
    const item = value.value as Record<string, unknown>;
    if (filters) {
      // Checked before looking at what is stored, so the answer says nothing about another's items.
      if (!matchesFilters(storeFilterTarget(namespace, key, item), filters)) throw new ForbiddenError();
      const existing = await this.getUnchecked(namespace, key, false);
      if (existing && !this.visible(existing, filters)) throw new ConflictError(`Item ${namespace.join(".")}/${key} already exists`);
    }
    await this.putIndexed(namespace, key, item, value.index as false | string[] | null | undefined, body.ttl);
  }

  async get(ctx: RequestContext, namespace: string[], key: string, refreshTtl?: boolean | null): Promise<StoreItemView | null> {
    const value: Record<string, unknown> = { namespace: [...namespace], key };
    const filters = await this.authz.check(ctx, "store", "get", value);
    const ns = validateNamespace(value.namespace);
    const item = await this.getUnchecked(ns, value.key as string, false);
    if (!item || !this.visible(item, filters)) return null;
    await this.refresh(ns, value.key as string, refreshTtl);
    return item;
  }

  async delete(ctx: RequestContext, namespace: string[], key: string): Promise<void> {
    const value: Record<string, unknown> = { namespace: [...namespace], key };
    const filters = await this.authz.check(ctx, "store", "delete", value);
    await this.deleteVisible(validateNamespace(value.namespace), value.key as string, filters);
  }

  /** Delete unless hidden by the filters: deleting another's item is as quiet (and as empty) as deleting a missing one. */
  private async deleteVisible(namespace: string[], key: string, filters: Record<string, unknown> | undefined): Promise<void> {
    const item = await this.backend.store.get(namespace, key, { now: this.now() });
    if (item && !this.visible(view(item), filters)) return;
    await this.deleteUnchecked(namespace, key);
  }

  async search(ctx: RequestContext, q: StoreSearch): Promise<{ items: StoreSearchItem[] }> {
    const value: Record<string, unknown> = { namespace: [...(q.namespace_prefix ?? [])], filter: q.filter, limit: q.limit ?? 10, offset: q.offset ?? 0, query: q.query };
    const filters = await this.authz.check(ctx, "store", "search", value);
    const items = await this.searchRanked({ ...q, namespace_prefix: value.namespace as string[] }, filters);
    return { items };
  }

  async listNamespaces(ctx: RequestContext, q: NamespaceList): Promise<{ namespaces: string[][] }> {
    const value: Record<string, unknown> = { namespace: [...(q.prefix ?? [])], suffix: q.suffix, max_depth: q.max_depth, limit: q.limit ?? 100, offset: q.offset ?? 0 };
    const filters = await this.authz.check(ctx, "store", "list_namespaces", value);
    const namespaces = await this.backend.store.listNamespaces({
      prefix: value.namespace as string[],
      suffix: q.suffix,
      maxDepth: q.max_depth,
      authFilters: filters,
      offset: q.offset,
      limit: q.limit,
      now: this.now(),
    });
    return { namespaces };
  }

  /**
   * Write without authorization (graphs at run time), embedding the value first when `store.index` is configured.
   * `ttlMinutes`: undefined = `store.ttl.default_ttl`, null = never expires.
   */
  async putIndexed(namespace: string[], key: string, value: Record<string, unknown>, index?: false | string[] | null, ttlMinutes?: number | null): Promise<void> {
    const vectors = this.index ? await this.index.embedValue(value, index) : undefined;
    await this.putUnchecked(namespace, key, value, ttlMinutes, vectors);
  }

  /** Write without authorization or embedding. `ttlMinutes`: undefined = `store.ttl.default_ttl`, null = never. */
  async putUnchecked(namespace: string[], key: string, value: Record<string, unknown>, ttlMinutes?: number | null, vectors?: number[][]): Promise<void> {
    const nowMs = this.now();
    const now = new Date(nowMs).toISOString();
    const prev = await this.backend.store.get(namespace, key, { now: nowMs });
    const ttl = ttlMinutes === undefined ? (this.ttl.defaultTtl ?? null) : ttlMinutes;
    await this.backend.store.put({
      namespace,
      key,
      value,
      created_at: prev?.created_at ?? now,
      updated_at: now,
      ttl_minutes: ttl,
      expires_at: ttl ? new Date(nowMs + ttl * 60_000).toISOString() : null,
      ...(vectors ? { vectors } : {}),
    });
  }

  /** Read without authorization; `refreshTtl` (default `store.ttl.refresh_on_read`) pushes its expiry back. */
  async getUnchecked(namespace: string[], key: string, refreshTtl?: boolean | null): Promise<StoreItemView | null> {
    const r = await this.backend.store.get(namespace, key, { now: this.now() });
    if (!r) return null;
    await this.refresh(namespace, key, refreshTtl, r);
    return view(r);
  }

  /** Delete every expired item (the sweeper); returns how many. */
  sweepExpired(): Promise<number> {
    return this.backend.store.deleteExpired(this.now());
  }

  /**
   * Items under a prefix matching `filter` that the auth `filters` let through, one page of them. With a `query` and `store.index`:
   * ranked by similarity, each with its `score`; otherwise newest first (`query` then matches text in the value).
   */
  async searchRanked(q: StoreSearch, filters?: Record<string, unknown>): Promise<StoreSearchItem[]> {
    const offset = q.offset ?? 0;
    const limit = q.limit ?? 10;
    let page: StoreSearchItem[];
    if (q.query && this.index) {
      const queryVector = await this.index.embedQuery(q.query);
      // Every candidate is scored here (the embedded backend has no vector index): all of them are read.
      const candidates = await this.backend.store.search({
        namespacePrefix: q.namespace_prefix ?? [],
        filter: q.filter,
        authFilters: filters,
        limit: Number.MAX_SAFE_INTEGER,
        now: this.now(),
      });
      const scored = candidates.map((r) => ({ item: view(r), score: this.index!.score(queryVector, r.vectors) }));
      // Ranked items first (best score first, ties newest first), then those without vectors, newest first.
      scored.sort((a, b) => (a.score === null ? (b.score === null ? byUpdatedDesc(a.item, b.item) : 1) : b.score === null ? -1 : b.score - a.score || byUpdatedDesc(a.item, b.item)));
      page = scored.slice(offset, offset + limit).map(({ item, score }) => ({ ...item, score }));
    } else {
      page = await this.searchUnchecked({ ...q, offset, limit }, filters);
    }
    for (const item of page) await this.refresh(item.namespace, item.key, q.refresh_ttl);
    return page;
  }

  async deleteUnchecked(namespace: string[], key: string): Promise<void> {
    await this.backend.store.delete(namespace, key);
  }

  /**
   * Items under a prefix whose value matches `filter` (newest first; `query` matches text in the value), one page
   * (offset, limit: default 10), those the auth `filters` let through.
   */
  async searchUnchecked(q: StoreSearch, filters?: Record<string, unknown>): Promise<StoreItemView[]> {
    const items = await this.backend.store.search({
      namespacePrefix: q.namespace_prefix ?? [],
      filter: q.filter,
      query: q.query,
      authFilters: filters,
      offset: q.offset,
      limit: q.limit,
      now: this.now(),
    });
    return items.map(view);
  }

  /** Push an item's expiry back by its TTL when reads refresh (`refreshTtl`, else `store.ttl.refresh_on_read`). */
  private async refresh(namespace: string[], key: string, refreshTtl: boolean | null | undefined, known?: StoreItemRecord): Promise<void> {
    if (!(refreshTtl ?? this.ttl.refreshOnRead)) return;
    const r = known ?? (await this.backend.store.get(namespace, key, { now: this.now() }));
    if (!r?.ttl_minutes) return;
    const expires_at = new Date(this.now() + r.ttl_minutes * 60_000).toISOString();
    if (expires_at !== r.expires_at) await this.backend.store.put({ ...r, expires_at });
  }

  private visible(item: StoreItemView, filters: Record<string, unknown> | undefined): boolean {
    if (!filters) return true;
    return matchesFilters(storeFilterTarget(item.namespace, item.key, item.value), filters);
  }
}
