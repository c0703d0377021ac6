import type { Logger } from "../../logger.js";
import { openDatabase, type Database } from "./database.js";
import { migrate, type MigrateResult } from "./migrations.js";
import { startNotifyBus, type NotifyBus } from "./notify.js";
import { guardStorePool, type OfficialPostgres, type PostgresCheckpointer, type PostgresItemStore } from "./official.js";
import { withOneTripWrites, withUniqueVersions } from "./saver.js";

export { checkSchemaName, openDatabase, type Database, type DatabaseOptions } from "./database.js";
export { DatabaseUnavailableError, describeConnectionError, isConnectionError } from "./errors.js";
export { DatabaseHealth, type HealthSnapshot, type HealthState } from "./health.js";
export { migrate, migrationLockKey, SchemaTooNewError, type MigrateOptions, type MigrateResult, type SetupStep } from "./migrations.js";
export { BUS_TOPICS, BusPayloadTooLargeError, channelOf, MAX_PAYLOAD_BYTES, startNotifyBus, type BusMessage, type BusTopic, type NotifyBus } from "./notify.js";
export type { OfficialPostgres, PostgresCheckpointer, PostgresItemStore } from "./official.js";
export { MIGRATIONS, type Migration } from "./schema.js";
export { parsePostgresUrl, PostgresUrlError, type PostgresUrl } from "./url.js";

/** Options of {@link openPostgres}. */
export interface PostgresOptions {
  /** A postgres:// URL. */
  url: string;
  /** Schema for every table (default `public`, where LangGraph users know the checkpoint tables). */
  schema?: string;
  /** Connections in lg-dev's pool, shared with the checkpointer (default 10, at least 2: migrations hold one). */
  poolSize?: number;
  /** Connections in the official store's own pool (default 4). */
  storePoolSize?: number;
  /** The classes of @langchain/langgraph-checkpoint-postgres (dev/postgres.ts loads them from the project). */
  official: OfficialPostgres;
  logger: Logger;
}

/** Everything a PostgreSQL backend builds on, connected and migrated. */
export interface PostgresLayer {
  db: Database;
  bus: NotifyBus;
  /** The official PostgresSaver on lg-dev's pool. */
  checkpointer: PostgresCheckpointer;
  /** The official PostgresStore (its own pool). */
  store: PostgresItemStore;
  migration: MigrateResult;
  /** Close the bus, the store's pool and lg-dev's pool (in that order). */
  close(): Promise<void>;
}

/**
 * Connect, migrate (lg-dev's tables, then the official checkpoint and store tables, all under one advisory lock)
 * and start listening for notifications. Throws DatabaseUnavailableError when the server cannot be reached,
 * PostgresUrlError for a bad URL, the server's error otherwise (wrong password, unknown database).
 */
export async function openPostgres(options: PostgresOptions): Promise<PostgresLayer> {
  const { logger } = options;
  const poolSize = options.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 2) throw new Error(`poolSize must be an integer of 2 or more, got ${poolSize}`);
  const db = await openDatabase({ url: options.url, schema: options.schema, poolSize, logger });
  const opened: Array<() => Promise<void>> = [() => db.close()];
  const closeAll = async () => {
    for (const close of opened.reverse()) {
      await close().catch((err: unknown) => logger.debug(`closing PostgreSQL: ${describe(err)}`));
    }
  };
  try {
    const Saver = withOneTripWrites(withUniqueVersions(options.official.PostgresSaver), (why) =>
      logger.warn(`@langchain/langgraph-checkpoint-postgres: ${why}; checkpoints are written with its own (slower) statements`),
    );
    const checkpointer = new Saver(db.pool, undefined, { schema: db.schema });
    const store = new options.official.PostgresStore({
      connectionOptions: { ...db.clientConfig(), max: options.storePoolSize ?? 4, idleTimeoutMillis: 30_000 },
      schema: db.schema,
      // Tables come from the migration below (under the lock), not lazily from the first operation.
      ensureTables: false,
    });
    opened.push(async () => {
      await store.stop();
    });
    if (!guardStorePool(store, logger, () => db.health.checkSoon())) {
      logger.warn("@langchain/langgraph-checkpoint-postgres: unexpected PostgresStore shape; a dropped store connection may end the process");
    }
    const migration = await migrate(db, {
      logger,
      steps: [
        { name: "PostgresSaver.setup", run: () => checkpointer.setup() },
        { name: "PostgresStore.setup", run: () => store.setup() },
        // The official JS store keeps no TTL in minutes (the Python one does, in this column) and no embeddings
        // with the item (lg-dev's store.index keeps them as `vectors`). Idempotent, under the same lock.
        {
          name: "store: lg-dev's columns",
          run: async () => void (await db.query("ALTER TABLE store ADD COLUMN IF NOT EXISTS ttl_minutes double precision, ADD COLUMN IF NOT EXISTS vectors json")),
        },
      ],
    });
    const bus = await startNotifyBus(db, { logger });
    opened.push(() => bus.close());
    let closing: Promise<void> | undefined;
    return {
      db,
      bus,
      checkpointer,
      store,
      migration,
      close: () => (closing ??= closeAll()),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

