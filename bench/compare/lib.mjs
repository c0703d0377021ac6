// Helpers for comparing what two servers send: raw SSE capture, normalisation of generated values, a path diff.

/** Read a fetch Response as SSE frames `{id?, event, data}` (data parsed as JSON when it is JSON). */
export async function readSse(res) {
  const text = await res.text();
  const frames = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    if (!block.trim()) continue;
    const f = {};
    const data = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(":")) continue;
      const i = line.indexOf(":");
      const key = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
      if (key === "data") data.push(value);
      else if (key === "event") f.event = value;
      else if (key === "id") f.id = value;
    }
    if (f.event === undefined && data.length === 0) continue;
    const raw = data.join("\n");
    try {
      f.data = JSON.parse(raw);
    } catch {
      f.data = raw;
    }
    frames.push(f);
  }
  return frames;
}

// UUIDs, and the 32-hex-digit ids LangGraph derives from them (interrupt ids hash a namespace holding a task id).
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{32}\b/gi;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A normaliser for one scenario on one server: every UUID becomes `<id:N>` numbered by first appearance (so the
 * same id keeps the same name across the scenario's requests), timestamps become `<ts>`, the server's own URL
 * becomes `<api-url>`, object keys are sorted. `drop` lists keys removed wherever they appear.
 */
export function makeNormaliser({ drop = [], url } = {}) {
  const ids = new Map();
  const dropSet = new Set(drop);
  const norm = (v) => {
    if (typeof v === "string") {
      if (ISO.test(v)) return "<ts>";
      if (url && v.includes(url)) v = v.split(url).join("<api-url>");
      return v.replace(UUID, (m) => {
        const k = m.toLowerCase();
        if (!ids.has(k)) ids.set(k, ids.size);
        return `<id:${ids.get(k)}>`;
      });
    }
    if (Array.isArray(v)) return v.map(norm);
    if (v && typeof v === "object") {
      const out = {};
      for (const k of Object.keys(v).sort()) if (!dropSet.has(k)) out[norm(k)] = norm(v[k]);
      return out;
    }
    return v;
  };
  return norm;
}

/** Differences between two normalised values, as `path: a != b` lines (at most `max`). */
export function diff(a, b, path = "", out = [], max = 12) {
  if (out.length >= max) return out;
  const show = (v) => {
    const s = JSON.stringify(v);
    return s === undefined ? "(absent)" : s.length > 160 ? `${s.slice(0, 160)}…` : s;
  };
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) diff(a[i], b[i], `${path}[${i}]`, out, max);
    return out;
  }
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diff(a[k], b[k], `${path}.${k}`, out, max);
    return out;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${path || "(root)"}: official ${show(a)} | lg-dev ${show(b)}`);
  return out;
}

/** A compact one-line view of an SSE capture: `id:event` per frame. */
export const outline = (frames) => frames.map((f) => `${f.id ?? "-"}:${f.event}`).join(" ");
