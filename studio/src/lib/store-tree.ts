/** Store namespaces (`[["users","u1","memories"], …]`) as a tree whose every level can be opened and searched. */
export interface NamespaceNode {
  label: string;
  path: string[];
  children: NamespaceNode[];
  /** Some namespace ends exactly here (items may live at this level). */
  leaf: boolean;
}

export function namespaceTree(namespaces: string[][]): NamespaceNode[] {
  const root: NamespaceNode = { label: "", path: [], children: [], leaf: false };
  for (const ns of namespaces) {
    let node = root;
    ns.forEach((label, i) => {
      let child = node.children.find((c) => c.label === label);
      if (!child) {
        child = { label, path: ns.slice(0, i + 1), children: [], leaf: false };
        node.children.push(child);
      }
      node = child;
    });
    node.leaf = true;
  }
  const sort = (nodes: NamespaceNode[]) => {
    nodes.sort((a, b) => a.label.localeCompare(b.label));
    for (const n of nodes) sort(n.children);
  };
  sort(root.children);
  return root.children;
}

/** A namespace as typed: a JSON array (`["a","b"]`) or labels separated by dots or slashes (`a.b`, `a/b`). */
export function parseNamespace(text: string): { namespace?: string[]; error?: string } {
  const trimmed = text.trim();
  if (trimmed === "") return { error: "A namespace is required" };
  if (trimmed.startsWith("[")) {
    try {
      const value = JSON.parse(trimmed) as unknown;
      if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string" && v.length > 0)) return { namespace: value as string[] };
    } catch {
      // fall through
    }
    return { error: "A JSON namespace must be a non-empty array of non-empty strings" };
  }
  const parts = trimmed.split(/[./]/).map((p) => p.trim());
  if (parts.some((p) => p === "")) return { error: `"${trimmed}" has an empty label` };
  return { namespace: parts };
}
