/** The storage backend contract (../contract.ts) on the PostgreSQL backend, against a real server. */
import { usePostgres } from "../../helpers/postgres.js";
import { describeBackendContract } from "../contract.js";
import { openBackend } from "./backend-helpers.js";

const pg = usePostgres();

describeBackendContract("postgres", async () => {
  const opened: Array<{ close(): Promise<void> }> = [];
  const backend = await openBackend(pg.url, opened);
  // Every test starts from an empty database.
  await backend.layer.db.query(
    "TRUNCATE lgdev_assistants, lgdev_assistant_versions, lgdev_threads, lgdev_runs, lgdev_run_events, lgdev_crons, checkpoints, checkpoint_blobs, checkpoint_writes, store",
  );
  return { backend };
});
