import { BaseStore, type Item, type Operation, type OperationResults } from "@langchain/langgraph-checkpoint";
import { toStorable } from "../json-limits.js";
import type { StoreService, StoreItemView } from "../services/store.js";

const toItem = (v: StoreItemView): Item => ({
  value: v.value,
  key: v.key,
  namespace: v.namespace,
  createdAt: new Date(v.created_at),
  updatedAt: new Date(v.updated_at),
});

const matchPath = (ns: string[], path: string[], at: "prefix" | "suffix") => {
  const part = at === "prefix" ? ns.slice(0, path.length) : ns.slice(ns.length - path.length);
  return part.length === path.length && path.every((p, i) => p === "*" || p === part[i]);
};

/**
 * LangGraph's BaseStore over the server's store, so what a node writes through `config.store` / the runtime
 * is what the `/store` API reads, and the other way round.
 */
export class ServiceBackedStore extends BaseStore {
  constructor(private readonly store: StoreService) {
    super();
  }

  async batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    // In order: a get after a put in the same batch sees the put (puts wait for their embeddings, if any).
    const results: unknown[] = [];
    for (const op of operations) results.push(await this.one(op));
    return results as OperationResults<Op>;
  }

  private async one(op: Operation): Promise<unknown> {
    if ("key" in op && "value" in op) {
      if (op.value === null) await this.store.deleteUnchecked(op.namespace, op.key);
      // A copy in wire form (what the API serves), checked before it is stored: a value the node made circular
      // or too deep fails the node's put, not every later store search.
      else await this.store.putIndexed(op.namespace, op.key, toStorable(op.value, `store item ${JSON.stringify([...op.namespace, op.key].join("."))}`), op.index);
      return undefined;
    }
    if ("key" in op) {
      const item = await this.store.getUnchecked(op.namespace, op.key);
      return item ? toItem(item) : null;
    }
    if ("namespacePrefix" in op) {
      const items = await this.store.searchRanked({ namespace_prefix: op.namespacePrefix, filter: op.filter, query: op.query, offset: op.offset ?? 0, limit: op.limit ?? 10 });
      return items.map((i) => ("score" in i ? { ...toItem(i), score: i.score ?? undefined } : toItem(i)));
    }
    // Wildcard match conditions are not a backend query: every live item is read (rare: graphs listing namespaces).
    const seen = new Map<string, string[]>();
    for (const item of await this.store.searchUnchecked({ limit: Number.MAX_SAFE_INTEGER })) {
      if (!(op.matchConditions ?? []).every((c) => matchPath(item.namespace, c.path, c.matchType))) continue;
      const ns = op.maxDepth ? item.namespace.slice(0, op.maxDepth) : item.namespace;
      seen.set(ns.join("\u0000"), ns);
    }
    return [...seen.values()].sort().slice(op.offset, op.offset + op.limit);
  }
}
