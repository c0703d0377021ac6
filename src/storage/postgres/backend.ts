/**
 * The PostgreSQL backend: StorageBackend in SQL on lg-dev's lgdev_* tables (schema.ts), the official saver's
 * checkpoint tables and the official store's `store` table, shared by any number of lg-dev processes.
 *
 * - Searches are single statements: filters in WHERE (metadata containment with jsonb `@>`, auth filters as
 *   sql.ts builds them), sort, paging and counts in SQL.
 * - Read-modify-write (thread/run updates) locks the row (`FOR UPDATE`) in one transaction; `transaction()` takes
 *   the thread's row lock on the first read of a thread (or of a thread's runs), so two transactions on one thread
 *   run one after the other and the second sees what the first committed (READ COMMITTED reads a fresh snapshot per
 *   statement). Deadlocks and serialization failures rerun the transaction (database.ts).
 * - The run queue claims with `FOR UPDATE SKIP LOCKED`; the unique index `lgdev_runs_one_running` is the last word
 *   on "one running run per thread" (a lost race is a 23505, and the claimer moves on). Leases use the database's
 *   clock, so processes on machines whose clocks differ agree on when a lease has passed.
 * - The change feed is the LISTEN/NOTIFY bus (notify.ts); stream events are rows of lgdev_run_events, each insert
 *   notifying its `run_event` in the same statement.
 * - Every write has committed when its Promise resolves: the durability port has nothing to do.
 */
import type {
  AssistantQuery,
  AssistantRepository,
  ChangeEvent,
  ChangeFeed,
  ChangeTopic,
  CheckpointRepository,
  CronQuery,
  CronRepository,
  DurabilityPort,
  NamespaceQuery,
  Page,
  RunClaim,
  RunEventLog,
  RunQueue,
  RunRepository,
  StorageBackend,
  StorageCounts,
  StorageTx,
  StoredRunEvent,
  StoreItemRepository,
  StoreQuery,
  ThreadPatch,
  ThreadQuery,
  ThreadRepository,
} from "../backend.js";
import type { AssistantRecord, AssistantVersionRecord, CronRecord, Metadata, RunRecord, RunStatus, StoreItemRecord, ThreadRecord } from "../types.js";
import { checkpointMetadata } from "../checkpoint-metadata.js";
import { GroupedInsert } from "./batch.js";
import type { Database, NamedStatement } from "./database.js";
import { openPostgres, type PostgresLayer, type PostgresOptions } from "./index.js";
import { channelOf, type BusMessage, type NotifyBus } from "./notify.js";
import type { PostgresCheckpointer } from "./official.js";
import {
  ASSISTANT_COLUMNS,
  ASSISTANT_WRITE,
  assistantOf,
  CRON_COLUMNS,
  CRON_WRITE,
  cronOf,
  JSON_COLUMNS,
  namespacePath,
  NAMESPACE_SEPARATOR,
  RUN_COLUMNS,
  RUN_WRITE,
  runOf,
  rowValues,
  STORE_COLUMNS,
  storeItemOf,
  THREAD_COLUMNS,
  THREAD_WRITE,
  threadOf,
  upsertSql,
  VERSION_COLUMNS,
  VERSION_WRITE,
  versionOf,
} from "./records.js";
import { containsSql, filtersSql, jsonParam, limitOffset, named, orderBy, Params, type FieldOf } from "./sql.js";
import { TRIM_DEFAULTS, trimRunEvents, type TrimOptions } from "./trim.js";

/** Something that runs a statement: the pool (through Database) or one transaction's client. */
interface Queryable {
  query<R extends Record<string, unknown> = Record<string, unknown>>(text: string | NamedStatement, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

const metadataField: FieldOf = (key, p) => `metadata -> ${p.add(key)}::text`;
const SQL = {
  upsertAssistant: upsertSql("lgdev_assistants", ASSISTANT_WRITE, ["assistant_id"]),
  insertAssistant: upsertSql("lgdev_assistants", ASSISTANT_WRITE, ["assistant_id"], "nothing"),
  upsertVersion: upsertSql("lgdev_assistant_versions", VERSION_WRITE, ["assistant_id", "version"]),
  upsertThread: upsertSql("lgdev_threads", THREAD_WRITE, ["thread_id"]),
  upsertRun: upsertSql("lgdev_runs", RUN_WRITE, ["run_id"]),
  upsertCron: upsertSql("lgdev_crons", CRON_WRITE, ["cron_id"]),
  insertCron: upsertSql("lgdev_crons", CRON_WRITE, ["cron_id"], "nothing"),
};
const assistantParams = (a: AssistantRecord) => rowValues(a as never, ASSISTANT_WRITE, JSON_COLUMNS);
const versionParams = (v: AssistantVersionRecord) => rowValues(v as never, VERSION_WRITE, JSON_COLUMNS);
const threadParams = (t: ThreadRecord) => rowValues(t as never, THREAD_WRITE, JSON_COLUMNS);
const runParams = (r: RunRecord) => rowValues(r as never, RUN_WRITE, JSON_COLUMNS);
const cronParams = (c: CronRecord) => rowValues(c as never, CRON_WRITE, JSON_COLUMNS);

const ASSISTANT_SORT = { assistant_id: "text", graph_id: "text", name: "text", description: "text", version: "other", created_at: "other", updated_at: "other" } as const;
const THREAD_SORT = { thread_id: "text", status: "text", created_at: "other", updated_at: "other" } as const;
const CRON_SORT = {
  cron_id: "text",
  assistant_id: "text",
  thread_id: "text",
  schedule: "text",
  user_id: "text",
  end_time: "other",
  next_run_date: "other",
  enabled: "other",
  created_at: "other",
  updated_at: "other",
} as const;

/**
 * `col = $n, ...` for the fields of `patch` that are columns among `cols` (what an upsert of `{...row, ...patch}`
 * would change): json columns as JSON text, an absent (undefined) value as NULL. Empty when no field is a column.
 */
function setClause(patch: Record<string, unknown>, cols: readonly string[], p: Params): string {
  const parts: string[] = [];
  for (const c of cols) {
    if (!Object.hasOwn(patch, c)) continue;
    const v = patch[c];
    parts.push(`${c === "values" ? '"values"' : c} = ${p.add(JSON_COLUMNS.has(c) ? jsonParam(v) : (v ?? null))}`);
  }
  return parts.join(", ");
}

/** Where-clauses joined with AND ("TRUE" when empty). */
const and = (parts: string[]) => (parts.length === 0 ? "TRUE" : parts.map((s) => `(${s})`).join(" AND "));

async function page<T>(db: Queryable, sql: { from: string; where: string; order: string; paging: string; columns: string }, p: Params, map: (r: Record<string, unknown>) => T, opts: { withTotal?: boolean; withItems?: boolean }): Promise<Page<T>> {
  const withTotal = opts.withTotal !== false;
  const withItems = opts.withItems !== false;
  // The paging parameters come last: a count alone leaves them out.
  const filterValues = p.values.slice(0, p.values.length - 2);
  if (!withItems) {
    const r = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${sql.from} WHERE ${sql.where}`, filterValues);
    return { items: [], total: Number(r.rows[0]!.n) };
  }
  // The count rides along with the page (a window over every match); an empty page asks for it separately.
  const total = withTotal ? ", count(*) OVER () AS total__" : "";
  const r = await db.query(`SELECT ${sql.columns}${total} FROM ${sql.from} WHERE ${sql.where} ${sql.order} ${sql.paging}`, p.values);
  let count = 0;
  if (withTotal) {
    if (r.rows.length > 0) count = Number(r.rows[0]!.total__);
    else {
      const c = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${sql.from} WHERE ${sql.where}`, filterValues);
      count = Number(c.rows[0]!.n);
    }
  }
  return { items: r.rows.map(map), total: count };
}

