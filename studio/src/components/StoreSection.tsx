import type { Client, Item } from "@langchain/langgraph-sdk";
import { useCallback, useEffect, useState } from "react";
import type { ApiErrorInfo } from "../lib/errors.js";
import { parseMetadataFilter } from "../lib/metadata-filter.js";
import { parseJsonText } from "../lib/resume.js";
import { namespaceTree, parseNamespace, type NamespaceNode } from "../lib/store-tree.js";

const PAGE = 50;

function Tree({ nodes, selected, onSelect }: { nodes: NamespaceNode[]; selected: string[]; onSelect: (path: string[]) => void }) {
  return (
    <ul className="ns-tree">
      {nodes.map((n) => {
        const key = JSON.stringify(n.path);
        const isSelected = key === JSON.stringify(selected);
        return (
          <li key={key}>
            <button type="button" className={isSelected ? "selected" : undefined} aria-pressed={isSelected} onClick={() => onSelect(n.path)}>
              {n.label}
            </button>
            {n.children.length > 0 && <Tree nodes={n.children} selected={selected} onSelect={onSelect} />}
          </li>
        );
      })}
    </ul>
  );
}

/** The store: namespaces as a tree, items listed and searched below a prefix, edited and deleted as JSON. */
export function StoreSection({ client, report, explain }: { client: Client; report: (err: unknown) => void; explain: (err: unknown) => ApiErrorInfo }) {
  // The store's refusals are shown here, not in the page's alert: auth handlers often scope the store per user.
  const [problem, setProblem] = useState<string | undefined>();
  const fail = useCallback(
    (err: unknown) => {
      const info = explain(err);
      if (info.status === 401) report(err);
      setProblem(`${info.title}: ${info.detail}`);
    },
    [report, explain],
  );
  const [root, setRoot] = useState<string[]>([]);
  const [rootText, setRootText] = useState("");
  const [namespaces, setNamespaces] = useState<string[][]>([]);
  const [prefix, setPrefix] = useState<string[]>([]);
  const [query, setQuery] = useState("");
  const [filterText, setFilterText] = useState("");
  const [search, setSearch] = useState<{ query?: string; filter?: Record<string, unknown> }>({});
  const [items, setItems] = useState<Item[]>([]);
  const [limit, setLimit] = useState(PAGE);
  const [editing, setEditing] = useState<{ namespace: string[]; key: string; text: string; isNew: boolean; nsText?: string; error?: string } | undefined>();

  const loadNamespaces = useCallback(async () => {
    try {
      setNamespaces((await client.store.listNamespaces({ limit: 1000, ...(root.length ? { prefix: root } : {}) })).namespaces);
      setProblem(undefined);
    } catch (err) {
      setNamespaces([]);
      fail(err);
    }
  }, [client, root, fail]);
  const loadItems = useCallback(async () => {
    try {
      setItems((await client.store.searchItems(prefix.length ? prefix : root, { ...search, limit, offset: 0 })).items);
    } catch (err) {
      setItems([]);
      fail(err);
    }
  }, [client, prefix, root, search, limit, fail]);
  useEffect(() => void loadNamespaces(), [loadNamespaces]);
  useEffect(() => void loadItems(), [loadItems]);
  const refresh = async () => {
    await Promise.all([loadNamespaces(), loadItems()]);
  };

  const save = async () => {
    if (!editing) return;
    let namespace = editing.namespace;
    if (editing.isNew) {
      const parsed = parseNamespace(editing.nsText ?? "");
      if (parsed.error) return setEditing({ ...editing, error: parsed.error });
      namespace = parsed.namespace!;
      if (!editing.key.trim()) return setEditing({ ...editing, error: "A key is required" });
    }
    const value = parseJsonText(editing.text);
    if (!value.ok) return setEditing({ ...editing, error: value.error });
    if (typeof value.value !== "object" || value.value === null || Array.isArray(value.value)) return setEditing({ ...editing, error: "An item's value must be a JSON object" });
    try {
      await client.store.putItem(namespace, editing.key.trim(), value.value as Record<string, unknown>);
      setEditing(undefined);
      await refresh();
    } catch (err) {
      fail(err);
    }
  };
  const remove = async (item: Item) => {
    try {
      await client.store.deleteItem(item.namespace, item.key);
      setEditing(undefined);
      await refresh();
    } catch (err) {
      fail(err);
    }
  };

  return (
    <section aria-label="Store" className="panel store-section" id="store">
      <div className="panel-title">
        <h2>Store</h2>
        <button type="button" onClick={() => setEditing({ namespace: prefix, key: "", text: "{}", isNew: true, nsText: prefix.join(".") })}>
          New item
        </button>
        <button type="button" onClick={() => void refresh()}>
          Refresh
        </button>
        <form
          className="store-root"
          onSubmit={(e) => {
            e.preventDefault();
            const parsed = rootText.trim() ? parseNamespace(rootText) : { namespace: [] as string[] };
            if (parsed.error) return setProblem(parsed.error);
            setPrefix([]);
            setRoot(parsed.namespace!);
          }}
        >
          <input aria-label="Namespace prefix" placeholder="prefix, e.g. user1" value={rootText} onChange={(e) => setRootText(e.target.value)} />
          <button type="submit">Browse</button>
        </form>
      </div>
      {problem && (
        <div className="field-error" role="status">
          {problem}
        </div>
      )}
      <div className="store-body">
        <nav aria-label="Namespaces" className="store-namespaces">
          <button type="button" className={prefix.length === 0 ? "selected" : undefined} aria-pressed={prefix.length === 0} onClick={() => setPrefix([])}>
            {root.length ? `(all under ${root.join(" / ")})` : "(all namespaces)"}
          </button>
          <Tree nodes={namespaceTree(namespaces)} selected={prefix} onSelect={setPrefix} />
        </nav>
        <div className="store-items">
          <form
            className="store-search"
            role="search"
            onSubmit={(e) => {
              e.preventDefault();
              const f = parseMetadataFilter(filterText);
              if (f.error) return setProblem(f.error);
              setLimit(PAGE);
              setSearch({ ...(query.trim() ? { query: query.trim() } : {}), ...(f.filter ? { filter: f.filter } : {}) });
            }}
          >
            <input aria-label="Search items" placeholder="query" value={query} onChange={(e) => setQuery(e.target.value)} />
            <input aria-label="Filter items" placeholder="filter: key=value" value={filterText} onChange={(e) => setFilterText(e.target.value)} />
            <button type="submit" aria-label="Search the store">
              Search
            </button>
          </form>
          <div className="muted small">
            {items.length} items under {prefix.length ? prefix.join(" / ") : "all namespaces"}
          </div>
          <ul aria-label="Store items" className="store-item-list">
            {items.map((item) => (
              <li key={JSON.stringify([item.namespace, item.key])}>
                <button type="button" onClick={() => setEditing({ namespace: item.namespace, key: item.key, text: JSON.stringify(item.value, null, 2), isNew: false })}>
                  <span className="muted small">{item.namespace.join(" / ")} /</span> <strong>{item.key}</strong> <span className="mono small">{JSON.stringify(item.value).slice(0, 80)}</span>
                </button>
                <button type="button" className="icon" aria-label={`Delete item ${item.key}`} onClick={() => void remove(item)}>
                  ✕
                </button>
              </li>
            ))}
          </ul>
          {items.length >= limit && (
            <button type="button" onClick={() => setLimit((l) => l + PAGE)}>
              Load more
            </button>
          )}
          {editing && (
            <form
              className="store-editor"
              aria-label={editing.isNew ? "New item" : `Item ${editing.key}`}
              onSubmit={(e) => {
                e.preventDefault();
                void save();
              }}
            >
              {editing.isNew ? (
                <>
                  <label>
                    Namespace <input value={editing.nsText ?? ""} placeholder="users.u1 or [&quot;users&quot;,&quot;u1&quot;]" onChange={(e) => setEditing({ ...editing, nsText: e.target.value, error: undefined })} />
                  </label>
                  <label>
                    Key <input value={editing.key} onChange={(e) => setEditing({ ...editing, key: e.target.value, error: undefined })} />
                  </label>
                </>
              ) : (
                <h3>
                  {editing.namespace.join(" / ")} / {editing.key}
                </h3>
              )}
              <label htmlFor="store-value">Value (JSON)</label>
              <textarea id="store-value" className="mono" rows={8} value={editing.text} onChange={(e) => setEditing({ ...editing, text: e.target.value, error: undefined })} />
              {editing.error && <div className="field-error">{editing.error}</div>}
              <div className="composer-buttons">
                <button type="submit" className="primary">
                  Save item
                </button>
                {!editing.isNew && (
                  <button type="button" onClick={() => void remove({ namespace: editing.namespace, key: editing.key } as Item)}>
                    Delete item
                  </button>
                )}
                <button type="button" onClick={() => setEditing(undefined)}>
                  Cancel
                </button>
              </div>
            </form>
          )}
        </div>
      </div>
    </section>
  );
}
