import { useMemo, useState } from "react";
import { treeRows } from "../lib/json-tree.js";

/** A collapsible JSON tree: containers are buttons (keyboard: Tab to reach, Enter/Space to open). */
export function JsonTree({ value, openDepth = 1, label }: { value: unknown; openDepth?: number; label?: string }) {
  const [toggled, setToggled] = useState<ReadonlySet<string>>(() => new Set());
  const rows = useMemo(() => treeRows(value, toggled, openDepth), [value, toggled, openDepth]);
  const flip = (path: string) =>
    setToggled((prev) => {
      const next = new Set(prev);
      if (next.has(path)) next.delete(path);
      else next.add(path);
      return next;
    });
  if (value === undefined) return <p className="muted">No value</p>;
  return (
    <div className="json-tree" role="tree" aria-label={label ?? "JSON"}>
      {rows.map((row) => (
        <div key={row.path} role="treeitem" aria-level={row.depth + 1} aria-expanded={row.expandable ? row.expanded : undefined} className="json-row" style={{ paddingLeft: `${row.depth * 14}px` }}>
          {row.expandable ? (
            <button type="button" className="json-toggle" onClick={() => flip(row.path)} aria-label={`${row.expanded ? "Collapse" : "Expand"} ${row.label ?? "root"}`}>
              {row.expanded ? "▾" : "▸"}
            </button>
          ) : (
            <span className="json-toggle-space" />
          )}
          {row.label !== undefined && <span className="json-key">{row.label}: </span>}
          <span className={`json-${row.kind}`}>{row.text}</span>
        </div>
      ))}
    </div>
  );
}