class PgAssistants implements AssistantRepository {
  constructor(private readonly db: Database) {}

  async get(id: string) {
    const r = await this.db.query(named(`SELECT ${ASSISTANT_COLUMNS} FROM lgdev_assistants WHERE assistant_id = $1`), [id]);
    return r.rows[0] ? assistantOf(r.rows[0]) : undefined;
  }
  async put(a: AssistantRecord) {
    await this.db.query(SQL.upsertAssistant, assistantParams(a));
  }
  async create(a: AssistantRecord, v: AssistantVersionRecord) {
    return this.db.transaction(async (c) => {
      const r = await c.query(SQL.insertAssistant, assistantParams(a));
      if (r.rowCount === 0) return false;
      await c.query(SQL.upsertVersion, versionParams(v));
      return true;
    });
  }
  async putWithVersion(a: AssistantRecord, v: AssistantVersionRecord) {
    await this.db.transaction(async (c) => {
      await c.query(SQL.upsertAssistant, assistantParams(a));
      await c.query(SQL.upsertVersion, versionParams(v));
    });
  }
  async delete(id: string) {
    // Versions go with it (ON DELETE CASCADE).
    const r = await this.db.query("DELETE FROM lgdev_assistants WHERE assistant_id = $1", [id]);
    return (r.rowCount ?? 0) > 0;
  }
  async search(q: AssistantQuery): Promise<Page<AssistantRecord>> {
    const p = new Params();
    const where: string[] = [];
    if (q.graphId) where.push(`graph_id = ${p.add(q.graphId)}`);
    if (q.name) where.push(`strpos(lower(name), ${p.add(q.name.toLowerCase())}) > 0`);
    if (q.metadata) where.push(containsSql("metadata", q.metadata, p));
    if (q.authFilters) where.push(filtersSql(q.authFilters, metadataField, p));
    const w = and(where);
    const paging = limitOffset(q, 10, p);
    return page(this.db, { from: "lgdev_assistants", where: w, order: orderBy(q, ASSISTANT_SORT, "seq"), paging, columns: ASSISTANT_COLUMNS }, p, assistantOf, q);
  }
  async listSystem() {
    const r = await this.db.query(`SELECT ${ASSISTANT_COLUMNS} FROM lgdev_assistants WHERE metadata @> '{"created_by":"system"}' ORDER BY seq`);
    return r.rows.map(assistantOf);
  }
  async getVersion(id: string, version: number) {
    const r = await this.db.query(`SELECT ${VERSION_COLUMNS} FROM lgdev_assistant_versions WHERE assistant_id = $1 AND version = $2`, [id, version]);
    return r.rows[0] ? versionOf(r.rows[0]) : undefined;
  }
  async putVersion(v: AssistantVersionRecord) {
    await this.db.query(SQL.upsertVersion, versionParams(v));
  }
  async listVersions(id: string, q: { metadata?: Metadata; offset?: number; limit?: number }) {
    const p = new Params();
    const where = [`assistant_id = ${p.add(id)}`];
    if (q.metadata) where.push(containsSql("metadata", q.metadata, p));
    const paging = limitOffset(q, 10, p);
    const r = await this.db.query(`SELECT ${VERSION_COLUMNS} FROM lgdev_assistant_versions WHERE ${and(where)} ORDER BY version DESC ${paging}`, p.values);
    return r.rows.map(versionOf);
  }
  async clearUserMade() {
    await this.db.query(`DELETE FROM lgdev_assistants WHERE NOT (metadata @> '{"created_by":"system"}')`);
  }
}

/** Delete a thread's checkpoints, writes and blobs (on `c`, inside the caller's transaction). */
async function deleteCheckpointsOf(c: Queryable, threadId: string): Promise<void> {
  await c.query("DELETE FROM checkpoint_writes WHERE thread_id = $1", [threadId]);
  await c.query("DELETE FROM checkpoint_blobs WHERE thread_id = $1", [threadId]);
  await c.query("DELETE FROM checkpoints WHERE thread_id = $1", [threadId]);
}

