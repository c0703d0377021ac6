import type { BaseCheckpointSaver, BaseStore } from "@langchain/langgraph-checkpoint";
import type { Logger } from "../../logger.js";
import { describeConnectionError } from "./errors.js";

/** The official saver as lg-dev uses it: a checkpointer whose tables `setup()` creates. */
export type PostgresCheckpointer = BaseCheckpointSaver & { setup(): Promise<void> };
/** The official store as lg-dev uses it: tables from `setup()`, its own pool closed by `stop()`. */
export type PostgresItemStore = BaseStore & { setup(): Promise<void> };

/**
 * The two classes lg-dev takes from `@langchain/langgraph-checkpoint-postgres` (loaded from the project only when
 * PostgreSQL is used: see dev/postgres.ts), described by shape so that lg-dev builds without the package.
 */
export interface OfficialPostgres {
  /** `new PostgresSaver(pool, serde?, { schema })`: checkpoints on lg-dev's pool. */
  PostgresSaver: new (pool: unknown, serde?: undefined, options?: { schema?: string }) => PostgresCheckpointer;
  /** `new PostgresStore({ connectionOptions, schema, ensureTables })`: store items on a pool of its own. */
  PostgresStore: new (config: { connectionOptions: unknown; schema?: string; ensureTables?: boolean }) => PostgresItemStore;
}

interface EmitterLike {
  on(event: string, fn: (arg: unknown) => void): unknown;
}

/**
 * PostgresStore (1.0.x) makes its own pg pool and listens to none of its errors, so a dropped idle connection
 * (a database restart, pg_terminate_backend) would be an unhandled 'error' event that ends the process. Listen
 * on that pool and its connections; returns false when the store's shape is not the known one.
 */
export function guardStorePool(store: PostgresItemStore, logger: Logger, onDropped: () => void): boolean {
  const pool = (store as unknown as { core?: { pool?: EmitterLike } }).core?.pool;
  if (!pool || typeof pool.on !== "function") return false;
  const dropped = (err: unknown) => {
    logger.debug(`a PostgreSQL store connection was dropped: ${describeConnectionError(err)}`);
    onDropped();
  };
  pool.on("error", dropped);
  pool.on("connect", (client) => (client as EmitterLike).on("error", dropped));
  return true;
}
