import { spawn } from "node:child_process";
import { join } from "node:path";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { PostgresStore } from "@langchain/langgraph-checkpoint-postgres/store";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../../src/logger.js";
import {
  MIGRATIONS,
  migrate,
  openDatabase,
  openPostgres,
  SchemaTooNewError,
  type Database,
  type MigrateResult,
  type OfficialPostgres,
} from "../../../src/storage/postgres/index.js";
import { usePostgres } from "../../helpers/postgres.js";
import { REPO_ROOT } from "../../helpers/spawn.js";

const pg = usePostgres();
const logger = createLogger("silent");
const official = { PostgresSaver, PostgresStore } as unknown as OfficialPostgres;
const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((x) => x.close()));
});

async function freshDatabase(): Promise<string> {
  return pg.cluster.createDatabase(`m_${Math.random().toString(36).slice(2, 10)}`);
}

async function open(url: string, schema?: string): Promise<Database> {
  const db = await openDatabase({ url, schema, logger });
  opened.push(db);
  return db;
}

const TABLES = ["lgdev_assistant_versions", "lgdev_assistants", "lgdev_crons", "lgdev_migrations", "lgdev_run_events", "lgdev_runs", "lgdev_threads"];
const OFFICIAL_TABLES = ["checkpoint_blobs", "checkpoint_migrations", "checkpoint_writes", "checkpoints", "store", "store_migrations"];

async function tables(db: Database, schema = "public"): Promise<string[]> {
  const r = await db.query<{ t: string }>("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1", [schema]);
  return r.rows.map((x) => x.t);
}

describe("migrations", () => {
  it("create lg-dev's tables and the official checkpoint and store tables; a second run changes nothing", async () => {
    const url = await freshDatabase();
    const first = await openPostgres({ url, official, logger });
    opened.push(first);
    expect(first.migration).toMatchObject({ from: 0, to: MIGRATIONS.length, applied: MIGRATIONS.map((m) => m.version) });
    const second = await openPostgres({ url, official, logger });
    opened.push(second);
    expect(second.migration).toMatchObject({ from: MIGRATIONS.length, to: MIGRATIONS.length, applied: [] });
    expect(await tables(first.db)).toEqual([...TABLES, ...OFFICIAL_TABLES].sort());
    const versions = await first.db.query<{ version: number }>("SELECT version FROM lgdev_migrations ORDER BY version");
    expect(versions.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    // The official migrations ran once each (their bookkeeping has no duplicates).
    const cp = await first.db.query<{ n: string; d: string }>("SELECT count(*) AS n, count(DISTINCT v) AS d FROM checkpoint_migrations");
    expect(cp.rows[0]!.n).toBe(cp.rows[0]!.d);
  });

  it("are safe when several processes start at the same moment: each migration is applied exactly once", async () => {
    const url = await freshDatabase();
    const go = Date.now() + 2500;
    const script = `
      import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
      import { PostgresStore } from "@langchain/langgraph-checkpoint-postgres/store";
      import { createLogger } from ${JSON.stringify(join(REPO_ROOT, "src/logger.ts"))};
      import { openPostgres } from ${JSON.stringify(join(REPO_ROOT, "src/storage/postgres/index.ts"))};
      // Everything is loaded; start together so the migrations overlap.
      await new Promise((r) => setTimeout(r, Math.max(0, ${go} - Date.now())));
      const layer = await openPostgres({ url: process.env.URL, official: { PostgresSaver, PostgresStore }, logger: createLogger("silent") });
      console.log(JSON.stringify(layer.migration));
      await layer.close();
    `;
    const results = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<MigrateResult>((resolve, reject) => {
            const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
              cwd: REPO_ROOT,
              env: { ...process.env, URL: url },
              stdio: ["ignore", "pipe", "pipe"],
            });
            let out = "";
            child.stdout.on("data", (d) => (out += d));
            child.stderr.on("data", (d) => (out += d));
            const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
            child.on("exit", (code) => {
              clearTimeout(timer);
              if (code === 0) resolve(JSON.parse(out.trim().split("\n").at(-1)!) as MigrateResult);
              else reject(new Error(`migrating process exited with ${code}:\n${out}`));
            });
          }),
      ),
    );
    // One process applied everything; the others waited for it and found nothing to do.
    const appliers = results.filter((r) => r.applied.length > 0);
    expect(appliers).toHaveLength(1);
    expect(appliers[0]!.applied).toEqual(MIGRATIONS.map((m) => m.version));
    expect(results.every((r) => r.to === MIGRATIONS.length)).toBe(true);
    const db = await open(url);
    expect(await tables(db)).toEqual([...TABLES, ...OFFICIAL_TABLES].sort());
    const rows = await db.query<{ n: string }>("SELECT count(*) AS n FROM lgdev_migrations");
    expect(Number(rows.rows[0]!.n)).toBe(MIGRATIONS.length);
  }, 60_000);

  it("a failing migration is rolled back whole and names itself; the lock is released", async () => {
    const db = await open(await freshDatabase());
    const broken = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: "broken", sql: "CREATE TABLE good_part (n int); SELECT nope FROM nowhere" }];
    await expect(migrate(db, { logger, migrations: broken })).rejects.toThrow(new RegExp(`database migration ${MIGRATIONS.length + 1} \\(broken\\) failed: relation "nowhere" does not exist`));
    expect(await tables(db)).not.toContain("good_part");
    // The lock was released: migrating again does not hang, and the good migrations stayed applied.
    expect(await migrate(db, { logger })).toMatchObject({ from: MIGRATIONS.length, applied: [] });
  });

  it("refuse a schema migrated by a newer lg-dev", async () => {
    const db = await open(await freshDatabase());
    await migrate(db, { logger });
    await db.query("INSERT INTO lgdev_migrations (version, name) VALUES (999, 'from the future')");
    await expect(migrate(db, { logger })).rejects.toThrow(SchemaTooNewError);
    await expect(migrate(db, { logger })).rejects.toThrow(new RegExp(`at version 999, this lg-dev knows up to ${MIGRATIONS.length}: upgrade lg-dev`));
  });

  it("put everything into another schema when asked (two deployments in one database)", async () => {
    const url = await freshDatabase();
    const layer = await openPostgres({ url, schema: "tenant_a", official, logger });
    opened.push(layer);
    expect(await tables(layer.db, "tenant_a")).toEqual([...TABLES, ...OFFICIAL_TABLES].sort());
    expect(await tables(layer.db, "public")).toEqual([]);
  });
});