/** Delete the blobs of a thread no checkpoint of it refers to any more (after checkpoints were deleted). */
async function deleteOrphanBlobs(c: Queryable, threadId: string): Promise<void> {
  await c.query(
    `DELETE FROM checkpoint_blobs b WHERE b.thread_id = $1 AND NOT EXISTS (
       SELECT 1 FROM checkpoints cp, jsonb_each_text(cp.checkpoint -> 'channel_versions') AS v(channel, version)
       WHERE cp.thread_id = b.thread_id AND cp.checkpoint_ns = b.checkpoint_ns AND v.channel = b.channel AND v.version = b.version)`,
    [threadId],
  );
}

/** New threads, inserted in groups (batch.ts): POST /threads under load is one statement per group, not per thread. */
const INSERT_THREADS = {
  name: "lgdev_insert_threads",
  sql: `INSERT INTO lgdev_threads (thread_id, created_at, updated_at, metadata, status, config, "values", interrupts, error, ttl)
        SELECT thread_id, created_at, updated_at, metadata, status, config, "values", interrupts, error, ttl
        FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::jsonb[], $5::text[], $6::json[], $7::json[], $8::json[], $9::json[], $10::jsonb[])
             WITH ORDINALITY AS u(thread_id, created_at, updated_at, metadata, status, config, "values", interrupts, error, ttl, ord)
        ORDER BY ord
        ON CONFLICT (thread_id) DO NOTHING RETURNING thread_id AS key`,
  columns: THREAD_WRITE,
};

class PgThreads implements ThreadRepository {
  private readonly inserts: GroupedInsert<string>;

  constructor(private readonly db: Database) {
    this.inserts = new GroupedInsert(db, { ...INSERT_THREADS, keyOf: (t) => t.thread_id as string });
  }

  async get(id: string) {
    const r = await this.db.query(named(`SELECT ${THREAD_COLUMNS} FROM lgdev_threads WHERE thread_id = $1`), [id]);
    return r.rows[0] ? threadOf(r.rows[0]) : undefined;
  }
  async put(t: ThreadRecord) {
    await this.db.query(SQL.upsertThread, threadParams(t));
  }
  async insert(t: ThreadRecord): Promise<{ thread: ThreadRecord; created: boolean }> {
    if (await this.inserts.insert(t as never, threadParams(t))) return { thread: t, created: true };
    const existing = await this.get(t.thread_id);
    // Deleted between the two statements: the insert may go through now.
    return existing ? { thread: existing, created: false } : this.insert(t);
  }
  async update(id: string, patch: ThreadPatch) {
    // One statement (it locks the row for its own duration): the patched columns set, the whole row returned.
    const p = new Params();
    p.add(id);
    const set = setClause(patch, THREAD_WRITE, p);
    if (!set) return this.get(id);
    const r = await this.db.query(named(`UPDATE lgdev_threads SET ${set} WHERE thread_id = $1 RETURNING ${THREAD_COLUMNS}`), p.values);
    return r.rows[0] ? ({ ...threadOf(r.rows[0]), ...patch } as ThreadRecord) : undefined;
  }
  async delete(id: string) {
    return this.db.transaction(async (c) => {
      // Runs go with the thread (ON DELETE CASCADE), their stream events by thread id.
      const r = await c.query("DELETE FROM lgdev_threads WHERE thread_id = $1", [id]);
      await c.query("DELETE FROM lgdev_run_events WHERE thread_id = $1", [id]);
      await deleteCheckpointsOf(c, id);
      return (r.rowCount ?? 0) > 0;
    });
  }
  async expired(q: { now: number; defaultTtl?: { strategy: "delete" | "keep_latest"; ttl_minutes: number }; limit: number }) {
    // A thread's own ttl, else the default (a JSON null counts as none), from updated_at.
    const ttl = "COALESCE(NULLIF(ttl, 'null'::jsonb), $2::jsonb)";
    const at = `updated_at + (${ttl} ->> 'ttl_minutes')::float8 * interval '1 minute'`;
    const r = await this.db.query(
      `SELECT ${THREAD_COLUMNS} FROM lgdev_threads WHERE ${ttl} IS NOT NULL AND ${at} <= $1 ORDER BY ${at}, seq LIMIT $3::bigint`,
      [new Date(q.now).toISOString(), q.defaultTtl ? JSON.stringify(q.defaultTtl) : null, Math.max(0, Math.floor(q.limit))],
    );
    return r.rows.map(threadOf);
  }
  async search(q: ThreadQuery): Promise<Page<ThreadRecord>> {
    const p = new Params();
    const where: string[] = [];
    let from = "lgdev_threads t";
    let tie = "t.seq";
    if (q.ids) {
      from = `unnest(${p.add(q.ids)}::text[]) WITH ORDINALITY AS i(id, ord) JOIN lgdev_threads t ON t.thread_id = i.id`;
      tie = "i.ord";
    }
    if (q.status) where.push(`t.status = ${p.add(q.status)}`);
    if (q.metadata) where.push(containsSql("t.metadata", q.metadata, p));
    if (q.values) where.push(containsSql(`t."values"::jsonb`, q.values, p));
    if (q.authFilters) where.push(filtersSql(q.authFilters, (k, pp) => `t.metadata -> ${pp.add(k)}::text`, p));
    const paging = limitOffset(q, 10, p);
    const columns = THREAD_COLUMNS.split(", ")
      .map((c) => `t.${c}`)
      .join(", ");
    return page(this.db, { from, where: and(where), order: orderBy(q, THREAD_SORT, tie, "t."), paging, columns }, p, threadOf, q);
  }
  async copy(fromId: string, copy: ThreadRecord) {
    await this.db.transaction(async (c) => {
      await c.query(SQL.upsertThread, threadParams(copy));
      await c.query(
        `INSERT INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata)
         SELECT $2, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata FROM checkpoints WHERE thread_id = $1
         ON CONFLICT DO NOTHING`,
        [fromId, copy.thread_id],
      );
      await c.query(
        `INSERT INTO checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob)
         SELECT $2, checkpoint_ns, channel, version, type, blob FROM checkpoint_blobs WHERE thread_id = $1 ON CONFLICT DO NOTHING`,
        [fromId, copy.thread_id],
      );
      await c.query(
        `INSERT INTO checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob)
         SELECT $2, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob FROM checkpoint_writes WHERE thread_id = $1 ON CONFLICT DO NOTHING`,
        [fromId, copy.thread_id],
      );
    });
  }
  async clear() {
    await this.db.query("TRUNCATE lgdev_threads, lgdev_runs, lgdev_run_events, checkpoints, checkpoint_blobs, checkpoint_writes");
  }
}

