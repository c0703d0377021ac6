import { createHash } from "node:crypto";
import type pg from "pg";
import type { Logger } from "../../logger.js";
import type { Database } from "./database.js";
import { MIGRATIONS, MIGRATIONS_TABLE, type Migration } from "./schema.js";

/** Another step of schema set-up that must run under the same lock (the official saver's and store's setup()). */
export interface SetupStep {
  name: string;
  run(): Promise<void>;
}

/** Options of {@link migrate}. */
export interface MigrateOptions {
  logger: Logger;
  /** Run after lg-dev's migrations, still holding the lock: e.g. PostgresSaver#setup, PostgresStore#setup. */
  steps?: SetupStep[];
  /** The migrations to apply (tests pass their own); default: lg-dev's. */
  migrations?: readonly Migration[];
}

/** What {@link migrate} did. */
export interface MigrateResult {
  /** Schema version before and after. */
  from: number;
  to: number;
  /** Versions applied by this call (empty when another process had applied them). */
  applied: number[];
  /** How long this process waited for another one's migration to finish. */
  waitedMs: number;
}

/** The schema is newer than this lg-dev knows: a newer lg-dev migrated it. */
export class SchemaTooNewError extends Error {
  constructor(found: number, known: number) {
    super(`The database's lg-dev schema is at version ${found}, this lg-dev knows up to ${known}: upgrade lg-dev (a newer one migrated this database).`);
    this.name = "SchemaTooNewError";
  }
}

/**
 * The advisory-lock key for migrations in one schema: the first 8 bytes of a hash, so two lg-dev deployments in
 * two schemas of one database do not wait for each other, and nothing else is likely to use the same key.
 */
export function migrationLockKey(schema: string): string {
  return createHash("sha256").update(`lg-dev migrations ${schema}`).digest().readBigInt64BE(0).toString();
}

/**
 * Bring the schema up to date. Safe when any number of processes start at once: each takes a session advisory
 * lock first, so exactly one applies each migration and the others wait, then find nothing left to do.
 * Each migration runs in its own transaction with its bookkeeping row (all or nothing). The lock is held
 * on a dedicated connection and released even when a step fails (and by the server if this process dies).
 */
export async function migrate(db: Database, options: MigrateOptions): Promise<MigrateResult> {
  const migrations = options.migrations ?? MIGRATIONS;
  const key = migrationLockKey(db.schema);
  return db.withClient(async (client) => {
    const t0 = performance.now();
    const got = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1::bigint) AS ok", [key]);
    if (!got.rows[0]!.ok) {
      options.logger.info("waiting for another lg-dev process to finish migrating the database");
      await client.query("SELECT pg_advisory_lock($1::bigint)", [key]);
    }
    const waitedMs = got.rows[0]!.ok ? 0 : performance.now() - t0;
    try {
      if (db.schema !== "public") await client.query(`CREATE SCHEMA IF NOT EXISTS ${db.schema}`);
      await client.query(MIGRATIONS_TABLE);
      const from = await currentVersion(client);
      const known = migrations.at(-1)?.version ?? 0;
      if (from > known) throw new SchemaTooNewError(from, known);
      const applied: number[] = [];
      for (const m of migrations.filter((m) => m.version > from)) {
        await applyOne(client, m);
        applied.push(m.version);
        options.logger.info(`database migrated to version ${m.version}: ${m.name}`);
      }
      for (const step of options.steps ?? []) {
        try {
          await step.run();
        } catch (err) {
          throw new Error(`database set-up step "${step.name}" failed: ${(err as Error).message}`, { cause: err });
        }
      }
      return { from, to: Math.max(from, known), applied, waitedMs };
    } finally {
      await client.query("SELECT pg_advisory_unlock($1::bigint)", [key]).catch(() => undefined);
    }
  });
}

async function currentVersion(client: pg.PoolClient): Promise<number> {
  const r = await client.query<{ v: number | null }>("SELECT max(version) AS v FROM lgdev_migrations");
  return r.rows[0]?.v ?? 0;
}

async function applyOne(client: pg.PoolClient, m: Migration): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query(m.sql);
    await client.query("INSERT INTO lgdev_migrations (version, name) VALUES ($1, $2)", [m.version, m.name]);
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw new Error(`database migration ${m.version} (${m.name}) failed: ${(err as Error).message}`, { cause: err });
  }
}
