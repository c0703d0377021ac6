/**
 * `npm run build`: compile src/ into dist/ and the Studio into dist/studio/, then remove what this build did not
 * write (a file left from a moved or deleted source). dist/ is never emptied first: a test, a bench or a server
 * started from this checkout keeps finding every file while the build runs.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, rmdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const dist = join(root, "dist");
const bin = (name) => join(root, "node_modules", ".bin", process.platform === "win32" ? `${name}.cmd` : name);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** Delete files under `dir` last written before `since`, and the directories that leaves empty. */
function prune(dir, since) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      prune(path, since);
      if (readdirSync(path).length === 0) rmdirSync(path);
    } else if (statSync(path).mtimeMs < since) {
      rmSync(path, { force: true });
    }
  }
}

// Whole milliseconds, a little early: a file system that rounds mtimes down must not make this build's files look old.
const started = Math.floor(Date.now()) - 1000;
run(bin("tsc"), ["-p", "tsconfig.build.json"]);
run(bin("vite"), ["build", "--config", "studio/vite.config.ts", "--logLevel", "warn"]);
prune(dist, started);
