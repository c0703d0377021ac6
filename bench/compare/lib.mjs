// Helpers of the side-by-side comparisons under bench/compare/.

/** An answer with what differs on every run (ids, times, ports) replaced, shortened for a table cell. */
export function normalise(text, max = 160) {
  const out = text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?/g, "<time>")
    .replace(/127\.0\.0\.1:\d+|localhost:\d+/g, "<host>")
    .replace(/\s+/g, " ")
    .trim();
  return out.length > max ? `${out.slice(0, max)}…` : out;
}

/** A Markdown table. */
export function table(header, rows) {
  const esc = (cell) => String(cell).replace(/\|/g, "\\|");
  return [`| ${header.map(esc).join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`)].join("\n");
}
