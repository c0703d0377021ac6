// The official dev server, installed from npm on demand into a temp dir (or reused from a valid cache dir).
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./proc.mjs";

/** Exact versions the benchmark compares against. */
export const OFFICIAL_PACKAGES = {
  "@langchain/langgraph-cli": "1.5.1",
  "@langchain/langgraph-api": "1.5.1",
  "@langchain/langgraph": "1.7.3",
  "@langchain/core": "1.4.0",
};

function installedVersion(dir, name) {
  try {
    return JSON.parse(readFileSync(join(dir, "node_modules", ...name.split("/"), "package.json"), "utf8")).version;
  } catch {
    return undefined;
  }
}

/** True when `dir` holds exactly the pinned packages (and the sdk the fixture's auth imports). */
export function isValidInstall(dir) {
  if (!dir || !existsSync(join(dir, "node_modules"))) return false;
  if (!existsSync(join(dir, "node_modules", "@langchain", "langgraph-sdk", "package.json"))) return false;
  return Object.entries(OFFICIAL_PACKAGES).every(([name, v]) => installedVersion(dir, name) === v);
}

function npmInstall(dir, log) {
  const specs = Object.entries(OFFICIAL_PACKAGES).map(([n, v]) => `${n}@${v}`);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "lg-dev-bench-official", private: true, type: "module" }, null, 2));
  log(`installing the official server: npm install ${specs.join(" ")} (into ${dir})`);
  return new Promise((resolve) => {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const child = spawn(npm, ["install", "--no-audit", "--no-fund", "--loglevel=error", ...specs], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 5 * 60_000);
    child.on("error", (err) => {
      clearTimeout(timer);
      resolve({ ok: false, output: String(err) });
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, output: out });
    });
  });
}

/**
 * Find or install the official server. Order: $LG_BENCH_OFFICIAL_DIR, then /tmp/official (a cache left by an
 * earlier manual install), each only if it has the exact pinned versions; otherwise `npm install` into a fresh temp
 * dir that is removed at the end of the run. Resolves { dir, source } or { error }.
 */
export async function ensureOfficial({ log = console.error, cacheDirs = [process.env.LG_BENCH_OFFICIAL_DIR, "/tmp/official"], noCache = false } = {}) {
  if (!noCache) {
    for (const dir of cacheDirs) {
      if (isValidInstall(dir)) return { dir, source: `cached install at ${dir}` };
    }
  }
  const tmp = tempDir("lg-bench-official-");
  const t0 = performance.now();
  const res = await npmInstall(tmp.dir, log);
  if (!res.ok || !isValidInstall(tmp.dir)) {
    tmp.remove();
    const lines = res.output.trim().split("\n");
    const errors = lines.filter((l) => /npm (error|ERR!)/.test(l) && !/complete log|^\S+\s*$/.test(l));
    return { error: `npm install of the official server failed: ${(errors.length ? errors : lines).slice(0, 3).join(" | ")}` };
  }
  return { dir: tmp.dir, source: `installed from npm into a temp dir in ${Math.round((performance.now() - t0) / 1000)} s` };
}
