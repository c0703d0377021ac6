import pg from "pg";
import type { Logger } from "../../logger.js";
import { DatabaseUnavailableError, describeConnectionError, isConnectionError } from "./errors.js";
import { DatabaseHealth } from "./health.js";
import { parsePostgresUrl, type PostgresUrl } from "./url.js";

/** Options of {@link openDatabase}. */
export interface DatabaseOptions {
  /** A postgres:// URL (checked with parsePostgresUrl). */
  url: string;
  /** Schema holding lg-dev's tables (and the checkpoint and store tables); default `public`. */
  schema?: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** How long a new connection may take before the attempt counts as a failure (default 5000 ms). */
  connectTimeoutMs?: number;
  /** Shown in pg_stat_activity (default `lg-dev`). */
  applicationName?: string;
  logger: Logger;
}

/** A statement the server prepares once per connection (parsed and planned once) under `name`. */
export interface NamedStatement {
  name: string;
  text: string;
}

/** A pool with health tracking: what every other part of the PostgreSQL layer is built on. */
export interface Database {
  readonly pool: pg.Pool;
  readonly health: DatabaseHealth;
  readonly schema: string;
  readonly target: PostgresUrl;
  /** The PostgreSQL server's version (`server_version_num`, e.g. 150018). */
  readonly serverVersion: number;
  /** Settings for a dedicated connection outside the pool (the notification listener, the official store's pool). */
  clientConfig(): pg.ClientConfig;
  /**
   * One statement on a pooled connection. Fails fast with a 503 error while the database is down; a connection
   * failure turns the health down and is thrown as {@link DatabaseUnavailableError}. Other errors pass unchanged.
   */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(text: string | NamedStatement, values?: unknown[]): Promise<pg.QueryResult<R>>;
  /**
   * `fn` inside BEGIN ... COMMIT on one connection (ROLLBACK when it throws). A serialization failure or deadlock
   * reruns `fn` (up to 5 attempts), so `fn` must do nothing but database work.
   */
  transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  /** `fn` with one pooled connection for several statements (no transaction). */
  withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const IDENT = /^[a-z_][a-z0-9_]{0,39}$/;

/** Check a schema name: plain lower-case identifiers only, so it can be spliced into SQL and channel names. */
export function checkSchemaName(schema: string): string {
  if (!IDENT.test(schema)) throw new Error(`"${schema}" is not a usable schema name: use lower-case letters, digits and _ (at most 40)`);
  return schema;
}

/** SQLSTATEs after which a whole transaction may simply be run again. */
const RETRYABLE = new Set(["40001", "40P01"]);

/**
 * Connect (one round trip proves the server answers and the credentials work) and return the pool.
 * Throws {@link DatabaseUnavailableError} when the server cannot be reached, the server's error (e.g. a wrong
 * password, an unknown database) otherwise.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const target = parsePostgresUrl(options.url);
  const schema = checkSchemaName(options.schema ?? "public");
  const { logger } = options;
  const clientConfig = (): pg.ClientConfig => ({
    connectionString: target.url,
    application_name: options.applicationName ?? "lg-dev",
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    // A peer that vanished without a FIN (a network partition, a killed VM) is noticed by TCP keep-alive.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...(schema === "public" ? {} : { options: `-c search_path=${schema},public` }),
  });
  const pool = new pg.Pool({ ...clientConfig(), max: options.poolSize ?? 10, idleTimeoutMillis: 30_000 });
  const health = new DatabaseHealth({
    label: target.label,
    logger,
    probe: async () => {
      await pool.query("SELECT 1");
    },
  });
  // Without these listeners a connection dropped by the server (a restart, pg_terminate_backend) is an unhandled
  // 'error' event, which ends the process. The pool replaces dropped connections by itself.
  const onClientError = (err: Error) => {
    logger.debug(`a PostgreSQL connection was dropped: ${describeConnectionError(err)}`);
    health.checkSoon();
  };
  pool.on("error", onClientError);
  pool.on("connect", (client) => client.on("error", onClientError));

  const unavailable = (err: unknown): unknown => {
    if (!isConnectionError(err)) return err;
    health.reportFailure(err);
    return err instanceof DatabaseUnavailableError ? err : health.unavailableError(err);
  };

  let serverVersion: number;
  try {
    const r = await pool.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
    serverVersion = Number(r.rows[0]!.v);
  } catch (err) {
    await pool.end().catch(() => undefined);
    if (isConnectionError(err)) throw new DatabaseUnavailableError(`cannot connect to ${target.label}: ${describeConnectionError(err)}`, { cause: err });
    throw err;
  }

  const withClient = async <T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    health.assertUp();
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw unavailable(err);
    }
    let broken: Error | undefined;
    try {
      const result = await fn(client);
      health.reportSuccess();
      return result;
    } catch (err) {
      // A connection that failed must not go back to the pool.
      if (isConnectionError(err)) broken = err as Error;
      throw unavailable(err);
    } finally {
      client.release(broken);
    }
  };

  return {
    pool,
    health,
    schema,
    target,
    serverVersion,
    clientConfig,
    async query<R extends pg.QueryResultRow>(text: string | NamedStatement, values?: unknown[]) {
      health.assertUp();
      try {
        const result = typeof text === "string" ? await pool.query<R>(text, values) : await pool.query<R>({ ...text, values });
        health.reportSuccess();
        return result;
      } catch (err) {
        throw unavailable(err);
      }
    },
    withClient,
    async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await withClient(async (client) => {
            await client.query("BEGIN");
            try {
              const result = await fn(client);
              await client.query("COMMIT");
              return result;
            } catch (err) {
              // On a dead connection ROLLBACK fails too; the server rolls back by itself then.
              if (!isConnectionError(err)) await client.query("ROLLBACK").catch(() => undefined);
              throw err;
            }
          });
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          if (attempt < 5 && typeof code === "string" && RETRYABLE.has(code)) continue;
          throw err;
        }
      }
    },
    async close() {
      health.close();
      await pool.end();
    },
  };
}
