import { ConflictError, ForbiddenError, ValidationError } from "../errors.js";
import { matchesFilters, storeFilterTarget } from "../auth/filters.js";
import type { StorageBackend } from "../storage/backend.js";
import type { StoreItemRecord } from "../storage/types.js";
import type { Authorizer, RequestContext } from "./context.js";
import { jsonEqual } from "../json-value.js";
import { nowIso } from "../wire.js";

/** An item as the API returns it. */
export interface StoreItemView {
  namespace: string[];
  key: string;
  value: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export interface StoreSearch {
  namespace_prefix?: string[];
  filter?: Record<string, unknown>;
  limit?: number;
  offset?: number;
  /** Text the value must contain; null or absent: any. */
  query?: string | null;
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
const startsWith = (ns: string[], prefix: string[]) => prefix.every((p, i) => ns[i] === p);
const expired = (r: StoreItemRecord, now: number) => !!r.expires_at && Date.parse(r.expires_at) <= now;

/** The long-term memory store, shared by the API and by graphs at run time. */
export class StoreService {
  constructor(
    private readonly backend: StorageBackend,
    private readonly authz: Authorizer,
  ) {}

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
      const existing = await this.getUnchecked(namespace, key);
      if (existing && !this.visible(existing, filters)) throw new ConflictError(`Item ${namespace.join(".")}/${key} already exists`);
    }
    await this.putUnchecked(namespace, key, item, body.ttl ?? null);
  }

  async get(ctx: RequestContext, namespace: string[], key: string): Promise<StoreItemView | null> {
    const value: Record<string, unknown> = { namespace: [...namespace], key };
    const filters = await this.authz.check(ctx, "store", "get", value);
    const item = await this.getUnchecked(validateNamespace(value.namespace), value.key as string);
    return item && this.visible(item, filters) ? item : null;
  }

  async delete(ctx: RequestContext, namespace: string[], key: string): Promise<void> {
    const value: Record<string, unknown> = { namespace: [...namespace], key };
    const filters = await this.authz.check(ctx, "store", "delete", value);
    await this.deleteVisible(validateNamespace(value.namespace), value.key as string, filters);
  }

  /** Delete unless hidden by the filters: deleting another's item is as quiet (and as empty) as deleting a missing one. */
  private async deleteVisible(namespace: string[], key: string, filters: Record<string, unknown> | undefined): Promise<void> {
    const item = await this.backend.store.get(namespace, key);
    if (item && !this.visible(view(item), filters)) return;
    await this.deleteUnchecked(namespace, key);
  }

  async search(ctx: RequestContext, q: StoreSearch): Promise<{ items: StoreItemView[] }> {
    const value: Record<string, unknown> = { namespace: [...(q.namespace_prefix ?? [])], filter: q.filter, limit: q.limit ?? 10, offset: q.offset ?? 0, query: q.query };
    const filters = await this.authz.check(ctx, "store", "search", value);
    const items = await this.backend.store.search({
      namespacePrefix: value.namespace as string[],
      filter: q.filter,
      query: q.query,
      authFilters: filters,
      offset: q.offset,
      limit: q.limit,
    });
    return { items: items.map(view) };
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
    });
    return { namespaces };
  }

  /** Write without authorization (graphs at run time). */
  async putUnchecked(namespace: string[], key: string, value: Record<string, unknown>, ttlMinutes: number | null = null): Promise<void> {
    const now = nowIso();
    const prev = await this.backend.store.get(namespace, key);
    await this.backend.store.put({
      namespace,
      key,
      value,
      created_at: prev?.created_at ?? now,
      updated_at: now,
      ttl_minutes: ttlMinutes,
      expires_at: ttlMinutes ? new Date(Date.now() + ttlMinutes * 60_000).toISOString() : null,
    });
  }

  async getUnchecked(namespace: string[], key: string): Promise<StoreItemView | null> {
    const r = await this.backend.store.get(namespace, key);
    return r ? view(r) : null;
  }

  async deleteUnchecked(namespace: string[], key: string): Promise<void> {
    await this.backend.store.delete(namespace, key);
  }

  /** Items under a prefix whose value matches `filter` (newest first; `query` matches text in the value). */
  async searchUnchecked(q: StoreSearch): Promise<StoreItemView[]> {
    const items = await this.backend.store.search({ namespacePrefix: q.namespace_prefix ?? [], filter: q.filter, query: q.query, offset: q.offset, limit: q.limit });
    return items.map(view);
  }

  private visible(item: StoreItemView, filters: Record<string, unknown> | undefined): boolean {
    if (!filters) return true;
    return matchesFilters(storeFilterTarget(item.namespace, item.key, item.value), filters);
  }
}