class PgRuns implements RunRepository {
  constructor(private readonly db: Database) {}

  async get(id: string) {
    return getRun(this.db, id);
  }
  async put(r: RunRecord) {
    await this.db.query(SQL.upsertRun, runParams(r));
  }
  async update(id: string, patch: Partial<Omit<RunRecord, "run_id" | "thread_id">>) {
    return this.db.transaction(async (c) => {
      const current = await getRun(c, id, true);
      if (!current) return undefined;
      const next = { ...current, ...patch } as RunRecord;
      await c.query(SQL.upsertRun, runParams(next));
      return next;
    });
  }
  async delete(id: string) {
    return this.db.transaction(async (c) => {
      const r = await c.query("DELETE FROM lgdev_runs WHERE run_id = $1", [id]);
      await c.query("DELETE FROM lgdev_run_events WHERE run_id = $1", [id]);
      return (r.rowCount ?? 0) > 0;
    });
  }
  async listByThread(threadId: string, q: { status?: RunStatus; offset?: number; limit?: number } = {}) {
    const p = new Params();
    const where = [`thread_id = ${p.add(threadId)}`];
    if (q.status) where.push(`status = ${p.add(q.status)}`);
    const paging = limitOffset(q, 10, p);
    const r = await this.db.query(`SELECT ${RUN_COLUMNS} FROM lgdev_runs WHERE ${and(where)} ORDER BY created_at DESC, seq ${paging}`, p.values);
    return r.rows.map(runOf);
  }
  async listByStatus(statuses: readonly RunStatus[], threadId?: string) {
    return runsByStatus(this.db, statuses, threadId);
  }
  async clear() {
    await this.db.query("TRUNCATE lgdev_runs, lgdev_run_events");
  }
}

async function getRun(c: Queryable, id: string, lock = false): Promise<RunRecord | undefined> {
  const r = await c.query(named(`SELECT ${RUN_COLUMNS} FROM lgdev_runs WHERE run_id = $1${lock ? " FOR UPDATE" : ""}`), [id]);
  return r.rows[0] ? runOf(r.rows[0]) : undefined;
}

async function runsByStatus(c: Queryable, statuses: readonly RunStatus[], threadId?: string, lock = false): Promise<RunRecord[]> {
  const values: unknown[] = [[...statuses]];
  let where = "status = ANY($1::text[])";
  if (threadId !== undefined) {
    values.push(threadId);
    where += " AND thread_id = $2";
  }
  const r = await c.query(named(`SELECT ${RUN_COLUMNS} FROM lgdev_runs WHERE ${where} ORDER BY created_at, seq${lock ? " FOR UPDATE" : ""}`), values);
  return r.rows.map(runOf);
}

class PgCrons implements CronRepository {
  constructor(private readonly db: Database) {}

  async get(id: string) {
    const r = await this.db.query(`SELECT ${CRON_COLUMNS} FROM lgdev_crons WHERE cron_id = $1`, [id]);
    return r.rows[0] ? cronOf(r.rows[0]) : undefined;
  }
  async create(c: CronRecord) {
    const r = await this.db.query(SQL.insertCron, cronParams(c));
    return (r.rowCount ?? 0) > 0;
  }
  async put(c: CronRecord) {
    await this.db.query(SQL.upsertCron, cronParams(c));
  }
  async delete(id: string) {
    const r = await this.db.query("DELETE FROM lgdev_crons WHERE cron_id = $1", [id]);
    return (r.rowCount ?? 0) > 0;
  }
  async search(q: CronQuery): Promise<Page<CronRecord>> {
    const p = new Params();
    const where: string[] = [];
    if (q.assistantId) where.push(`assistant_id = ${p.add(q.assistantId)}`);
    if (q.threadId) where.push(`thread_id = ${p.add(q.threadId)}`);
    if (q.enabled !== undefined) where.push(`enabled = ${p.add(q.enabled)}`);
    if (q.metadata) where.push(containsSql("metadata", q.metadata, p));
    if (q.authFilters) where.push(filtersSql(q.authFilters, metadataField, p));
    const paging = limitOffset(q, 10, p);
    return page(this.db, { from: "lgdev_crons", where: and(where), order: orderBy(q, CRON_SORT, "seq"), paging, columns: CRON_COLUMNS }, p, cronOf, q);
  }
  async nextDue() {
    const r = await this.db.query<{ d: Date | null }>("SELECT min(next_run_date) AS d FROM lgdev_crons WHERE enabled");
    const d = r.rows[0]?.d;
    return d ? d.toISOString() : undefined;
  }
  async due(now: string) {
    const r = await this.db.query(`SELECT ${CRON_COLUMNS} FROM lgdev_crons WHERE enabled AND next_run_date <= $1 ORDER BY next_run_date, seq`, [now]);
    return r.rows.map(cronOf);
  }
  async advance(id: string, expected: string, next: string | null) {
    // Compare-and-set in one statement: of several processes that saw the same due cron, one moves it.
    const r = await this.db.query(
      `UPDATE lgdev_crons SET next_run_date = $3 WHERE cron_id = $1 AND next_run_date = $2 RETURNING ${CRON_COLUMNS}`,
      [id, expected, next],
    );
    return r.rows[0] ? cronOf(r.rows[0]) : undefined;
  }
  async clear() {
    await this.db.query("TRUNCATE lgdev_crons");
  }
}

