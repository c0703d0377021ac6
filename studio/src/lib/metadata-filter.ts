/**
 * The thread search box: `key=value` pairs (comma or space separated; values that parse as JSON are used as such,
 * so `n=3` matches the number) or a JSON object. Returns the metadata filter, or an error to show.
 */
export function parseMetadataFilter(text: string): { filter?: Record<string, unknown>; error?: string } {
  const trimmed = text.trim();
  if (trimmed === "") return {};
  if (trimmed.startsWith("{")) {
    try {
      const value = JSON.parse(trimmed) as unknown;
      if (typeof value !== "object" || value === null || Array.isArray(value)) return { error: "The filter must be a JSON object" };
      return { filter: value as Record<string, unknown> };
    } catch (err) {
      return { error: `Invalid JSON: ${(err as Error).message}` };
    }
  }
  const filter: Record<string, unknown> = {};
  for (const part of trimmed.split(/[\s,]+/).filter(Boolean)) {
    const eq = part.indexOf("=");
    if (eq <= 0) return { error: `"${part}" is not key=value` };
    const key = part.slice(0, eq);
    const raw = part.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a plain string
    }
    filter[key] = value;
  }
  return { filter };
}
