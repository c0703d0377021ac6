import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers/spawn.js";

/** The templates every test covers, in listing order. */
export const TEMPLATE_IDS = ["new-langgraph-project", "react-agent", "custom-auth", "private-conversations", "oauth-jwt"];
export const AUTH_TEMPLATES = new Set(["custom-auth", "private-conversations", "oauth-jwt"]);
export const LG_NEW_BIN = join(REPO_ROOT, "bin", "lg-new.js");
export const ROOT_PACKAGE = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (killed after timeoutMs); never rejects on a non-zero exit. */
export function exec(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, NO_COLOR: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * `node bin/lg-new.js ...args` with stdin not a terminal, as in CI. By default lg-new packs lg-dev into the project
 * (~1.5 s of npm); tests about anything else name the devDependency instead (`vendor: false`).
 */
export function lgNew(args: string[], cwd: string, options: { vendor?: boolean } = {}): Promise<ExecResult> {
  const spec = options.vendor === false && !args.includes("--lg-dev") ? ["--lg-dev", ROOT_PACKAGE.version] : [];
  return exec(process.execPath, [LG_NEW_BIN, ...args, ...spec], { cwd, timeoutMs: 60_000 });
}

/** bin/lg-new.js runs the compiled CLI: build once if dist/ is missing (the test script normally builds first). */
export async function ensureBuilt(): Promise<void> {
  if (existsSync(join(REPO_ROOT, "dist", "cli", "lg-new.js"))) return;
  // tsc still emits when other parts of src have type errors, so judge by the output file, not the exit code.
  const build = await exec("npm", ["run", "build"], { timeoutMs: 180_000 });
  if (!existsSync(join(REPO_ROOT, "dist", "cli", "lg-new.js"))) {
    throw new Error(`npm run build did not produce dist/cli/lg-new.js:\n${build.stdout}${build.stderr}`);
  }
}

export function readJson<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(readFileSync(file, "utf8")) as T;
}
