// Compare `GET /assistants/{id}/schemas` and `GET /assistants/{id}/subgraphs?recurse=true` between lg-dev and the
// official dev server (`langgraphjs dev`) on the same projects, and print every difference.
//
//   npm run build && node bench/compare/schemas.mjs [project dir…]
//
// Projects default to the schema corpus (test/fixtures/schemas: Annotation generics, literal unions,
// BaseMessage[], MessagesAnnotation, config schemas, factories, Zod v3/v4, StateSchema, subgraphs, and LangChain's
// react-agent / memory-agent / data-enrichment templates recreated) and lg-dev's templates/. Each is copied into a
// temp dir whose node_modules links to this repository's, so both servers read the same packages; `auth` and `env`
// are removed from the copy's langgraph.json (schemas depend on neither; a template's .env does not exist yet).
//
// Normalised before comparing: `null` and a missing key are equal (lg-dev answers `config_schema: null` where the
// official server leaves the key out), and property names made from a symbol's id (`__@toStringTag@213`) lose the
// id, which differs from one program to the next on either server.
// The official server: $LG_BENCH_OFFICIAL_DIR or /tmp/official when they hold the pinned versions, else installed
// from npm into a temp dir (bench/lib/official.mjs).
import { cpSync, existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ensureOfficial } from "../lib/official.mjs";
import { cleanupAll, tempDir } from "../lib/proc.mjs";
import { lgDev, official, REPO_ROOT } from "../lib/servers.mjs";

const projects = process.argv.slice(2).length
  ? process.argv.slice(2).map((p) => resolve(p))
  : [join(REPO_ROOT, "test", "fixtures", "schemas"), ...readdirSync(join(REPO_ROOT, "templates"), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(REPO_ROOT, "templates", d.name))];

/** A temp copy of a project (without node_modules, stored data or auth) resolving packages from this repository. */
function projectCopy(dir) {
  const tmp = tempDir("lg-compare-schemas-");
  cpSync(dir, tmp.dir, { recursive: true, filter: (src) => !/[\\/](node_modules|\.langgraph_api)([\\/]|$)/.test(src.slice(dir.length)) });
  symlinkSync(join(REPO_ROOT, "node_modules"), join(tmp.dir, "node_modules"), "dir");
  const configPath = join(tmp.dir, "langgraph.json");
  const config = JSON.parse(readFileSync(configPath, "utf8"));
  delete config.auth;
  delete config.env;
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  return tmp;
}

async function getJson(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  const body = await res.text();
  try {
    return { status: res.status, body: JSON.parse(body) };
  } catch {
    return { status: res.status, body };
  }
}

/** Graph id -> {schemas, subgraphs} as a server answers them. */
async function collect(url, graphIds) {
  const out = {};
  for (const id of graphIds) {
    out[id] = { schemas: await getJson(`${url}/assistants/${id}/schemas`), subgraphs: await getJson(`${url}/assistants/${id}/subgraphs?recurse=true`) };
  }
  return out;
}

function normalise(value) {
  return JSON.parse(JSON.stringify(value ?? null, (_k, v) => (v === null ? undefined : v)).replace(/__@(\w+)@\d+/g, "__@$1") ?? "null");
}

/** Paths where `a` and `b` differ, with both values (shortened). */
function differences(a, b, path = "", out = []) {
  if (JSON.stringify(a) === JSON.stringify(b)) return out;
  const isObj = (v) => v && typeof v === "object" && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) differences(a[k], b[k], `${path}/${k}`, out);
  } else {
    const show = (v) => (v === undefined ? "(absent)" : JSON.stringify(v).slice(0, 160));
    out.push(`${path || "/"}: official ${show(a)}  lg-dev ${show(b)}`);
  }
  return out;
}

async function compareProject(dir, officialServer) {
  const name = dir.slice(REPO_ROOT.length + 1) || dir;
  const copy = projectCopy(dir);
  const graphIds = Object.keys(JSON.parse(readFileSync(join(copy.dir, "langgraph.json"), "utf8")).graphs);
  const results = {};
  for (const [label, kind, env] of [
    ["official", officialServer, {}],
    ["lg-dev", lgDev(), { LG_DEV_CACHE_DIR: join(copy.dir, ".lg-dev-cache") }],
  ]) {
    const server = await kind.start({ projectDir: copy.dir, reload: false, env, extraArgs: label === "lg-dev" ? ["--no-persist"] : [] });
    try {
      results[label] = await collect(server.url, graphIds);
    } finally {
      await server.stop(5000);
    }
  }
  let same = 0;
  console.log(`\n== ${name}`);
  for (const id of graphIds) {
    const lines = [];
    for (const what of ["schemas", "subgraphs"]) {
      const o = results.official[id][what];
      const l = results["lg-dev"][id][what];
      if (o.status !== l.status) lines.push(`  ${what}: status official ${o.status}  lg-dev ${l.status}`);
      for (const d of differences(normalise(o.body), normalise(l.body))) lines.push(`  ${what}${d}`);
    }
    if (lines.length === 0) same++;
    console.log(lines.length ? `${id}: ${lines.length} difference(s)\n${lines.slice(0, 25).join("\n")}${lines.length > 25 ? `\n  … ${lines.length - 25} more` : ""}` : `${id}: same`);
  }
  copy.remove();
  return { graphs: graphIds.length, same };
}

try {
  if (!existsSync(join(REPO_ROOT, "dist", "graphs", "static-schema", "worker.js"))) throw new Error("build lg-dev first: npm run build");
  const install = await ensureOfficial();
  if (install.error) throw new Error(install.error);
  console.log(`official server: ${install.source}`);
  const officialServer = official(install.dir);
  let graphs = 0;
  let same = 0;
  for (const dir of projects) {
    try {
      const r = await compareProject(dir, officialServer);
      graphs += r.graphs;
      same += r.same;
    } catch (err) {
      console.log(`\n== ${dir}: not compared: ${String(err.message ?? err).split("\n").slice(0, 3).join(" | ")}`);
    }
  }
  console.log(`\n${same} of ${graphs} graphs answer the same /schemas and /subgraphs on both servers`);
} finally {
  cleanupAll();
}