/** LIKE pattern matching a namespace path and every path below it (wildcards escaped). */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);

/** Expressions over the `store` table for a store query: the prefix, expiry and auth filters. */
function storeWhere(q: { prefix: string[]; authFilters?: Record<string, unknown>; now?: number; includeExpired?: boolean }, p: Params): string[] {
  const where: string[] = [];
  if (q.prefix.length > 0) {
    const path = namespacePath(q.prefix);
    where.push(`(namespace_path = ${p.add(path)} OR namespace_path LIKE ${p.add(`${likeEscape(path)}${NAMESPACE_SEPARATOR}%`)})`);
  }
  if (!q.includeExpired) where.push(`(expires_at IS NULL OR expires_at > ${p.add(new Date(q.now ?? Date.now()).toISOString())})`);
  if (q.authFilters) {
    // storeFilterTarget: the value's fields, overridden by `namespace` (the labels) and `key`.
    where.push(
      filtersSql(
        q.authFilters,
        (k, pp) => (k === "namespace" ? `to_jsonb(string_to_array(namespace_path, '${NAMESPACE_SEPARATOR}'))` : k === "key" ? "to_jsonb(key)" : `value -> ${pp.add(k)}::text`),
        p,
      ),
    );
  }
  return where;
}

class PgStore implements StoreItemRepository {
  constructor(private readonly db: Database) {}

  async get(namespace: string[], key: string, opts: { now?: number } = {}) {
    const r = await this.db.query(`SELECT ${STORE_COLUMNS} FROM store WHERE namespace_path = $1 AND key = $2 AND (expires_at IS NULL OR expires_at > $3)`, [
      namespacePath(namespace),
      key,
      new Date(opts.now ?? Date.now()).toISOString(),
    ]);
    return r.rows[0] ? storeItemOf(r.rows[0]) : undefined;
  }
  async put(item: StoreItemRecord) {
    await this.db.query(
      `INSERT INTO store (namespace_path, key, value, created_at, updated_at, expires_at, ttl_minutes, vectors) VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8)
       ON CONFLICT (namespace_path, key) DO UPDATE SET value = EXCLUDED.value, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,
         expires_at = EXCLUDED.expires_at, ttl_minutes = EXCLUDED.ttl_minutes, vectors = EXCLUDED.vectors`,
      [
        namespacePath(item.namespace),
        item.key,
        JSON.stringify(item.value),
        item.created_at,
        item.updated_at,
        item.expires_at ?? null,
        item.ttl_minutes ?? null,
        item.vectors === undefined ? null : JSON.stringify(item.vectors),
      ],
    );
  }
  async delete(namespace: string[], key: string) {
    const r = await this.db.query("DELETE FROM store WHERE namespace_path = $1 AND key = $2", [namespacePath(namespace), key]);
    return (r.rowCount ?? 0) > 0;
  }
  async search(q: StoreQuery) {
    const p = new Params();
    const where = storeWhere({ prefix: q.namespacePrefix, authFilters: q.authFilters, now: q.now }, p);
    if (q.filter) where.push(filtersSql(q.filter, (k, pp) => `value -> ${pp.add(k)}::text`, p));
    if (q.query) where.push(`strpos(lower(value::text), ${p.add(q.query.toLowerCase())}) > 0`);
    const paging = limitOffset(q, 10, p);
    const r = await this.db.query(`SELECT ${STORE_COLUMNS} FROM store WHERE ${and(where)} ORDER BY updated_at DESC, created_at, namespace_path, key ${paging}`, p.values);
    return r.rows.map(storeItemOf);
  }
  async listNamespaces(q: NamespaceQuery) {
    const p = new Params();
    const where = storeWhere({ prefix: q.prefix, authFilters: q.authFilters, now: q.now }, p);
    const labels = `string_to_array(namespace_path, '${NAMESPACE_SEPARATOR}')`;
    if (q.suffix && q.suffix.length > 0) {
      const n = p.add(q.suffix.length);
      where.push(`cardinality(${labels}) >= ${n} AND (${labels})[cardinality(${labels}) - ${n} + 1 :] = ${p.add(q.suffix)}::text[]`);
    }
    const cut = q.maxDepth ? `(${labels})[1 : ${p.add(q.maxDepth)}]` : labels;
    const r = await this.db.query<{ ns: string[] }>(`SELECT DISTINCT ${cut} AS ns FROM store WHERE ${and(where)}`, p.values);
    // Sorted as the embedded store sorts (localeCompare of the labels joined with "."), then paged.
    const all = r.rows.map((row) => row.ns).sort((a, b) => a.join(".").localeCompare(b.join(".")));
    const offset = q.offset ?? 0;
    return all.slice(offset, offset + (q.limit ?? 100));
  }
  async deleteExpired(now: number) {
    const r = await this.db.query("DELETE FROM store WHERE expires_at <= $1", [new Date(now).toISOString()]);
    return r.rowCount ?? 0;
  }
  async list() {
    const r = await this.db.query(`SELECT ${STORE_COLUMNS} FROM store ORDER BY created_at, namespace_path, key`);
    return r.rows.map(storeItemOf);
  }
  async clear() {
    await this.db.query("TRUNCATE store");
  }
}

/** A checkpoint's key as `keysOf` gives it: opaque to callers. */
const checkpointKey = (ns: string, id: string) => JSON.stringify([ns, id]);

/**
 * The official saver, storing the same checkpoint metadata as the embedded checkpointer (checkpoint-metadata.ts):
 * every other method is the saver's own.
 */
function withRunMetadata(saver: PostgresCheckpointer): PostgresCheckpointer {
  const put = saver.put.bind(saver);
  saver.put = (config, checkpoint, metadata, newVersions) => put(config, checkpoint, checkpointMetadata(config, metadata), newVersions);
  return saver;
}

class PgCheckpoints implements CheckpointRepository {
  readonly saver: PostgresCheckpointer;

