import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../helpers/spawn.js";
import { findPostgresBin, startPgCluster, usePostgres } from "../../helpers/postgres.js";

describe("the test PostgreSQL helper", () => {
  const pg = usePostgres();

  it("serves a database of its own on 127.0.0.1 with a password, socket and data inside its temp dir", async () => {
    expect(pg.url).toMatch(/^postgres:\/\/lgdev:[0-9a-f]+@127\.0\.0\.1:\d+\/cluster$/);
    const [row] = await pg.cluster.query<{ db: string; v: string }>("SELECT current_database() AS db, current_setting('server_version_num') AS v", [], "cluster");
    expect(row!.db).toBe("cluster");
    expect(Number(row!.v)).toBeGreaterThanOrEqual(findPostgresBin().version * 10000);
    expect(existsSync(join(pg.cluster.dir, "sock", `.s.PGSQL.${pg.cluster.port}`))).toBe(true);
    // A wrong password is refused: the cluster is not open to anyone on the machine.
    await expect(pg.cluster.query("SELECT 1", [], "cluster").then(() => undefined)).resolves.toBeUndefined();
    const wrong = pg.url.replace(/:[0-9a-f]+@/, ":nope@");
    const { default: pgDriver } = await import("pg");
    const client = new pgDriver.Client({ connectionString: wrong });
    await expect(client.connect()).rejects.toThrow(/password authentication failed/);
  });

  it("stops and starts again on the same port, keeping its data", async () => {
    await pg.cluster.query("CREATE TABLE kept (n int)", [], "cluster");
    await pg.cluster.query("INSERT INTO kept VALUES (42)", [], "cluster");
    await pg.cluster.stop();
    await expect(pg.cluster.query("SELECT 1", [], "cluster")).rejects.toThrow(/ECONNREFUSED/);
    await pg.cluster.start();
    expect(await pg.cluster.query("SELECT n FROM kept", [], "cluster")).toEqual([{ n: 42 }]);
  });
});

it("destroy() stops the server and removes its directory", async () => {
  const cluster = await startPgCluster();
  await cluster.query("SELECT 1");
  await cluster.destroy();
  expect(existsSync(cluster.dir)).toBe(false);
  await expect(cluster.query("SELECT 1")).rejects.toThrow(/ECONNREFUSED/);
  await cluster.destroy(); // twice is harmless
});

/**
 * Whether the postgres account can read this checkout (its tsx and the helper): not when it sits below a directory
 * only root may enter, such as a clone in `mktemp -d`. Then the non-root path cannot be run from here.
 */
function readableByPostgres(): boolean {
  const ids = ["-u", "-g"].map((flag) => spawnSync("id", [flag, "postgres"], { encoding: "utf8" }));
  if (ids.some((r) => r.status !== 0)) return false;
  const [uid, gid] = ids.map((r) => Number(r.stdout.trim()));
  const probe = `require("fs").accessSync(${JSON.stringify(join(REPO_ROOT, "node_modules", "tsx", "package.json"))})`;
  return spawnSync(process.execPath, ["-e", probe], { uid, gid, stdio: "ignore" }).status === 0;
}

// As root the server runs as the postgres user; this runs the whole helper as that user instead (the non-root path).
it.runIf(process.getuid?.() === 0 && readableByPostgres())("works for a non-root user too", async () => {
  const script = `
    import { startPgCluster } from ${JSON.stringify(join(REPO_ROOT, "test/helpers/pg-cluster.ts"))};
    const c = await startPgCluster();
    try {
      const [row] = await c.query("SELECT current_user AS u");
      console.log(JSON.stringify({ user: row.u, uid: process.getuid() }));
    } finally {
      await c.destroy();
    }
  `;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: REPO_ROOT,
    uid: Number(await idOf("-u")),
    gid: Number(await idOf("-g")),
    env: { PATH: process.env.PATH, HOME: "/tmp" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const code = await new Promise<number | null>((r) => child.on("exit", r));
  expect(code, out).toBe(0);
  const result = JSON.parse(out.trim().split("\n").at(-1)!);
  expect(result.user).toBe("lgdev");
  expect(result.uid).not.toBe(0);
}, 30_000);

function idOf(flag: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("id", [flag, "postgres"], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("exit", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`id ${flag} postgres failed`))));
  });
}
