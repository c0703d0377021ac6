// Shared by the comparison scripts: write a project, start lg-dev and the official server on it in turn, run the
// same scenario against each, and print the answers side by side.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureOfficial } from "../lib/official.mjs";
import { cleanupAll, tempDir } from "../lib/proc.mjs";
import { lgDev, official } from "../lib/servers.mjs";

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