  constructor(
    private readonly db: Database,
    saver: PostgresCheckpointer,
  ) {
    this.saver = withRunMetadata(saver);
  }

  async keysOf(threadId: string) {
    const r = await this.db.query<{ checkpoint_ns: string; checkpoint_id: string }>(named("SELECT checkpoint_ns, checkpoint_id FROM checkpoints WHERE thread_id = $1"), [threadId]);
    return r.rows.map((row) => checkpointKey(row.checkpoint_ns, row.checkpoint_id));
  }
  async deleteAllBut(threadId: string, keep: readonly string[]) {
    const kept = keep.map((k) => JSON.parse(k) as [string, string]);
    await this.db.transaction(async (c) => {
      const doomed = `thread_id = $1 AND (checkpoint_ns, checkpoint_id) NOT IN (SELECT * FROM unnest($2::text[], $3::text[]))`;
      const values = [threadId, kept.map((k) => k[0]), kept.map((k) => k[1])];
      await c.query(`DELETE FROM checkpoint_writes WHERE ${doomed}`, values);
      await c.query(`DELETE FROM checkpoints WHERE ${doomed}`, values);
      await deleteOrphanBlobs(c, threadId);
    });
  }
  async deleteThread(threadId: string) {
    await this.db.transaction((c) => deleteCheckpointsOf(c, threadId));
  }
  async keepLatest(threadId: string) {
    await this.db.transaction(async (c) => {
      const latest = `SELECT checkpoint_ns, max(checkpoint_id) FROM checkpoints WHERE thread_id = $1 GROUP BY checkpoint_ns`;
      await c.query(`DELETE FROM checkpoint_writes WHERE thread_id = $1 AND (checkpoint_ns, checkpoint_id) NOT IN (${latest})`, [threadId]);
      await c.query(`DELETE FROM checkpoints WHERE thread_id = $1 AND (checkpoint_ns, checkpoint_id) NOT IN (${latest})`, [threadId]);
      await deleteOrphanBlobs(c, threadId);
    });
  }
  async patchLatestMetadata(threadId: string, metadata: Metadata) {
    const r = await this.db.query(
      `UPDATE checkpoints SET metadata = metadata || $2::jsonb WHERE (thread_id, checkpoint_ns, checkpoint_id) =
         (SELECT thread_id, checkpoint_ns, checkpoint_id FROM checkpoints WHERE thread_id = $1 AND checkpoint_ns = '' ORDER BY checkpoint_id DESC LIMIT 1)`,
      [threadId, JSON.stringify(metadata)],
    );
    return (r.rowCount ?? 0) > 0;
  }
  async clear() {
    await this.db.query("TRUNCATE checkpoints, checkpoint_blobs, checkpoint_writes");
  }
}

/** What a change event carries on the bus: its fields, routed by `id` (the run, or the thread). */
function toMessage(event: ChangeEvent): BusMessage {
  const { type: _type, ...fields } = event;
  return { id: "run_id" in event ? event.run_id : "cron_id" in event ? event.cron_id : event.thread_id, ...fields };
}
function fromMessage(topic: ChangeTopic, message: BusMessage): ChangeEvent {
  const { id: _id, ...fields } = message;
  return { type: topic, ...fields } as ChangeEvent;
}

class PgChangeFeed implements ChangeFeed {
  constructor(private readonly bus: NotifyBus) {}

  publish(event: ChangeEvent) {
    return this.bus.publish(event.type, toMessage(event));
  }
  subscribe<K extends ChangeTopic>(topic: K, handler: (event: Extract<ChangeEvent, { type: K }>) => void) {
    return this.bus.subscribe(topic, (m) => handler(fromMessage(topic, m) as Extract<ChangeEvent, { type: K }>));
  }
  onResync(handler: () => void) {
    return this.bus.onResync(handler);
  }
}

/**
 * Stream events in lgdev_run_events. One process executes a run (its claim), so the next seq is counted here; each
 * append is one statement that inserts the row and notifies `run_event` (delivered once it commits). Appends of one
 * run are chained so they land in order even when the caller does not await each.
 */
class PgRunEventLog implements RunEventLog {
  readonly shared = true;
  /** The last seq of runs this process appends to (at most MAX_TRACKED idle ones kept; others are re-read). */
  private readonly next = new Map<string, { seq: number | undefined; pending: number; tail: Promise<unknown> }>();
  private static readonly MAX_TRACKED = 2000;

  constructor(
    private readonly db: Database,
    private readonly schema: string,
  ) {}

