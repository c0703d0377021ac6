// The servers under test (lg-dev, the official `langgraphjs dev`, a bare Fastify ceiling) behind one interface:
// `kind.start({ projectDir, reload })` -> { url, proc, startupMs, stop() }.
import { cpSync, existsSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, spawnGroup, tempDir, waitReady } from "./proc.mjs";

export const BENCH_DIR = fileURLToPath(new URL("..", import.meta.url));
export const REPO_ROOT = join(BENCH_DIR, "..");
export const FIXTURE_DIR = join(BENCH_DIR, "fixture");

/** Environment shared by every server: no browser, no telemetry, no tracing, no colours. */
function serverEnv(extra = {}) {
  const env = { ...process.env, BROWSER: "none", NO_COLOR: "1", LANGGRAPH_CLI_NO_ANALYTICS: "1", LANGSMITH_TRACING: "false", LANGCHAIN_TRACING_V2: "false", ...extra };
  for (const k of ["LANGSMITH_API_KEY", "LANGCHAIN_API_KEY", "LANGGRAPH_API_KEY", "NODE_OPTIONS"]) delete env[k];
  return env;
}

/** A temp copy of the fixture whose node_modules is a symlink to `nodeModules`. */
export function fixtureCopy(prefix, nodeModules) {
  const tmp = tempDir(prefix);
  cpSync(FIXTURE_DIR, tmp.dir, { recursive: true, filter: (src) => !src.includes(`${FIXTURE_DIR}/node_modules`) && !src.includes(".langgraph_api") });
  symlinkSync(nodeModules, join(tmp.dir, "node_modules"), "dir");
  return tmp;
}

async function startWith(label, projectDir, port, command, args, opts) {
  const url = `http://127.0.0.1:${port}`;
  const proc = spawnGroup(command, args, { cwd: projectDir, env: serverEnv(opts.env), logFile: join(projectDir, `${label}.log`) });
  try {
    const readyAt = await waitReady(url, { proc, timeoutMs: opts.timeoutMs ?? 90_000 });
    return { url, proc, pid: proc.pid, startupMs: readyAt - proc.t0, stop: (graceMs) => proc.stop(graceMs) };
  } catch (err) {
    await proc.stop(2000);
    throw err;
  }
}

/**
 * lg-dev from this repository (bin/lg-dev.js; `npm run bench` builds dist/ first). LG_BENCH_LGDEV_BIN points at
 * another build (an A/B experiment on a patched copy).
 */
export function lgDev() {
  const bin = process.env.LG_BENCH_LGDEV_BIN || join(REPO_ROOT, "bin", "lg-dev.js");
  return {
    name: "lg-dev",
    nodeModules: join(REPO_ROOT, "node_modules"),
    async start({ projectDir, reload = true, extraArgs = [], env, timeoutMs }) {
      const port = await freePort();
      const args = [bin, "--config", projectDir, "--port", String(port), "--host", "127.0.0.1", "--no-browser", ...(reload ? [] : ["--no-reload"]), ...extraArgs];
      return startWith("lg-dev", projectDir, port, process.execPath, args, { env, timeoutMs });
    },
  };
}

/** The official dev server (`langgraphjs dev` from @langchain/langgraph-cli) installed in `installDir`. */
export function official(installDir) {
  const cli = join(installDir, "node_modules", "@langchain", "langgraph-cli", "dist", "cli", "cli.mjs");
  if (!existsSync(cli)) throw new Error(`no langgraph-cli in ${installDir}`);
  return {
    name: "official",
    nodeModules: join(installDir, "node_modules"),
    async start({ projectDir, reload = true, extraArgs = [], env, timeoutMs }) {
      const port = await freePort();
      const args = [
        cli, "dev", "--port", String(port), "--host", "127.0.0.1", "--no-browser",
        // An explicit Studio URL keeps the CLI from asking the LangSmith client for one.
        "--studio-url", "http://127.0.0.1", "--config", join(projectDir, "langgraph.json"),
        ...(reload ? [] : ["--no-reload"]), ...extraArgs,
      ];
      return startWith("official", projectDir, port, process.execPath, args, { env, timeoutMs });
    },
  };
}

/** The capacity ceiling: a bare Fastify route in its own process. */
export function ceiling() {
  const script = join(BENCH_DIR, "lib", "ceiling-server.mjs");
  return {
    name: "fastify",
    nodeModules: join(REPO_ROOT, "node_modules"),
    async start({ projectDir }) {
      const port = await freePort();
      return startWith("fastify", projectDir, port, process.execPath, [script, String(port)], {});
    },
  };
}

/**
 * The floor for runs.wait: the same echo graph behind a bare Fastify route (lib/floor-server.mjs), on the HTTP thread
 * ("inproc") or on one worker thread ("worker").
 */
export function floor(mode) {
  const script = join(BENCH_DIR, "lib", "floor-server.mjs");
  return {
    name: `floor (${mode === "worker" ? "graph on a worker thread" : "graph on the HTTP thread"})`,
    nodeModules: join(REPO_ROOT, "node_modules"),
    async start({ projectDir }) {
      const port = await freePort();
      return startWith("floor", projectDir, port, process.execPath, [script, String(port), mode], {});
    },
  };
}
