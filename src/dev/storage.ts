/**
 * Where the storage backend is chosen: the one place that knows which backends exist. Everything else receives a
 * `StorageBackend` (src/storage/backend.ts) and never asks which one it has.
 */
import { join } from "node:path";
import { ConfigError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { StorageBackend } from "../storage/backend.js";
import { openEmbeddedBackend, StorageLockedError } from "../storage/embedded/index.js";

/** What the composition root needs to open the storage. */
export interface OpenBackendOptions {
  /** The directory of langgraph.json: the embedded store lives in `<configDir>/.langgraph_api`. */
  configDir: string;
  /** false: memory only (`--no-persist`). */
  persist?: boolean;
  fsync?: boolean;
  /** `--postgres` / POSTGRES_URI. */
  postgres?: string;
  logger: Logger;
}

/** Open the backend the options ask for, logging what it loaded. Throws ConfigError for user mistakes. */
export async function openBackend(opts: OpenBackendOptions): Promise<StorageBackend> {
  const { logger } = opts;
  // --postgres: everything in the database (a bad URL or an unreachable database stops the start with one line).
  // Loaded only then, so lg-dev without it never loads pg.
  if (opts.postgres) {
    const { connectPostgres } = await import("./postgres.js");
    const { PostgresBackend } = await import("../storage/postgres/backend.js");
    const backend = new PostgresBackend(await connectPostgres(opts.postgres, opts.configDir, logger));
    const c = await backend.counts();
    logger.info(`PostgreSQL storage: ${c.threads} threads, ${c.runs} runs, ${c.assistants} assistants, ${c.crons} crons`);
    return backend;
  }
  let opened;
  try {
    opened = await openEmbeddedBackend({ dir: join(opts.configDir, ".langgraph_api"), persist: opts.persist ?? true, fsync: opts.fsync, groupCommit: true, logger });
  } catch (err) {
    if (err instanceof StorageLockedError) throw new ConfigError(err.message);
    throw err;
  }
  const { stats, backend } = opened;
  if (stats.persisted && stats.snapshotRecords + stats.journalRecords > 0) {
    const c = await backend.counts();
    logger.info(`loaded ${c.threads} threads, ${c.runs} runs, ${c.checkpoints} checkpoints from .langgraph_api in ${Math.round(stats.loadMs)} ms`);
  }
  return backend;
}