  append(runId: string, threadId: string, event: string, data: unknown): Promise<number> {
    let state = this.next.get(runId);
    if (!state) {
      // A run this process has not appended to yet usually has no events (it has just claimed it): counting from 0
      // saves reading the last seq; when events exist after all, the insert's 23505 makes it read them below.
      this.next.set(runId, (state = { seq: 0, pending: 0, tail: Promise.resolve() }));
      this.evict();
    }
    const s = state;
    s.pending++;
    const insert = async (): Promise<number> => {
      if (s.seq === undefined) {
        const r = await this.db.query<{ n: number | null }>("SELECT max(seq) AS n FROM lgdev_run_events WHERE run_id = $1", [runId]);
        s.seq = r.rows[0]?.n ?? 0;
      }
      const seq = s.seq + 1;
      await this.db.query(
        named(`WITH ins AS (INSERT INTO lgdev_run_events (run_id, seq, thread_id, event, data) VALUES ($1, $2, $3, $4, $5) RETURNING seq)
         SELECT pg_notify($6, json_build_object('id', $1::text, 'run_id', $1::text, 'seq', seq, 'thread_id', $3::text)::text) FROM ins`),
        [runId, seq, threadId, event, JSON.stringify(data) ?? "null", channelOf(this.schema, "run_event")],
      );
      s.seq = seq;
      return seq;
    };
    const result = s.tail.then(async () => {
      try {
        for (let attempt = 1; ; attempt++) {
          try {
            return await insert();
          } catch (err) {
            // Another process appended to this log (ended the run after a takeover; a thread's state log has writers
            // in every process): count on from what is stored.
            if ((err as { code?: string }).code !== "23505" || attempt >= 8) throw err;
            s.seq = undefined;
          }
        }
      } finally {
        s.pending--;
      }
    });
    s.tail = result.catch(() => undefined);
    return result;
  }
  /** Forget the oldest idle runs beyond MAX_TRACKED (their next append reads the last seq from the table). */
  private evict(): void {
    if (this.next.size <= PgRunEventLog.MAX_TRACKED) return;
    for (const [id, st] of this.next) {
      if (this.next.size <= PgRunEventLog.MAX_TRACKED / 2) break;
      if (st.pending === 0) this.next.delete(id);
    }
  }
  async read(runId: string, afterSeq = 0): Promise<StoredRunEvent[]> {
    const r = await this.db.query<{ seq: number; event: string; data: unknown }>("SELECT seq, event, data FROM lgdev_run_events WHERE run_id = $1 AND seq > $2 ORDER BY seq", [
      runId,
      afterSeq,
    ]);
    return r.rows;
  }
  async drop(runId: string) {
    this.next.delete(runId);
    await this.db.query("DELETE FROM lgdev_run_events WHERE run_id = $1", [runId]);
  }
  /** Delete the events nobody may read any more (trim.ts); the backend does it every 30 s. */
  trim(options?: Partial<TrimOptions>): Promise<number | undefined> {
    return trimRunEvents(this.db, options);
  }
}

/** The run columns a claim returns, plus its lease. */
const CLAIM_RETURNING = `${RUN_COLUMNS.split(", ")
  .map((c) => `r.${c}`)
  .join(", ")}, r.lease_until`;

class PgRunQueue implements RunQueue {
  constructor(private readonly db: Database) {}

  async claim(workerId: string, opts: { leaseMs: number; skipThreads?: ReadonlySet<string> }) {
    return this.claimWhere(workerId, opts.leaseMs, [...(opts.skipThreads ?? [])]);
  }
  async claimRun(runId: string, workerId: string, opts: { leaseMs: number }) {
    return this.claimWhere(workerId, opts.leaseMs, [], runId);
  }

  /**
   * One statement: pick the oldest due pending run (of `runId` only, when given) whose thread runs nothing and has
   * no older due pending run, skipping rows another claimer has locked, and mark it running with a lease. Two
   * claimers that picked two runs of one thread at once: the unique index refuses the second (23505), which then
   * tries again without that thread.
   */
  private async claimWhere(workerId: string, leaseMs: number, skip: string[], runId?: string): Promise<RunClaim | undefined> {
    for (let attempt = 0; attempt < 8; attempt++) {
      try {
        const r = await this.db.query(
          named(`WITH c AS (
             SELECT r.run_id FROM lgdev_runs r
             WHERE r.status = 'pending' AND (r.not_before IS NULL OR r.not_before <= clock_timestamp())
               ${runId === undefined ? "" : "AND r.run_id = $4"}
               AND NOT (r.thread_id = ANY($3::text[]))
               AND NOT EXISTS (SELECT 1 FROM lgdev_runs x WHERE x.thread_id = r.thread_id AND x.status = 'running')
               AND NOT EXISTS (SELECT 1 FROM lgdev_runs y WHERE y.thread_id = r.thread_id AND y.status = 'pending'
                               AND (y.not_before IS NULL OR y.not_before <= clock_timestamp()) AND (y.created_at, y.seq) < (r.created_at, r.seq))
             ORDER BY r.created_at, r.seq
             LIMIT 1
             FOR UPDATE SKIP LOCKED
           )
           UPDATE lgdev_runs r SET status = 'running', updated_at = date_trunc('milliseconds', clock_timestamp()), claimed_by = $1,
             lease_until = clock_timestamp() + $2 * interval '1 millisecond', heartbeat_at = clock_timestamp()
           FROM c WHERE r.run_id = c.run_id AND r.status = 'pending'
           RETURNING ${CLAIM_RETURNING}`),
          runId === undefined ? [workerId, leaseMs, skip] : [workerId, leaseMs, skip, runId],
        );
        const row = r.rows[0];
        if (!row) return undefined;
        return { run: runOf(row), workerId, leaseUntil: (row.lease_until as Date).toISOString() };
      } catch (err) {
        const e = err as { code?: string; constraint?: string; detail?: string };
        if (e.code !== "23505" || e.constraint !== "lgdev_runs_one_running") throw err;
        // Another claimer started a run of that thread first. Which thread: the detail names it.
        const thread = /\(thread_id\)=\((.*)\)/.exec(e.detail ?? "")?.[1];
        if (thread === undefined || runId !== undefined) return undefined;
        skip.push(thread);
      }
    }
    return undefined;
  }

  async heartbeat(workerId: string, runIds: readonly string[], leaseMs: number) {
    if (runIds.length === 0) return [];
    const r = await this.db.query<{ run_id: string }>(
      `UPDATE lgdev_runs SET lease_until = clock_timestamp() + $3 * interval '1 millisecond', heartbeat_at = clock_timestamp()
       WHERE run_id = ANY($2::text[]) AND claimed_by = $1 AND status = 'running' RETURNING run_id`,
      [workerId, [...runIds], leaseMs],
    );
    return r.rows.map((row) => row.run_id);
  }
  async release(runId: string, workerId: string, final: Partial<Omit<RunRecord, "run_id" | "thread_id">>) {
    // One statement: only while this worker still holds the claim.
    const p = new Params();
    p.add(runId);
    p.add(workerId);
    const set = setClause(final, RUN_WRITE, p);
    const r = await this.db.query(named(`UPDATE lgdev_runs SET ${set ? `${set}, ` : ""}lease_until = NULL WHERE run_id = $1 AND claimed_by = $2 AND status = 'running'`), p.values);
    return (r.rowCount ?? 0) > 0;
  }
  async expired(now?: string) {
    const r = await this.db.query(
      `SELECT ${RUN_COLUMNS} FROM lgdev_runs WHERE status = 'running' AND lease_until < COALESCE($1::timestamptz, clock_timestamp()) ORDER BY created_at, seq`,
      [now ?? null],
    );
    return r.rows.map(runOf);
  }
}

