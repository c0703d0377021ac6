import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { openStorage, type OpenedStorage } from "../../src/storage/embedded/durable.js";
import { ensureGitignored } from "../../src/storage/embedded/gitignore.js";
import { StorageLockedError } from "../../src/storage/embedded/lock.js";
import { makeTempDir, REPO_ROOT } from "../helpers/spawn.js";
import { captureLogger } from "./helpers.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function tempProject(): string {
  const t = makeTempDir("lg-dev-lock-");
  cleanups.push(t.cleanup);
  return t.dir;
}

describe("data directory lock", () => {
  it("refuses a second open of the same directory while the first is open, naming the pid", async () => {
    const dir = join(tempProject(), ".langgraph_api");
    const first = await openStorage({ dir, persist: true, logger: captureLogger() });
    try {
      const second = openStorage({ dir, persist: true, logger: captureLogger() });
      await expect(second).rejects.toThrow(StorageLockedError);
      await expect(second).rejects.toThrow(`in use by another lg-dev process (pid ${process.pid})`);
    } finally {
      await first.close();
    }
    const again = await openStorage({ dir, persist: true, logger: captureLogger() });
    await again.close();
  });

  it("refuses while another live process holds it, and frees it the moment that process is killed", async () => {
    const dir = join(tempProject(), ".langgraph_api");
    // A real holder in another process: the compiled storage opening the same directory, then sleeping.
    const durable = pathToFileURL(join(REPO_ROOT, "dist", "storage", "embedded", "durable.js")).href;
    const script = `const { openStorage } = await import(${JSON.stringify(durable)});
      await openStorage({ dir: ${JSON.stringify(dir)}, persist: true, logger: { debug() {}, info() {}, warn() {}, error() {} } });
      process.stdout.write("held\\n"); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      await new Promise<void>((res, rej) => {
        child.stdout!.on("data", (d) => String(d).includes("held") && res());
        child.once("exit", (code) => rej(new Error(`holder exited with ${code}`)));
      });
      await expect(openStorage({ dir, persist: true, logger: captureLogger() })).rejects.toThrow(
        new RegExp(`^${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is in use by another lg-dev process \\(pid ${child.pid}\\)`),
      );
    } finally {
      child.kill("SIGKILL");
    }
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once("exit", r)));
    const logger = captureLogger();
    const o = await openStorage({ dir, persist: true, logger });
    expect(logger.text()).toContain(`took over the lock of a stopped lg-dev process (pid ${child.pid})`);
    await o.close();
  });

  it("takes over a lock left by a dead process", async () => {
    const dir = join(tempProject(), ".langgraph_api");
    mkdirSync(dir);
    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await new Promise((r) => child.on("exit", r));
    writeFileSync(join(dir, "lg-dev.lock"), JSON.stringify({ pid: child.pid, start: "1" }));
    const logger = captureLogger();
    const o: OpenedStorage = await openStorage({ dir, persist: true, logger });
    expect(JSON.parse(readFileSync(join(dir, "lg-dev.lock"), "utf8")).pid).toBe(process.pid);
    expect(logger.text()).toContain(`took over the lock of a stopped lg-dev process (pid ${child.pid})`);
    await o.close();
    expect(existsSync(join(dir, "lg-dev.lock"))).toBe(false);
  });

  it("treats a recycled pid (same pid, another process start) as stale", async () => {
    const dir = join(tempProject(), ".langgraph_api");
    mkdirSync(dir);
    writeFileSync(join(dir, "lg-dev.lock"), JSON.stringify({ pid: process.pid, start: "not-our-start" }));
    const o = await openStorage({ dir, persist: true, logger: captureLogger() });
    await o.close();
  });
});

describe(".gitignore", () => {
  it("adds .langgraph_api/ once when lg-dev creates the folder in a project with a .gitignore", async () => {
    const project = tempProject();
    writeFileSync(join(project, ".gitignore"), "node_modules\ndist"); // no trailing newline
    const logger = captureLogger();
    const o = await openStorage({ dir: join(project, ".langgraph_api"), persist: true, logger });
    await o.close();
    expect(readFileSync(join(project, ".gitignore"), "utf8")).toBe("node_modules\ndist\n.langgraph_api/\n");
    expect(logger.lines.filter((l) => l.includes(".gitignore"))).toEqual([
      expect.stringMatching(/info {2}added \.langgraph_api\/ to .*\.gitignore/),
    ]);
    // Second start: the folder exists, nothing is said or appended.
    const logger2 = captureLogger();
    const o2 = await openStorage({ dir: join(project, ".langgraph_api"), persist: true, logger: logger2 });
    await o2.close();
    expect(readFileSync(join(project, ".gitignore"), "utf8")).toBe("node_modules\ndist\n.langgraph_api/\n");
    expect(logger2.text()).not.toContain(".gitignore");
  });

  it("never creates a .gitignore", async () => {
    const project = tempProject();
    const o = await openStorage({ dir: join(project, ".langgraph_api"), persist: true, logger: captureLogger() });
    await o.close();
    expect(existsSync(join(project, ".gitignore"))).toBe(false);
  });

  it("leaves a .gitignore that already ignores the folder alone", () => {
    for (const line of [".langgraph_api", "/.langgraph_api/", "**/.langgraph_api"]) {
      const project = tempProject();
      writeFileSync(join(project, ".gitignore"), `# data\r\n${line}\r\n`);
      const logger = captureLogger();
      expect(ensureGitignored(project, logger)).toBe(false);
      expect(readFileSync(join(project, ".gitignore"), "utf8")).toBe(`# data\r\n${line}\r\n`);
      expect(logger.lines).toEqual([]);
    }
  });
});
