import { createHash } from "node:crypto";
import type { Database } from "./database.js";

/**
 * What lgdev_run_events keeps, as the embedded store keeps stream events in memory (RunStreams): the events of runs
 * pending or running; those of the `keepResumable` resumable runs that ended last (replay with Last-Event-ID); and for
 * `afterMs` after a run's end, those of any run (followers in other processes read a run's last events once told of
 * its end; a background run can still be joined for a while). Rows of a log that is no run's (a thread's state log,
 * `thread_state:<id>`) go `afterMs` after they were written, all but the last one, which keeps its seq counting on.
 */
export interface TrimOptions {
  /** Resumable runs whose events are kept after they ended (the embedded store's 1000 finished runs). */
  keepResumable: number;
  /** How long after a run's end (or a state log row's insertion) its rows stay at least. */
  afterMs: number;
}

export const TRIM_DEFAULTS: TrimOptions & { everyMs: number } = { keepResumable: 1000, afterMs: 60_000, everyMs: 30_000 };

/** The advisory-lock key of one schema's trim: one process trims at a time (two deleting one set could deadlock). */
function trimLockKey(schema: string): string {
  return createHash("sha256").update(`lg-dev run events trim ${schema}`).digest().readBigInt64BE(0).toString();
}

/** Delete what lgdev_run_events need not keep; resolves the rows deleted (undefined: another process is trimming). */
export async function trimRunEvents(db: Database, options: Partial<TrimOptions> = {}): Promise<number | undefined> {
  const keep = Math.max(0, Math.floor(options.keepResumable ?? TRIM_DEFAULTS.keepResumable));
  const afterMs = Math.max(0, options.afterMs ?? TRIM_DEFAULTS.afterMs);
  return db.transaction(async (c) => {
    const locked = await c.query<{ ok: boolean }>("SELECT pg_try_advisory_xact_lock($1::bigint) AS ok", [trimLockKey(db.schema)]);
    if (!locked.rows[0]!.ok) return undefined;
    const r = await c.query(
      `WITH logged AS (SELECT run_id, max(seq) AS last_seq FROM lgdev_run_events GROUP BY run_id),
       info AS (
         SELECT l.run_id, l.last_seq, r.status, r.updated_at,
                r.status IS NOT NULL AND r.status NOT IN ('pending', 'running') AS ended,
                COALESCE((r.kwargs ->> 'stream_resumable')::boolean, false) AS resumable
         FROM logged l LEFT JOIN lgdev_runs r ON r.run_id = l.run_id
       ),
       kept AS (SELECT run_id FROM info WHERE ended AND resumable ORDER BY updated_at DESC LIMIT $2::bigint)
       DELETE FROM lgdev_run_events d USING info x
       WHERE d.run_id = x.run_id AND (
         (x.ended AND x.updated_at < clock_timestamp() - $1 * interval '1 millisecond' AND x.run_id NOT IN (SELECT run_id FROM kept))
         OR (x.status IS NULL AND d.created_at < clock_timestamp() - $1 * interval '1 millisecond' AND d.seq < x.last_seq)
       )`,
      [afterMs, keep],
    );
    return r.rowCount ?? 0;
  });
}
