/**
 * A throwaway PostgreSQL server for tests: a real one, never a mock.
 *
 * What it needs: PostgreSQL's server binaries (`initdb`, `pg_ctl`, `postgres`). Found, in order, in
 * `$LG_DEV_PG_BIN`, in /usr/lib/postgresql/<highest version>/bin (Debian's `postgresql` package, which .ci/run
 * installs), or on PATH. PostgreSQL refuses to run as root: as root the server runs as the user named by
 * `$LG_DEV_PG_USER` or `postgres` (Debian's package creates it); as any other user it runs as that user.
 *
 * What it does: `initdb` into a fresh temp dir (password auth, UTF-8, C locale), `pg_ctl start` on a free port on
 * 127.0.0.1 with its unix socket inside the temp dir (nothing outside it is touched), durability settings off
 * (fsync, synchronous_commit: a test cluster is thrown away). `destroy()` stops it and removes the dir; so does
 * the test process's exit, and the next start removes clusters whose test process died without cleaning up.
 * No vitest import here: scripts run outside vitest (e.g. as another user) use it too; see postgres.ts for tests.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";

const PREFIX = "lg-dev-pg-";
const SUPERUSER = "lgdev";

/** Where the server binaries are and which major version they are. */
export function findPostgresBin(): { bin: string; version: number } {
  const versionOf = (bin: string) => {
    const out = execFileSync(join(bin, "pg_ctl"), ["--version"], { encoding: "utf8" });
    return Number(/(\d+)(?:\.\d+)?/.exec(out)?.[1] ?? 0);
  };
  const fromEnv = process.env.LG_DEV_PG_BIN;
  if (fromEnv) {
    if (!existsSync(join(fromEnv, "initdb"))) throw new Error(`LG_DEV_PG_BIN=${fromEnv} holds no initdb`);
    return { bin: fromEnv, version: versionOf(fromEnv) };
  }
  const debian = "/usr/lib/postgresql";
  const versions = existsSync(debian)
    ? readdirSync(debian)
        .filter((v) => /^\d+$/.test(v) && existsSync(join(debian, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length > 0) return { bin: join(debian, versions[0]!, "bin"), version: Number(versions[0]) };
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl"))) return { bin: dir, version: versionOf(dir) };
  }
  throw new Error(
    "PostgreSQL's server binaries (initdb, pg_ctl) were not found: install them (Debian: apt-get install postgresql) " +
      "or set LG_DEV_PG_BIN to the directory that holds them.",
  );
}

/** The account the server runs as: undefined (this process's) unless running as root. */
function serverAccount(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const user = process.env.LG_DEV_PG_USER ?? "postgres";
  try {
    const uid = Number(execFileSync("id", ["-u", user], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", user], { encoding: "utf8" }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      `Running as root, and PostgreSQL refuses to run as root: there is no user "${user}" to run it as. ` +
        "Install Debian's postgresql package (it creates the postgres user), set LG_DEV_PG_USER, or run the tests as another user.",
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** A running throwaway cluster. */
export interface PgCluster {
  readonly port: number;
  /** The temp dir holding data, socket and log. */
  readonly dir: string;
  /** A URL for `database` (default `postgres`) as the superuser, over TCP on 127.0.0.1. */
  url(database?: string): string;
  /** Create a database and return its URL. */
  createDatabase(name: string): Promise<string>;
  /** Run SQL as the superuser on `database` (default `postgres`). */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, values?: unknown[], database?: string): Promise<R[]>;
  /**
   * pg_terminate_backend on every client connection except the caller's (optionally only those of one database or
   * application_name); resolves with how many were terminated.
   */
  terminateConnections(filter?: { database?: string; applicationName?: string }): Promise<number>;
  /** Stop the server (`fast`: clients are disconnected), keeping its data. */
  stop(): Promise<void>;
  /** Start it again on the same port. */
  start(): Promise<void>;
  /** The server's log so far (for failure messages). */
  log(): string;
  /** Stop the server and remove the temp dir. Safe to call twice. */
  destroy(): Promise<void>;
}

const live = new Set<{ destroySync(): void }>();
process.on("exit", () => {
  for (const c of live) c.destroySync();
});

/** Clusters left by test processes that died (SIGKILL, crash) before cleaning up: stop and remove them. */
function sweepStale(bin: string): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = join(tmpdir(), name);
    let owner: number;
    try {
      owner = Number(readFileSync(join(dir, "owner.pid"), "utf8"));
    } catch {
      continue; // not ours, or still being created
    }
    try {
      process.kill(owner, 0);
      continue; // its test process is alive
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EPERM") continue;
    }
    const account = serverAccount();
    spawnSync(join(bin, "pg_ctl"), ["stop", "-D", join(dir, "data"), "-m", "immediate", "-w", "-t", "10"], { cwd: dir, stdio: "ignore", ...account });
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Start a throwaway cluster (about a second). The caller must `destroy()` it; `usePostgres()` does that. */
export async function startPgCluster(): Promise<PgCluster> {
  const { bin } = findPostgresBin();
  const account = serverAccount();
  sweepStale(bin);
  const dir = mkdtempSync(join(tmpdir(), PREFIX));
  const data = join(dir, "data");
  const sock = join(dir, "sock");
  const logFile = join(dir, "server.log");
  const password = randomBytes(12).toString("hex");
  mkdirSync(sock);
  writeFileSync(join(dir, "pwfile"), `${password}\n`);
  if (account) for (const p of [dir, sock, join(dir, "pwfile")]) chownSync(p, account.uid, account.gid);

  /** Run one PostgreSQL tool as the server's account; rejects with its output when it fails. */
  const run = (tool: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(join(bin, tool), args, {
        cwd: dir,
        env: { PATH: process.env.PATH, LANG: "C", LC_ALL: "C", HOME: dir },
        stdio: ["ignore", "pipe", "pipe"],
        ...account,
      });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      child.on("error", reject);
      child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${tool} ${args[0]} exited with ${code}:\n${out}`))));
    });

  const cluster = {
    destroyed: false,
    destroySync() {
      if (this.destroyed) return;
      this.destroyed = true;
      spawnSync(join(bin, "pg_ctl"), ["stop", "-D", data, "-m", "immediate", "-w", "-t", "10"], { cwd: dir, stdio: "ignore", ...account });
      rmSync(dir, { recursive: true, force: true });
    },
  };
  live.add(cluster);
  try {
    writeFileSync(join(dir, "owner.pid"), String(process.pid));
    await run("initdb", ["-D", data, "-U", SUPERUSER, `--pwfile=${join(dir, "pwfile")}`, "--auth=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync"]);
  } catch (err) {
    cluster.destroySync();
    live.delete(cluster);
    throw err;
  }

  let port = 0;
  const start = async () => {
    const settings = [
      `-p ${port}`,
      `-k ${sock}`,
      "-c listen_addresses=127.0.0.1",
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c max_connections=200",
      "-c shared_buffers=32MB",
    ].join(" ");
    await run("pg_ctl", ["start", "-D", data, "-w", "-t", "30", "-l", logFile, "-o", settings]);
  };
  const log = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
  // The port is free when picked but may be taken before the server binds it: pick again then.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await start();
      break;
    } catch (err) {
      if (attempt < 5 && /could not bind|Address already in use/i.test(log())) continue;
      cluster.destroySync();
      live.delete(cluster);
      throw new Error(`${(err as Error).message}\nserver log:\n${log()}`);
    }
  }

  const url = (database = "postgres") => `postgres://${SUPERUSER}:${password}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  const query = async <R extends pg.QueryResultRow>(sql: string, values?: unknown[], database?: string): Promise<R[]> => {
    const client = new pg.Client({ connectionString: url(database) });
    client.on("error", () => undefined);
    await client.connect();
    try {
      return (await client.query<R>(sql, values)).rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  return {
    port,
    dir,
    url,
    async createDatabase(name) {
      await query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      return url(name);
    },
    query,
    async terminateConnections(filter = {}) {
      const rows = await query<{ n: string }>(
        `SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
          WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'
            AND ($1::text IS NULL OR datname = $1) AND ($2::text IS NULL OR application_name = $2)`,
        [filter.database ?? null, filter.applicationName ?? null],
      );
      return Number(rows[0]!.n);
    },
    stop: () => run("pg_ctl", ["stop", "-D", data, "-m", "fast", "-w", "-t", "30"]),
    start,
    log,
    async destroy() {
      if (cluster.destroyed) return;
      cluster.destroyed = true;
      live.delete(cluster);
      await run("pg_ctl", ["stop", "-D", data, "-m", "immediate", "-w", "-t", "10"]).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