/** A write of a transaction not sent yet: its statement, and which row it writes. */
interface PendingWrite {
  row: string;
  sql: string;
  values: unknown[];
}

/**
 * Send a transaction's pending writes, in order: in one statement (each write a data-modifying WITH query, their
 * parameters renumbered) when they write distinct rows; one after the other when a row is written twice (a
 * statement may not change one row twice). Foreign keys are checked at the end of the statement, so a run
 * written beside its new thread finds it.
 */
async function flushWrites(c: Queryable, writes: PendingWrite[]): Promise<void> {
  if (writes.length === 1 || new Set(writes.map((w) => w.row)).size < writes.length) {
    for (const w of writes) await c.query(w.sql, w.values);
    return;
  }
  const values: unknown[] = [];
  const parts = writes.map((w, i) => {
    const offset = values.length;
    values.push(...w.values);
    return `w${i} AS (${w.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`)})`;
  });
  await c.query(`WITH ${parts.join(", ")} SELECT 1`, values);
}

const NO_DURABILITY_WORK: DurabilityPort = {
  hasPending: false,
  flushPending() {},
  whenFlushed: () => Promise.resolve(),
  flush: () => Promise.resolve(),
};

/** StorageBackend on PostgreSQL (see the top of this file). Build it on an open layer (index.ts openPostgres). */
export class PostgresBackend implements StorageBackend {
  readonly kind = "postgres";
  readonly assistants: PgAssistants;
  readonly threads: PgThreads;
  readonly runs: PgRuns;
  readonly crons: PgCrons;
  readonly store: PgStore;
  readonly checkpoints: PgCheckpoints;
  readonly runEvents: PgRunEventLog;
  readonly changes: PgChangeFeed;
  readonly queue: PgRunQueue;
  readonly durability = NO_DURABILITY_WORK;
  private readonly db: Database;
  private closing?: Promise<void>;
  private readonly trimTimer: NodeJS.Timeout;

  constructor(readonly layer: PostgresLayer) {
    const db = (this.db = layer.db);
    this.assistants = new PgAssistants(db);
    this.threads = new PgThreads(db);
    this.runs = new PgRuns(db);
    this.crons = new PgCrons(db);
    this.store = new PgStore(db);
    this.checkpoints = new PgCheckpoints(db, layer.checkpointer);
    this.runEvents = new PgRunEventLog(db, db.schema);
    this.changes = new PgChangeFeed(layer.bus);
    this.queue = new PgRunQueue(db);
    // Stream events of ended runs go once nobody may read them (a failed trim, e.g. while the database is down, is
    // retried at the next tick).
    this.trimTimer = setInterval(() => void this.runEvents.trim().catch(() => undefined), TRIM_DEFAULTS.everyMs);
    this.trimTimer.unref();
  }

  transaction<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T> {
    return this.db.transaction(async (c) => {
      // The first read of a thread, or of a thread's runs, locks the thread's row until commit: transactions on one
      // thread run one after the other.
      const locked = new Set<string>();
      // Writes wait for the next read or the commit, and then travel together in one statement (one round trip).
      const writes: PendingWrite[] = [];
      const flush = async () => {
        if (writes.length > 0) await flushWrites(c, writes.splice(0));
      };
      const lockThread = async (id: string) => {
        if (locked.has(id)) return;
        locked.add(id);
        await c.query(named("SELECT 1 FROM lgdev_threads WHERE thread_id = $1 FOR UPDATE"), [id]);
      };
      const tx: StorageTx = {
        threads: {
          get: async (id) => {
            await flush();
            locked.add(id);
            const r = await c.query(named(`SELECT ${THREAD_COLUMNS} FROM lgdev_threads WHERE thread_id = $1 FOR UPDATE`), [id]);
            return r.rows[0] ? threadOf(r.rows[0]) : undefined;
          },
          put: async (t) => void writes.push({ row: `thread:${t.thread_id}`, sql: SQL.upsertThread, values: threadParams(t) }),
        },
        runs: {
          get: async (id) => {
            await flush();
            return getRun(c, id, true);
          },
          put: async (r) => void writes.push({ row: `run:${r.run_id}`, sql: SQL.upsertRun, values: runParams(r) }),
          listByStatus: async (statuses, threadId) => {
            await flush();
            if (threadId !== undefined) await lockThread(threadId);
            return runsByStatus(c, statuses, threadId, true);
          },
        },
      };
      const result = await fn(tx);
      await flush();
      return result;
    });
  }

  async counts(): Promise<StorageCounts> {
    const r = await this.db.query<Record<keyof StorageCounts, string>>(
      `SELECT (SELECT count(*) FROM lgdev_assistants) AS assistants, (SELECT count(*) FROM lgdev_threads) AS threads,
              (SELECT count(*) FROM lgdev_runs) AS runs, (SELECT count(*) FROM lgdev_crons) AS crons,
              (SELECT count(*) FROM store) AS store, (SELECT count(*) FROM checkpoints) AS checkpoints`,
    );
    const row = r.rows[0]!;
    return {
      assistants: Number(row.assistants),
      threads: Number(row.threads),
      runs: Number(row.runs),
      crons: Number(row.crons),
      store: Number(row.store),
      checkpoints: Number(row.checkpoints),
    };
  }

  close(): Promise<void> {
    clearInterval(this.trimTimer);
    this.closing ??= this.layer.close();
    return this.closing;
  }
}

/** Connect, migrate, listen, and build the backend (closing the backend closes the layer). */
export async function openPostgresBackend(options: PostgresOptions): Promise<PostgresBackend> {
  return new PostgresBackend(await openPostgres(options));
}