describe("the tables", () => {
  it("mirror the records: JSON payloads keep key order and any string, one running run per thread, runs go with their thread", async () => {
    const layer = await openPostgres({ url: await freshDatabase(), official, logger });
    opened.push(layer);
    const { db } = layer;
    const now = new Date().toISOString();
    await db.query(
      `INSERT INTO lgdev_threads (thread_id, created_at, updated_at, metadata, status, config, "values", interrupts)
       VALUES ($1, $2, $2, $3, 'busy', '{}', $4, '{}')`,
      ["t1", now, JSON.stringify({ owner: "me" }), JSON.stringify({ z: 1, a: "nul\u0000inside" })],
    );
    const thread = await db.query<{ values: unknown; created_at: Date; metadata: unknown }>("SELECT \"values\", created_at, metadata FROM lgdev_threads");
    expect(JSON.stringify(thread.rows[0]!.values)).toBe(JSON.stringify({ z: 1, a: "nul\u0000inside" }));
    expect(thread.rows[0]!.created_at.toISOString()).toBe(now);
    const filtered = await db.query("SELECT thread_id FROM lgdev_threads WHERE metadata @> $1", [JSON.stringify({ owner: "me" })]);
    expect(filtered.rows).toEqual([{ thread_id: "t1" }]);

    const run = (id: string, status: string) =>
      db.query(
        `INSERT INTO lgdev_runs (run_id, thread_id, assistant_id, created_at, updated_at, status, kwargs, multitask_strategy)
         VALUES ($1, 't1', 'a1', now(), now(), $2, $3, 'enqueue')`,
        [id, status, JSON.stringify({ input: { x: 1 }, stream_mode: ["values"] })],
      );
    await run("r1", "running");
    await run("r2", "pending");
    await expect(run("r3", "running")).rejects.toMatchObject({ code: "23505", constraint: "lgdev_runs_one_running" });
    await expect(run("r4", "paused")).rejects.toMatchObject({ code: "23514" });
    await db.query("INSERT INTO lgdev_run_events (run_id, seq, thread_id, event, data) VALUES ('r1', 0, 't1', 'metadata', $1)", [JSON.stringify({ run_id: "r1" })]);
    await db.query("DELETE FROM lgdev_threads WHERE thread_id = 't1'");
    const left = await db.query<{ runs: string; events: string }>("SELECT (SELECT count(*) FROM lgdev_runs) AS runs, (SELECT count(*) FROM lgdev_run_events) AS events");
    // Since V2 stream events are kept by run id without a foreign key: the backend deletes them with the thread.
    expect(left.rows[0]).toEqual({ runs: "0", events: "1" });
  });

  it("hold checkpoints and store items through the official saver and store", async () => {
    const layer = await openPostgres({ url: await freshDatabase(), official, logger });
    opened.push(layer);
    const config = { configurable: { thread_id: "t1", checkpoint_ns: "" } };
    const checkpoint = { v: 4, id: "1ef00000-0000-6000-8000-000000000001", ts: new Date().toISOString(), channel_values: { x: 1 }, channel_versions: { x: 1 }, versions_seen: {} };
    await layer.checkpointer.put(config, checkpoint as never, { source: "input", step: -1, parents: {} } as never, { x: 1 } as never);
    const tuple = await layer.checkpointer.getTuple(config);
    expect(tuple?.checkpoint.channel_values).toEqual({ x: 1 });
    await layer.store.put(["users", "u1"], "prefs", { theme: "dark" });
    expect((await layer.store.get(["users", "u1"], "prefs"))?.value).toEqual({ theme: "dark" });
  });
});
