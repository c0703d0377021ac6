import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, cpSync, mkdirSync, writeFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { inject } from "vitest";

/** Repository root (where package.json and bin/ live). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const LG_DEV_BIN = join(REPO_ROOT, "bin", "lg-dev.js");
export const FIXTURES = join(REPO_ROOT, "test", "fixtures");

declare module "vitest" {
  export interface ProvidedContext {
    /** Set in the "lowest" test project (test/matrix/lowest-peers.ts): a project with lg-dev installed from a tarball. */
    lgDevProject?: string;
  }
}

/**
 * The lg-dev under test and the node_modules its projects use: this repository's, or in the "lowest" test project,
 * lg-dev installed from its tarball beside the lowest versions of its peers (see vitest.config.ts).
 */
export function lgDevUnderTest(): { bin: string; nodeModules: string } {
  const installed = inject("lgDevProject");
  if (installed) return { bin: join(installed, "node_modules", "lg-dev", "bin", "lg-dev.js"), nodeModules: join(installed, "node_modules") };
  return { bin: LG_DEV_BIN, nodeModules: join(REPO_ROOT, "node_modules") };
}

/** A running `bin/lg-dev` child process. */
export interface RunningServer {
  url: string;
  process: ChildProcess;
  /** Everything the process printed so far (stdout + stderr). */
  output(): string;
  /** SIGTERM, wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
}

export interface StartOptions {
  /** Extra CLI arguments (after --config, --port 0, --no-browser). */
  args?: string[];
  env?: Record<string, string | undefined>;
  /** How long to wait for the ready banner. */
  timeoutMs?: number;
  /** Working directory; defaults to the project dir. */
  cwd?: string;
}

const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/**
 * Reading schemas from TypeScript types costs seconds of CPU per start: off unless a test asks for it
 * (`env: { LG_DEV_STATIC_SCHEMAS: "1" }`), so that the many servers the tests start do not pay it.
 */
const TEST_ENV = { BROWSER: "none", NO_COLOR: "1", LG_DEV_STATIC_SCHEMAS: "0" };

/**
 * `LG_DEV_TEST_BACKEND=postgres`: every server the tests start keeps its data in PostgreSQL instead of
 * .langgraph_api/ (POSTGRES_URI), one database per project directory (a restart on the same project finds its
 * data), on one throwaway cluster per test process. The same end-to-end tests then run on both backends.
 */
export const TEST_BACKEND = process.env.LG_DEV_TEST_BACKEND === "postgres" ? "postgres" : "embedded";
let testCluster: Promise<import("./pg-cluster.js").PgCluster> | undefined;
const testDatabases = new Map<string, Promise<string>>();

/**
 * Stop and remove this test file's cluster, if it made one (test/helpers/postgres-backend.ts runs it after each file
 * of the "postgres" project: a test process's exit handler does not run when vitest ends its workers).
 */
export async function releaseTestCluster(): Promise<void> {
  const cluster = testCluster;
  testCluster = undefined;
  testDatabases.clear();
  if (cluster) await (await cluster).destroy();
}

async function postgresFor(projectDir: string): Promise<string> {
  let url = testDatabases.get(projectDir);
  if (!url) {
    testCluster ??= import("./pg-cluster.js").then((m) => m.startPgCluster());
    const cluster = testCluster;
    url = cluster.then((c) => c.createDatabase(`lgdev_e2e_${testDatabases.size}`));
    testDatabases.set(projectDir, url);
  }
  return url;
}

/** Spawn lg-dev on `projectDir` with `--port 0 --no-browser` and resolve once the banner names the API URL. */
export async function startServer(projectDir: string, options: StartOptions = {}): Promise<RunningServer> {
  const args = [lgDevUnderTest().bin, "--config", projectDir, "--port", "0", "--no-browser", ...(options.args ?? [])];
  const backendEnv = TEST_BACKEND === "postgres" && !options.env?.POSTGRES_URI ? { POSTGRES_URI: await postgresFor(projectDir) } : {};
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? projectDir,
    env: { ...process.env, ...TEST_ENV, ...backendEnv, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((res) => child.on("exit", (code) => {
    live.delete(child);
    res(code);
  }));

  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      rej(new Error(`lg-dev did not become ready in time. Output:\n${out}`));
    }, options.timeoutMs ?? 20_000);
    const check = () => {
      const m = /API:\s+(https?:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    };
    child.stdout!.on("data", check);
    child.stderr!.on("data", check);
    child.on("exit", (code) => {
      clearTimeout(timer);
      rej(new Error(`lg-dev exited with ${code} before it was ready. Output:\n${out}`));
    });
  });

  // The PostgreSQL run must really be on PostgreSQL (the composition root logs which storage it opened).
  if (backendEnv.POSTGRES_URI && !/PostgreSQL storage:/.test(out)) {
    child.kill("SIGKILL");
    throw new Error(`LG_DEV_TEST_BACKEND=postgres, but lg-dev did not open the PostgreSQL storage. Output:\n${out}`);
  }

  return {
    url,
    process: child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Run lg-dev to completion (for start-up failures): resolves with exit code and output. */
export async function runLgDev(args: string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}) {
  const child = spawn(process.execPath, [lgDevUnderTest().bin, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...TEST_ENV, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
  const code = await new Promise<number | null>((res) => child.on("exit", (c) => res(c)));
  clearTimeout(timer);
  live.delete(child);
  return { code, stdout, stderr };
}

/** A temp directory that the caller removes with `cleanup()`. */
export function makeTempDir(prefix = "lg-dev-test-"): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Copy a fixture project (test/fixtures/<name>) into a temp dir so tests may write `.langgraph_api/` or edit files.
 * The copy resolves packages from the repository's node_modules through a symlink.
 */
export function copyFixture(name: string): { dir: string; cleanup(): void } {
  const tmp = makeTempDir(`lg-dev-${name}-`);
  // Never carry stored data (.langgraph_api) from a run on the fixture itself into the copy.
  cpSync(join(FIXTURES, name), tmp.dir, { recursive: true, filter: (src) => !src.split(/[\\/]/).includes(".langgraph_api") });
  linkNodeModules(tmp.dir);
  return tmp;
}

/** Let a project in a temp dir import the packages of the lg-dev under test (@langchain/langgraph, lg-dev's deps). */
export function linkNodeModules(dir: string): void {
  symlinkSync(lgDevUnderTest().nodeModules, join(dir, "node_modules"), "dir");
}

/** Write a set of files (path -> content) below dir, creating folders. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const file = join(dir, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}
