import { afterEach, describe, expect, it } from "vitest";
import { ServiceUnavailableError } from "../../../src/errors.js";
import { createLogger } from "../../../src/logger.js";
import { DatabaseUnavailableError, openDatabase, parsePostgresUrl, PostgresUrlError, type Database } from "../../../src/storage/postgres/index.js";
import { usePostgres } from "../../helpers/postgres.js";

const pg = usePostgres();
const lines: string[] = [];
const logger = createLogger("debug", { out: (s) => lines.push(s), err: (s) => lines.push(s) });
const opened: Database[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close().catch(() => undefined)));
  lines.length = 0;
});

async function open(url = pg.url, extra: Partial<Parameters<typeof openDatabase>[0]> = {}) {
  const db = await openDatabase({ url, logger, ...extra });
  opened.push(db);
  return db;
}

async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("URLs", () => {
  it("accepts libpq URL forms and redacts the password", () => {
    const u = parsePostgresUrl("postgres://postgres:s3cret@langgraph-postgres:5432/postgres?sslmode=disable");
    expect(u.redacted).toBe("postgres://postgres:***@langgraph-postgres:5432/postgres?sslmode=disable");
    expect(u.label).toBe("langgraph-postgres:5432/postgres");
    expect(parsePostgresUrl("postgresql://me@/app?host=/var/run/postgresql").label).toBe("/var/run/postgresql/app");
  });

  it("says what is wrong with a bad one, never echoing the password", () => {
    expect(() => parsePostgresUrl("")).toThrow(/empty/);
    expect(() => parsePostgresUrl("mysql://a:b@h/db")).toThrow(/scheme must be postgres:\/\/ or postgresql:\/\/, got mysql:\/\//);
    expect(() => parsePostgresUrl("localhost:5432")).toThrow(PostgresUrlError);
    expect(() => parsePostgresUrl("postgres:///db")).toThrow(/names no host/);
    expect(() => parsePostgresUrl("postgres://u:topsecret@h:99999/db")).toThrow(/is not a URL/);
    try {
      parsePostgresUrl("postgres://u:topsecret@h:99999/db");
    } catch (err) {
      expect((err as Error).message).not.toContain("topsecret");
      expect((err as Error).message).toMatch(/expected postgres:\/\/user:password@host:5432\/database/);
    }
  });
});

describe("connecting", () => {
  it("connects, reports the server version, and runs queries and transactions", async () => {
    const db = await open();
    expect(db.serverVersion).toBeGreaterThan(100000);
    expect(db.health.state).toBe("up");
    await db.query("CREATE TABLE t (n int PRIMARY KEY)");
    await db.transaction(async (c) => {
      await c.query("INSERT INTO t VALUES (1)");
      await c.query("INSERT INTO t VALUES (2)");
    });
    await expect(
      db.transaction(async (c) => {
        await c.query("INSERT INTO t VALUES (3)");
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    // A statement error is the server's error, not an availability problem.
    await expect(db.query("INSERT INTO t VALUES (1)")).rejects.toMatchObject({ code: "23505" });
    expect(db.health.state).toBe("up");
    expect((await db.query<{ n: number }>("SELECT n FROM t ORDER BY n")).rows.map((r) => r.n)).toEqual([1, 2]);
    await db.query("DROP TABLE t");
  });

  it("reruns a transaction that lost a serialization conflict", async () => {
    const a = await open();
    const b = await open();
    await a.query("CREATE TABLE counter (n int)");
    await a.query("INSERT INTO counter VALUES (0)");
    let attempts = 0;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    // b reads, then a commits a change to the same row, then b writes: b's first attempt must fail and be rerun.
    const bDone = b.transaction(async (c) => {
      attempts++;
      await c.query("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
      const n = (await c.query<{ n: number }>("SELECT n FROM counter")).rows[0]!.n;
      if (attempts === 1) await held;
      await c.query("UPDATE counter SET n = $1", [n + 1]);
    });
    await until(() => attempts === 1);
    await a.query("UPDATE counter SET n = n + 10");
    release();
    await bDone;
    expect(attempts).toBe(2);
    expect((await a.query<{ n: number }>("SELECT n FROM counter")).rows[0]!.n).toBe(11);
    await a.query("DROP TABLE counter");
  });

  it("an unreachable server fails at once with a 503-class error naming it", async () => {
    const t0 = Date.now();
    const err = await open(`postgres://u:p@127.0.0.1:1/db`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseUnavailableError);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect((err as DatabaseUnavailableError).status).toBe(503);
    expect((err as Error).message).toMatch(/cannot connect to 127\.0\.0\.1:1\/db: .*ECONNREFUSED/);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it("a wrong password or database is the server's own error", async () => {
    await expect(open(pg.url.replace(/:[0-9a-f]+@/, ":wrong@"))).rejects.toThrow(/password authentication failed for user "lgdev"/);
    await expect(open(pg.url.replace(/\/database$|\/[a-z_]+$/, "/nope"))).rejects.toThrow(/database "nope" does not exist/);
  });

  it("rejects a schema name that cannot be spliced into SQL", async () => {
    await expect(open(pg.url, { schema: "x; DROP TABLE y" })).rejects.toThrow(/not a usable schema name/);
  });
});

describe("connection loss", () => {
  it("survives pg_terminate_backend of idle and busy connections: the pool reconnects, the process stays up", async () => {
    const db = await open(pg.url, { applicationName: "lg-dev-terminate" });
    // Fill the pool with idle connections, and hold one checked out (as a transaction between statements would).
    await Promise.all(Array.from({ length: 5 }, () => db.query("SELECT pg_sleep(0.05)")));
    let failure: unknown;
    const busy = db.withClient(async (c) => {
      await c.query("SELECT 1");
      await new Promise((r) => setTimeout(r, 300));
      await c.query("SELECT 1");
    }).catch((err: unknown) => (failure = err));
    await new Promise((r) => setTimeout(r, 50));
    expect(await pg.cluster.terminateConnections({ applicationName: "lg-dev-terminate" })).toBeGreaterThanOrEqual(5);
    await busy;
    expect(failure).toBeInstanceOf(DatabaseUnavailableError);
    // The server is up: the health recovers by itself and queries work again on fresh connections.
    await until(async () => db.health.state === "up" && (await db.query("SELECT 1").then(() => true, () => false)));
    expect((await db.query<{ one: number }>("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  });

  it("while the server is down: fails fast with 503 and a clear message; reconnects by itself when it is back", async () => {
    const db = await open();
    const changes: string[] = [];
    db.health.onChange((s) => changes.push(s.state));
    await pg.cluster.stop();
    try {
      const first = await db.query("SELECT 1").catch((e: unknown) => e);
      expect(first).toBeInstanceOf(DatabaseUnavailableError);
      expect(db.health.state).toBe("down");
      const t0 = performance.now();
      const second = await db.query("SELECT 1").catch((e: unknown) => e);
      expect(performance.now() - t0).toBeLessThan(50); // no connect attempt per request while down
      expect((second as Error).message).toMatch(/^The database is unavailable: 127\.0\.0\.1:\d+\/database unreachable since \d{4}-.*\. lg-dev reconnects by itself; retry shortly\.$/);
      expect((second as DatabaseUnavailableError).headers["retry-after"]).toBe("1");
      expect(lines.join("")).toMatch(/PostgreSQL at 127\.0\.0\.1:\d+\/database is unreachable \(.*\): answering 503 until it is back/);
    } finally {
      await pg.cluster.start();
    }
    await until(() => db.health.state === "up");
    expect(changes).toEqual(["down", "up"]);
    expect(lines.join("")).toMatch(/PostgreSQL at .* is reachable again \(down for [\d.]+ s\)/);
    expect((await db.query<{ one: number }>("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  }, 30_000);
});
