import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";

/** Thrown when another live lg-dev process holds the data directory. */
export class StorageLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `${dir} is in use by another lg-dev process (pid ${pid}): stop that one, or start this one with --no-persist`,
    );
    this.name = "StorageLockedError";
  }
}

interface LockInfo {
  pid: number;
  /** Kernel start time of the process (Linux), so a recycled pid is not mistaken for the holder. */
  start?: string;
  host?: string;
}

/** The start time of a process as the kernel reports it (field 22 of /proc/<pid>/stat); undefined off Linux. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing parenthesis.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

function isAlive(info: LockInfo): boolean {
  try {
    process.kill(info.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  // Same pid but a different process start: the pid was recycled (e.g. a restarted container), the holder is gone.
  if (info.start !== undefined) {
    const start = processStart(info.pid);
    if (start !== undefined && start !== info.start) return false;
  } else if (info.pid === process.pid) {
    return false;
  }
  return true;
}

function readLock(path: string): LockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(path, "utf8")) as LockInfo;
    return Number.isInteger(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Take the pid lock file at `path` for this process, or throw StorageLockedError naming the live holder.
 * A lock left by a dead process (or an unreadable one) is taken over. Returns the release function.
 */
export function acquireLock(path: string, dir: string): { release(): void; tookOver?: number } {
  const mine: LockInfo = { pid: process.pid, start: processStart(process.pid), host: hostname() };
  let tookOver: number | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(path, "wx");
      try {
        writeSync(fd, JSON.stringify(mine));
      } finally {
        closeSync(fd);
      }
      return {
        tookOver,
        release() {
          // Only remove the lock if it is still ours.
          if (readLock(path)?.pid === mine.pid) rmSync(path, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = readLock(path);
    if (holder && isAlive(holder)) throw new StorageLockedError(dir, holder.pid);
    // A holder may be writing its lock right now (created, not yet filled): give it a moment before taking over.
    if (!holder && attempt === 0) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      continue;
    }
    tookOver = holder?.pid;
    rmSync(path, { force: true });
  }
  throw new Error(`could not take the lock ${path}`);
}
