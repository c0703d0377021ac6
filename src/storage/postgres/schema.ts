/**
 * lg-dev's own tables, as numbered migrations. A migration, once released, never changes: add a new one.
 * Names are unqualified: the connection's search_path picks the schema (see database.ts).
 *
 * Column types mirror src/storage/types.ts. Two JSON types on purpose:
 * - `jsonb` where the API filters (metadata containment `@>`, GIN-indexed); jsonb reorders keys and rejects
 *   the character U+0000 in strings, which is acceptable for metadata.
 * - `json` for payloads handed back as they came (state values, run inputs, stream events): json keeps the
 *   text, so key order and any string survive, as in the embedded store. Cast to jsonb to filter on them.
 * Timestamps are timestamptz; records carry them as ISO strings (Date#toISOString on the way out).
 * Every table keeps `seq` (an identity) for a stable insertion order where timestamps tie.
 */

/** One schema change. */
export interface Migration {
  /** 1, 2, 3, ... in order; stored in lgdev_migrations once applied. */
  version: number;
  name: string;
  sql: string;
}

const V1 = /* sql */ `
CREATE TABLE lgdev_assistants (
  assistant_id text PRIMARY KEY,
  graph_id     text NOT NULL,
  config       json NOT NULL DEFAULT '{}',
  context      json NOT NULL DEFAULT '{}',
  metadata     jsonb NOT NULL DEFAULT '{}',
  name         text NOT NULL,
  description  text,
  version      integer NOT NULL,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL,
  seq          bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX lgdev_assistants_graph ON lgdev_assistants (graph_id);
CREATE INDEX lgdev_assistants_created ON lgdev_assistants (created_at, seq);
CREATE INDEX lgdev_assistants_metadata ON lgdev_assistants USING gin (metadata jsonb_path_ops);

CREATE TABLE lgdev_assistant_versions (
  assistant_id text NOT NULL REFERENCES lgdev_assistants (assistant_id) ON DELETE CASCADE,
  version      integer NOT NULL,
  graph_id     text NOT NULL,
  config       json NOT NULL DEFAULT '{}',
  context      json NOT NULL DEFAULT '{}',
  metadata     jsonb NOT NULL DEFAULT '{}',
  name         text NOT NULL,
  description  text,
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (assistant_id, version)
);

CREATE TABLE lgdev_threads (
  thread_id  text PRIMARY KEY,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  metadata   jsonb NOT NULL DEFAULT '{}',
  status     text NOT NULL DEFAULT 'idle' CHECK (status IN ('idle', 'busy', 'interrupted', 'error')),
  config     json NOT NULL DEFAULT '{}',
  "values"   json,
  interrupts json NOT NULL DEFAULT '{}',
  error      json,
  seq        bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX lgdev_threads_created ON lgdev_threads (created_at, seq);
CREATE INDEX lgdev_threads_updated ON lgdev_threads (updated_at);
CREATE INDEX lgdev_threads_status ON lgdev_threads (status);
CREATE INDEX lgdev_threads_metadata ON lgdev_threads USING gin (metadata jsonb_path_ops);

-- A run is claimed by one process: claimed_by names it, lease_until is when another process may take the run
-- over (the claimer renews it with each heartbeat), heartbeat_at is the last sign of life.
CREATE TABLE lgdev_runs (
  run_id             text PRIMARY KEY,
  thread_id          text NOT NULL REFERENCES lgdev_threads (thread_id) ON DELETE CASCADE,
  assistant_id       text NOT NULL,
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL,
  status             text NOT NULL CHECK (status IN ('pending', 'running', 'success', 'error', 'interrupted', 'timeout')),
  metadata           jsonb NOT NULL DEFAULT '{}',
  kwargs             json NOT NULL,
  multitask_strategy text NOT NULL CHECK (multitask_strategy IN ('reject', 'interrupt', 'rollback', 'enqueue')),
  not_before         timestamptz,
  claimed_by         text,
  lease_until        timestamptz,
  heartbeat_at       timestamptz,
  seq                bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX lgdev_runs_thread ON lgdev_runs (thread_id, created_at, seq);
CREATE INDEX lgdev_runs_assistant ON lgdev_runs (assistant_id);
-- The queue: pending runs in creation order (claimed with FOR UPDATE SKIP LOCKED).
CREATE INDEX lgdev_runs_pending ON lgdev_runs (created_at, seq) WHERE status = 'pending';
-- Expired leases: running runs whose claimer stopped renewing.
CREATE INDEX lgdev_runs_leases ON lgdev_runs (lease_until) WHERE status = 'running';
-- At most one running run per thread, across every process: a second claim fails instead of running twice.
CREATE UNIQUE INDEX lgdev_runs_one_running ON lgdev_runs (thread_id) WHERE status = 'running';

-- The events of a run's stream, kept for resumable replay (Last-Event-ID) from any process. seq is the SSE id.
CREATE TABLE lgdev_run_events (
  run_id     text NOT NULL REFERENCES lgdev_runs (run_id) ON DELETE CASCADE,
  seq        integer NOT NULL,
  thread_id  text NOT NULL,
  event      text NOT NULL,
  data       json NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, seq)
);
CREATE INDEX lgdev_run_events_thread ON lgdev_run_events (thread_id, created_at);

CREATE TABLE lgdev_crons (
  cron_id          text PRIMARY KEY,
  assistant_id     text NOT NULL,
  thread_id        text,
  schedule         text NOT NULL,
  payload          json NOT NULL DEFAULT '{}',
  metadata         jsonb NOT NULL DEFAULT '{}',
  user_id          text,
  end_time         timestamptz,
  next_run_date    timestamptz,
  enabled          boolean NOT NULL DEFAULT true,
  on_run_completed text,
  timezone         text,
  auth             json,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  seq              bigint GENERATED ALWAYS AS IDENTITY
);
-- Due crons: a process fires one by moving next_run_date forward in the same statement that selects it.
CREATE INDEX lgdev_crons_due ON lgdev_crons (next_run_date) WHERE enabled;
CREATE INDEX lgdev_crons_assistant ON lgdev_crons (assistant_id);
CREATE INDEX lgdev_crons_thread ON lgdev_crons (thread_id);
CREATE INDEX lgdev_crons_metadata ON lgdev_crons USING gin (metadata jsonb_path_ops);
`;

// Stream events are kept by run id whether or not the run row exists (the storage contract: a stream may be
// written and read for any run id). Deleting a run or a thread deletes its events explicitly (backend.ts).
const V2 = /* sql */ `
ALTER TABLE lgdev_run_events DROP CONSTRAINT IF EXISTS lgdev_run_events_run_id_fkey;
`;

// A thread's own time-to-live (POST/PATCH /threads ttl): {strategy, ttl_minutes}, read by the TTL sweep.
const V3 = /* sql */ `
ALTER TABLE lgdev_threads ADD COLUMN ttl jsonb;
`;

/** Every migration, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "lg-dev tables: assistants, threads, runs, run events, crons", sql: V1 },
  { version: 2, name: "run events kept by run id, without a foreign key to runs", sql: V2 },
  { version: 3, name: "threads' own time-to-live", sql: V3 },
];

/** The bookkeeping table (created before any migration runs). */
export const MIGRATIONS_TABLE = /* sql */ `
CREATE TABLE IF NOT EXISTS lgdev_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;
