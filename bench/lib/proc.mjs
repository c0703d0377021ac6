// Server processes for the benchmark: spawned in their own process group (so the whole tree can be stopped),
// output to a log file (not piped through the bench process, which would cost it CPU), readiness by polling.
import { execSync, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";

export const TOKEN = "bench-token";
export const AUTH = { authorization: `Bearer ${TOKEN}` };
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Process groups still running and temp dirs still present: cleaned up on any exit. */
const liveGroups = new Set();
const tempDirs = new Set();

function killAllNow() {
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
  liveGroups.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}
process.on("exit", killAllNow);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(sig, () => {
    process.stderr.write(`\nbench: ${sig}, stopping servers and removing temp dirs\n`);
    killAllNow();
    process.exit(130);
  });
}

/** A temp dir removed at exit (or earlier with `remove()`). */
export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return {
    dir,
    remove() {
      rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    },
  };
}

/** Remove every temp dir and kill every server left (end of the run). */
export function cleanupAll() {
  killAllNow();
}

/** A free TCP port on 127.0.0.1 (bind port 0, read it, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Is any process of group `pgid` still there? */
export const groupAlive = (pgid) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Spawn a command as the leader of a new process group, output appended to `logFile`.
 * Returns { pid, t0 (performance.now() at spawn), stop(), exited, logFile }.
 */
export function spawnGroup(command, args, { cwd, env, logFile }) {
  const fd = openSync(logFile, "a");
  const t0 = performance.now();
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ["ignore", fd, fd] });
  closeSync(fd);
  const pid = child.pid;
  liveGroups.add(pid);
  let exitCode;
  const exited = new Promise((res) =>
    child.on("exit", (code, signal) => {
      exitCode = code ?? signal;
      res(exitCode);
    }),
  );
  child.on("error", () => {});
  return {
    pid,
    t0,
    logFile,
    exited,
    get exitCode() {
      return exitCode;
    },
    /** SIGINT the whole group (graceful, like Ctrl-C), wait up to `graceMs` for it to empty, then SIGKILL what is left. */
    async stop(graceMs = 10_000) {
      if (!groupAlive(pid)) {
        liveGroups.delete(pid);
        return;
      }
      try {
        process.kill(-pid, "SIGINT"); // what Ctrl-C in a terminal does to the foreground group
      } catch {
        /* gone */
      }
      const deadline = Date.now() + graceMs;
      while (groupAlive(pid) && Date.now() < deadline) await sleep(25);
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        /* gone */
      }
      while (groupAlive(pid)) await sleep(10);
      liveGroups.delete(pid);
    },
    log: () => {
      try {
        return readFileSync(logFile, "utf8");
      } catch {
        return "";
      }
    },
  };
}

/** GET /ok (with the token) until it answers 200; resolves with performance.now() at that answer. */
export async function waitReady(baseUrl, { timeoutMs = 60_000, intervalMs = 10, proc } = {}) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${baseUrl}/ok`, { headers: AUTH, signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return performance.now();
    } catch {
      /* not listening yet */
    }
    if (proc && proc.exitCode !== undefined) throw new Error(`server exited (${proc.exitCode}) before it was ready:\n${proc.log().slice(-3000)}`);
    if (performance.now() > deadline) throw new Error(`server at ${baseUrl} not ready after ${timeoutMs} ms:\n${proc?.log().slice(-3000) ?? ""}`);
    await sleep(intervalMs);
  }
}

/** Pids of a process and all its descendants (from /proc/<pid>/stat ppid links). */
export function treePids(rootPid) {
  const children = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(name));
    } catch {
      /* exited meanwhile */
    }
  }
  const out = [];
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop();
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

let clkTck;
/** CPU seconds (user + system) used so far by a process tree. */
export function treeCpuSeconds(rootPid) {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execSync("getconf CLK_TCK", { encoding: "utf8" }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  let ticks = 0;
  for (const pid of treePids(rootPid)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(f[11]) + Number(f[12]); // utime, stime
    } catch {
      /* exited */
    }
  }
  return ticks / clkTck;
}

/** Busy share of all CPUs (0..1) over `ms`, from /proc/stat: how loaded the machine is by anything. */
export async function machineBusy(ms = 1000) {
  const read = () => {
    const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + (f[4] ?? 0);
    return { idle, total: f.reduce((a, b) => a + b, 0) };
  };
  const a = read();
  await sleep(ms);
  const b = read();
  return 1 - (b.idle - a.idle) / Math.max(1, b.total - a.total);
}

/**
 * Wait (at most `maxWaitMs`) until the machine is quiet: other work on it (colleagues' test runs) would skew the
 * next measurement. Resolves with the busy share (%) last seen, recorded next to the figure.
 */
let quietBudgetMs = 120_000; // over the whole run, so a machine that never quietens down cannot stall the bench
export async function waitQuiet({ maxWaitMs = 30_000, threshold = 0.15 } = {}) {
  const t0 = Date.now();
  let busy;
  do {
    busy = await machineBusy(1000);
    if (busy <= threshold) break;
  } while (Date.now() - t0 < Math.min(maxWaitMs, quietBudgetMs));
  quietBudgetMs = Math.max(0, quietBudgetMs - Math.max(0, Date.now() - t0 - 1000));
  return Math.round(busy * 100);
}

/** Sum of RSS (bytes) of a process and all its descendants, read from /proc. */
export function treeRss(rootPid) {
  let total = 0;
  const pids = [];
  for (const pid of treePids(rootPid)) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const m = /VmRSS:\s+(\d+) kB/.exec(status);
      if (m) total += Number(m[1]) * 1024;
      pids.push(pid);
    } catch {
      /* exited meanwhile */
    }
  }
  return { bytes: total, processes: pids.length };
}

/** The machine a benchmark runs on: CPUs as `nproc` counts them (cgroup limits), model, Node, memory, platform. */
export function machineInfo() {
  let nproc = cpus().length;
  try {
    nproc = Number(execSync("nproc", { encoding: "utf8" }).trim());
  } catch {
    /* keep os.cpus() */
  }
  return { nproc, cpu: (cpus()[0]?.model ?? "unknown").trim(), node: process.version, memory_gb: Math.round(totalmem() / 1e9), platform: `${process.platform} ${process.arch}` };
}

/** How busy the machine is with other work right now (% of all CPUs over 2 s) and its load average. */
export async function machineLoad() {
  return { busy_pct: Math.round((await machineBusy(2000)) * 100), loadavg: loadavg().map((x) => Math.round(x * 100) / 100) };
}

/** One line for a report: the machine and how busy it was before and after the run. */
export function machineLine(m) {
  return `${m.nproc} CPUs (nproc), ${m.cpu}, ${m.memory_gb} GB RAM, Node ${m.node}, ${m.platform}; other load: ${m.busy_before_pct ?? "?"}% busy before, ${m.busy_after_pct ?? "?"}% after`;
}

/**
 * A runner of benchmark phases: a phase that fails is logged and recorded in `errors` (its first `stackLines`
 * lines), and the benchmark carries on with the rest.
 */
export function phaseRunner({ log, errors, stackLines }) {
  return async (label, fn) => {
    log(`- ${label}`);
    try {
      return await fn();
    } catch (err) {
      const message = `${label}: ${String(err?.stack ?? err).split("\n").slice(0, stackLines).join("\n")}`;
      log(`  FAILED ${message}`);
      errors.push(message);
      return undefined;
    }
  };
}
