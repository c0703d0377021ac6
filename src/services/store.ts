import { ConflictError, ForbiddenError, ValidationError } from "../errors.js";
import { matchesFilters, storeFilterTarget } from "../auth/filters.js";
import { storeKey, type Storage } from "../storage/embedded/storage.js";
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
    private readonly storage: Storage,
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
      const existing = this.getUnchecked(namespace, key);
      if (existing && !this.visible(existing, filters)) throw new ConflictError(`Item ${namespace.join(".")}/${key} already exists`);
    }
    this.putUnchecked(namespace, key, item, body.ttl ?? null);
  }

  async get(ctx: RequestContext, namespace: string[], key: string): Promise<StoreItemView | null> {
    const value: Record<string, unknown> = { namespace: [...namespace], key };
    const filters = await this.authz.check(ctx, "store", "get", value);
    const item = this.getUnchecked(validateNamespace(value.namespace), value.key as string);
    return item && this.visible(item, filters) ? item : null;
  }

  async delete(ctx: RequestContext, namespace: string[], key: string): Promise<void> {
    const value: Record<string, unknown> = { namespace: [...namespace], key };
    const filters = await this.authz.check(ctx, "store", "delete", value);
    this.deleteVisible(validateNamespace(value.namespace), value.key as string, filters);
  }

  /** Delete unless hidden by the filters: deleting another's item is as quiet (and as empty) as deleting a missing one. */
  private deleteVisible(namespace: string[], key: string, filters: Record<string, unknown> | undefined): void {
    const item = this.storage.store.get(storeKey(namespace, key));
    if (item && !this.visible(view(item), filters)) return;
    this.deleteUnchecked(namespace, key);
  }

  async search(ctx: RequestContext, q: StoreSearch): Promise<{ items: StoreItemView[] }> {
    const value: Record<string, unknown> = { namespace: [...(q.namespace_prefix ?? [])], filter: q.filter, limit: q.limit ?? 10, offset: q.offset ?? 0, query: q.query };
    const filters = await this.authz.check(ctx, "store", "search", value);
    const items = this.searchUnchecked({ ...q, namespace_prefix: value.namespace as string[] }).filter((i) => this.visible(i, filters));
    const offset = q.offset ?? 0;
    return { items: items.slice(offset, offset + (q.limit ?? 10)) };
  }

  async listNamespaces(ctx: RequestContext, q: NamespaceList): Promise<{ namespaces: string[][] }> {
    const value: Record<string, unknown> = { namespace: [...(q.prefix ?? [])], suffix: q.suffix, max_depth: q.max_depth, limit: q.limit ?? 100, offset: q.offset ?? 0 };
    const filters = await this.authz.check(ctx, "store", "list_namespaces", value);
    const prefix = value.namespace as string[];
    const seen = new Map<string, string[]>();
    const now = Date.now();
    for (const r of this.storage.store.values()) {
      if (expired(r, now) || !startsWith(r.namespace, prefix)) continue;
      if (q.suffix && !jsonEqual(r.namespace.slice(r.namespace.length - q.suffix.length), q.suffix)) continue;
      if (!this.visible(view(r), filters)) continue;
      const ns = q.max_depth ? r.namespace.slice(0, q.max_depth) : r.namespace;
      seen.set(ns.join("\u0000"), ns);
    }
    const all = [...seen.values()].sort((a, b) => a.join(".").localeCompare(b.join(".")));
    const offset = q.offset ?? 0;
    return { namespaces: all.slice(offset, offset + (q.limit ?? 100)) };
  }

  /** Write without authorization (graphs at run time). */
  putUnchecked(namespace: string[], key: string, value: Record<string, unknown>, ttlMinutes: number | null = null): void {
    const k = storeKey(namespace, key);
    const now = nowIso();
    const prev = this.storage.store.get(k);
    this.storage.store.set(k, {
      namespace,
      key,
      value,
      created_at: prev?.created_at ?? now,
      updated_at: now,
      ttl_minutes: ttlMinutes,
      expires_at: ttlMinutes ? new Date(Date.now() + ttlMinutes * 60_000).toISOString() : null,
    });
  }

  getUnchecked(namespace: string[], key: string): StoreItemView | null {
    const r = this.storage.store.get(storeKey(namespace, key));
    return r && !expired(r, Date.now()) ? view(r) : null;
  }

  deleteUnchecked(namespace: string[], key: string): void {
    this.storage.store.delete(storeKey(namespace, key));
  }

  /** Items under a prefix whose value matches `filter` (newest first; `query` matches text in the value). */
  searchUnchecked(q: StoreSearch): StoreItemView[] {
    const prefix = q.namespace_prefix ?? [];
    const now = Date.now();
    const query = q.query?.toLowerCase();
    const out: StoreItemView[] = [];
    for (const r of this.storage.store.values()) {
      if (expired(r, now) || !startsWith(r.namespace, prefix)) continue;
      if (q.filter && !matchesFilters(r.value, q.filter)) continue;
      if (query && !JSON.stringify(r.value).toLowerCase().includes(query)) continue;
      out.push(view(r));
    }
    return out.sort((a, b) => (a.updated_at < b.updated_at ? 1 : a.updated_at > b.updated_at ? -1 : 0));
  }

  private visible(item: StoreItemView, filters: Record<string, unknown> | undefined): boolean {
    if (!filters) return true;
    return matchesFilters(storeFilterTarget(item.namespace, item.key, item.value), filters);
  }
}
