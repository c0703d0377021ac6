/** A JSON value as rows of a collapsible tree: each row knows its path, depth and whether it can open. */
export interface TreeRow {
  /** JSON-pointer-like path (`/messages/0/content`), unique per row: the key of its open/closed state. */
  path: string;
  depth: number;
  /** Property name or array index; undefined for the root. */
  label?: string;
  /** For leaves: the value as shown; for containers: a summary (`{3 keys}`, `[2 items]`). */
  text: string;
  kind: "object" | "array" | "string" | "number" | "boolean" | "null" | "other";
  expandable: boolean;
  expanded: boolean;
}

const kindOf = (v: unknown): TreeRow["kind"] =>
  v === null ? "null" : Array.isArray(v) ? "array" : typeof v === "object" ? "object" : typeof v === "string" ? "string" : typeof v === "number" ? "number" : typeof v === "boolean" ? "boolean" : "other";

function summary(v: unknown): string {
  if (Array.isArray(v)) return `[${v.length} ${v.length === 1 ? "item" : "items"}]`;
  const n = Object.keys(v as object).length;
  return `{${n} ${n === 1 ? "key" : "keys"}}`;
}

function leafText(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 2000 ? `${v.slice(0, 2000)}…` : v);
  if (v === undefined) return "undefined";
  return String(v);
}

/**
 * Rows for the visible part of the tree. A container is open when its path is in `toggled` XOR it is within
 * `openDepth` levels (so the first levels start open and a click flips the default).
 */
export function treeRows(value: unknown, toggled: ReadonlySet<string>, openDepth = 1): TreeRow[] {
  const rows: TreeRow[] = [];
  const visit = (v: unknown, path: string, depth: number, label: string | undefined) => {
    const kind = kindOf(v);
    const container = kind === "object" || kind === "array";
    const empty = container && Object.keys(v as object).length === 0;
    const expandable = container && !empty;
    const expanded = expandable && (depth < openDepth) !== toggled.has(path);
    rows.push({ path, depth, label, text: container ? (empty ? (kind === "array" ? "[]" : "{}") : summary(v)) : leafText(v), kind, expandable, expanded });
    if (!expanded) return;
    if (Array.isArray(v)) v.forEach((item, i) => visit(item, `${path}/${i}`, depth + 1, String(i)));
    else for (const [k, item] of Object.entries(v as object)) visit(item, `${path}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`, depth + 1, k);
  };
  visit(value, "", 0, undefined);
  return rows;
}
