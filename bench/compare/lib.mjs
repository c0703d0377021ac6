// Helpers shared by the comparison scripts: raw SSE capture, normalisation of generated values, a path diff; and a
// runner that writes a project, starts lg-dev and the official server on it in turn and prints the answers side by side.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureOfficial } from "../lib/official.mjs";
import { cleanupAll, tempDir } from "../lib/proc.mjs";
import { lgDev, official } from "../lib/servers.mjs";

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

/** Replace ids that differ between the two servers by their role, and any other uuid and timestamp by a marker. */
export function normalise(text, ids = {}) {
  let out = text;
  for (const [name, id] of Object.entries(ids)) if (id) out = out.replaceAll(id, `<${name}>`);
  return out
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>")
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)/g, "<time>");
}

/** fetch, answering {status, body} (the body as text). */
export async function send(url, method, path, body, headers = {}) {
  const res = await fetch(url + path, {
    method,
    headers: { ...headers, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: await res.text() };
}

/**
 * Run `scenario(url)` (resolving to [{request, status, body}]) on lg-dev and on the official server, each on a fresh
 * copy of `files`; print both answers (`--json`: as JSON) with `notes` on the differences made on purpose.
 * Resolves the exit code: 0 all the same, 1 some differ, 2 a server did not start.
 */
export async function compare({ files, scenario, notes = {} }) {
  const asJson = process.argv.includes("--json");
  const found = await ensureOfficial({ log: (m) => process.stderr.write(`${m}\n`) });
  if (found.error) {
    process.stderr.write(`${found.error}\n`);
    return 2;
  }
  const results = {};
  for (const kind of [lgDev(), official(found.dir)]) {
    const tmp = tempDir(`lg-compare-${kind.name}-`);
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(join(tmp.dir, rel, ".."), { recursive: true });
      writeFileSync(join(tmp.dir, rel), text);
    }
    symlinkSync(kind.nodeModules, join(tmp.dir, "node_modules"), "dir");
    let server;
    try {
      server = await kind.start({ projectDir: tmp.dir, reload: false, extraArgs: kind.name === "lg-dev" ? ["--no-persist"] : [] });
    } catch (err) {
      process.stderr.write(`${kind.name} did not start: ${err.message}\n`);
      return 2;
    }
    try {
      results[kind.name] = await scenario(server.url);
    } finally {
      await server.stop(5000);
      tmp.remove();
    }
  }
  const ours = results["lg-dev"];
  const theirs = results.official;
  if (asJson) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  let differ = 0;
  for (let i = 0; i < ours.length; i++) {
    const a = ours[i];
    const b = theirs[i];
    const same = a.status === b.status && a.body === b.body;
    if (!same) differ += 1;
    if (asJson) continue;
    process.stdout.write(`${same ? "  same" : "DIFFER"}  ${a.request}\n`);
    process.stdout.write(`        lg-dev   ${a.status} ${a.body}\n`);
    if (!same) process.stdout.write(`        official ${b.status} ${b.body}\n`);
    if (!same && notes[a.request]) process.stdout.write(`        note: ${notes[a.request]}\n`);
  }
  process.stdout.write(`\n${ours.length - differ} of ${ours.length} answers match\n`);
  return differ === 0 ? 0 : 1;
}

/** Run `compare` as a script: exit with its code, every server and temp dir cleaned up. */
export function runAsScript(options) {
  compare(options)
    .then((code) => {
      cleanupAll();
      process.exit(code);
    })
    .catch((err) => {
      process.stderr.write(`${err.stack ?? err}\n`);
      cleanupAll();
      process.exit(2);
    });
}

/** An answer with what differs on every run (ids, times, ports) replaced, shortened for a table cell. */
export function cell(text, max = 160) {
  const out = normalise(text)
    .replace(/127\.0\.0\.1:\d+|localhost:\d+/g, "<host>")
    .replace(/\s+/g, " ")
    .trim();
  return out.length > max ? `${out.slice(0, max)}…` : out;
}

/** A Markdown table. */
export function table(header, rows) {
  const esc = (c) => String(c).replace(/\|/g, "\\|");
  return [`| ${header.map(esc).join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`)].join("\n");
}
