import { createHash } from "node:crypto";
import { closeSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { hostname } from "node:os";

/** Thrown when another live lg-dev process holds the data directory. */
export class StorageLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number | undefined,
  ) {
    super(
      `${dir} is in use by another lg-dev process (pid ${pid ?? "unknown"}): stop that one, or start this one with --no-persist`,
    );
    this.name = "StorageLockedError";
  }
}

/** What the lock file says about its holder (informational on Linux, the lock itself elsewhere). */
interface LockInfo {
  pid: number;
  /** Kernel start time of the process (Linux), so a recycled pid is not mistaken for the holder. */
  start?: string;
  host?: string;
}

/** A held lock on a data directory. */
export interface HeldLock {
  /** The pid named by the lock file this process replaced (a stopped lg-dev), if any. */
  tookOver?: number;
  release(): Promise<void>;
}

/** Fields of /proc/<pid>/stat after the command name (state is [0], start time is [19]); undefined off Linux. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing parenthesis.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** Whether the process the lock file names still runs: not gone, not a zombie, not a recycled pid. */
function isAlive(info: LockInfo): boolean {
  try {
    process.kill(info.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const stat = procStat(info.pid);
  // A killed process its parent has not reaped yet (state Z) holds nothing any more.
  if (stat?.[0] === "Z" || stat?.[0] === "X") return false;
  // Same pid but a different process start: the pid was recycled (e.g. a restarted container), the holder is gone.
  if (info.start !== undefined) {
    if (stat?.[19] !== undefined && stat[19] !== info.start) return false;
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Take the data directory `dir` for this process, or throw StorageLockedError naming the live holder.
 *
 * On Linux the lock is an abstract unix socket whose name derives from the directory's device and inode: the
 * kernel binds one name once, and frees it the moment the holder's descriptors close, at death, before its
 * parent reaps it (a zombie holds nothing) and whatever pid it had. The file at `path` then only says who holds
 * it. Abstract names are per network namespace: two containers sharing a volume but not a network are not kept
 * apart (nor were they by pids, which are per pid namespace).
 * Elsewhere, the file at `path` is the lock: created exclusively, taken over when its pid is dead.
 */
export async function acquireLock(path: string, dir: string): Promise<HeldLock> {
  const mine: LockInfo = { pid: process.pid, start: procStat(process.pid)?.[19], host: hostname() };
  if (process.platform === "linux") {
    const server = await bindAbstract(dir);
    if (server) {
      const previous = readLock(path);
      writeFileSync(path, JSON.stringify(mine));
      return {
        tookOver: previous && previous.pid !== process.pid ? previous.pid : undefined,
        async release() {
          if (readLock(path)?.pid === mine.pid) rmSync(path, { force: true });
          await new Promise((r) => server.close(r));
        },
      };
    }
    // Bound by another process: name it. It may be writing its file right now, so read again if it looks stale.
    let holder = readLock(path);
    if (!holder || !isAlive(holder)) {
      await sleep(100);
      holder = readLock(path);
    }
    throw new StorageLockedError(dir, holder?.pid);
  }
  return acquirePidFile(path, dir, mine);
}

/** Bind the directory's abstract socket; undefined when another process holds it. */
async function bindAbstract(dir: string): Promise<Server | undefined> {
  const st = statSync(dir);
  const name = `\0lg-dev-${createHash("sha256").update(`${st.dev}:${st.ino}`).digest("hex").slice(0, 40)}`;
  // Nobody needs to talk to it: a connection (someone probing) is closed at once.
  const server = createServer((socket) => socket.destroy());
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(name, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") return undefined;
    throw err;
  }
  // The lock must never keep the process alive by itself.
  server.unref();
  return server;
}

/** The pid-file lock (platforms without abstract sockets). */
async function acquirePidFile(path: string, dir: string, mine: LockInfo): Promise<HeldLock> {
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
        async release() {
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
      await sleep(50);
      continue;
    }
    tookOver = holder?.pid;
    rmSync(path, { force: true });
  }
  throw new Error(`could not take the lock ${path}`);
}
