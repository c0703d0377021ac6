/**
 * Rows of lg-dev's tables to and from the records of src/storage/types.ts. Columns are selected with the lists
 * below; json columns that may be absent (SQL NULL) are selected as text so that an absent field and a JSON null
 * stay apart. Timestamps are written as the record's ISO strings and read back with toISOString().
 */
import type { AssistantRecord, AssistantVersionRecord, CronRecord, RunRecord, StoreItemRecord, ThreadRecord } from "../types.js";
import { jsonParam } from "./sql.js";

type Row = Record<string, unknown>;

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));
/** A json column selected as text: SQL NULL is `undefined`, anything else its parsed value. */
const parseText = (v: unknown): unknown => (v === null || v === undefined ? undefined : JSON.parse(v as string));

export const ASSISTANT_COLUMNS = "assistant_id, graph_id, config, context, metadata, name, description, version, created_at, updated_at";
export const VERSION_COLUMNS = "assistant_id, graph_id, config, context, metadata, name, description, version, created_at";
export const THREAD_COLUMNS = `thread_id, created_at, updated_at, metadata, status, config, "values"::text AS values_text, interrupts, error::text AS error_text, ttl::text AS ttl_text`;
export const RUN_COLUMNS = "run_id, thread_id, assistant_id, created_at, updated_at, status, metadata, kwargs, multitask_strategy, not_before";
export const CRON_COLUMNS =
  "cron_id, assistant_id, thread_id, schedule, payload, metadata, user_id, end_time, next_run_date, enabled, on_run_completed, timezone, auth::text AS auth_text, created_at, updated_at";
export const STORE_COLUMNS = "namespace_path, key, value, created_at, updated_at, expires_at, ttl_minutes, vectors::text AS vectors_text";

export function assistantOf(r: Row): AssistantRecord {
  return { ...versionOf(r), updated_at: iso(r.updated_at) };
}

export function versionOf(r: Row): AssistantVersionRecord {
  return {
    assistant_id: r.assistant_id as string,
    graph_id: r.graph_id as string,
    config: r.config as Record<string, unknown>,
    context: r.context as Record<string, unknown>,
    metadata: r.metadata as Record<string, unknown>,
    name: r.name as string,
    description: (r.description as string | null) ?? null,
    version: r.version as number,
    created_at: iso(r.created_at),
  };
}

export function threadOf(r: Row): ThreadRecord {
  const t: ThreadRecord = {
    thread_id: r.thread_id as string,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
    metadata: r.metadata as Record<string, unknown>,
    status: r.status as ThreadRecord["status"],
    config: r.config as Record<string, unknown>,
    values: parseText(r.values_text),
    interrupts: r.interrupts as Record<string, unknown[]>,
  };
  const error = parseText(r.error_text);
  if (error !== undefined) t.error = error;
  const ttl = parseText(r.ttl_text);
  if (ttl !== undefined) t.ttl = ttl as ThreadRecord["ttl"];
  return t;
}

export function runOf(r: Row): RunRecord {
  const run: RunRecord = {
    run_id: r.run_id as string,
    thread_id: r.thread_id as string,
    assistant_id: r.assistant_id as string,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
    status: r.status as RunRecord["status"],
    metadata: r.metadata as Record<string, unknown>,
    kwargs: r.kwargs as RunRecord["kwargs"],
    multitask_strategy: r.multitask_strategy as RunRecord["multitask_strategy"],
  };
  if (r.not_before !== null && r.not_before !== undefined) run.not_before = iso(r.not_before);
  return run;
}

export function cronOf(r: Row): CronRecord {
  const auth = parseText(r.auth_text);
  return {
    cron_id: r.cron_id as string,
    assistant_id: r.assistant_id as string,
    thread_id: (r.thread_id as string | null) ?? null,
    schedule: r.schedule as string,
    payload: r.payload as Record<string, unknown>,
    metadata: r.metadata as Record<string, unknown>,
    user_id: (r.user_id as string | null) ?? null,
    end_time: isoOrNull(r.end_time),
    next_run_date: isoOrNull(r.next_run_date),
    enabled: r.enabled as boolean,
    on_run_completed: (r.on_run_completed as string | null) ?? null,
    timezone: (r.timezone as string | null) ?? null,
    auth: (auth as CronRecord["auth"]) ?? null,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

/**
 * Store items live in the official PostgresStore's `store` table: the namespace is its labels joined with ":"
 * (`namespace_path`), as the official store writes it.
 */
export const NAMESPACE_SEPARATOR = ":";
export const namespacePath = (namespace: readonly string[]): string => namespace.join(NAMESPACE_SEPARATOR);

export function storeItemOf(r: Row): StoreItemRecord {
  const item: StoreItemRecord = {
    namespace: (r.namespace_path as string).split(NAMESPACE_SEPARATOR),
    key: r.key as string,
    value: r.value as Record<string, unknown>,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
    expires_at: isoOrNull(r.expires_at),
    ttl_minutes: r.ttl_minutes === null || r.ttl_minutes === undefined ? null : Number(r.ttl_minutes),
  };
  const vectors = parseText(r.vectors_text);
  if (vectors !== undefined) item.vectors = vectors as number[][];
  return item;
}

/** Parameters of an upsert of `record` into columns `cols` (json columns stringified). */
export function rowValues(record: Record<string, unknown>, cols: readonly string[], jsonCols: ReadonlySet<string>): unknown[] {
  return cols.map((c) => {
    const v = record[c];
    if (jsonCols.has(c)) return jsonParam(v);
    return v === undefined ? null : v;
  });
}

/** `INSERT INTO table (cols) VALUES (...) ON CONFLICT (key) DO UPDATE SET every other column`. */
export function upsertSql(table: string, cols: readonly string[], key: readonly string[], onConflict: "update" | "nothing" = "update"): string {
  const quoted = cols.map((c) => (c === "values" ? '"values"' : c));
  const placeholders = cols.map((_, i) => `$${i + 1}`);
  const conflict =
    onConflict === "nothing"
      ? "DO NOTHING"
      : `DO UPDATE SET ${quoted
          .filter((_, i) => !key.includes(cols[i]!))
          .map((c) => `${c} = EXCLUDED.${c}`)
          .join(", ")}`;
  return `INSERT INTO ${table} (${quoted.join(", ")}) VALUES (${placeholders.join(", ")}) ON CONFLICT (${key.join(", ")}) ${conflict}`;
}

export const ASSISTANT_WRITE = ["assistant_id", "graph_id", "config", "context", "metadata", "name", "description", "version", "created_at", "updated_at"] as const;
export const VERSION_WRITE = ["assistant_id", "version", "graph_id", "config", "context", "metadata", "name", "description", "created_at"] as const;
export const THREAD_WRITE = ["thread_id", "created_at", "updated_at", "metadata", "status", "config", "values", "interrupts", "error", "ttl"] as const;
export const RUN_WRITE = ["run_id", "thread_id", "assistant_id", "created_at", "updated_at", "status", "metadata", "kwargs", "multitask_strategy", "not_before"] as const;
export const CRON_WRITE = [
  "cron_id",
  "assistant_id",
  "thread_id",
  "schedule",
  "payload",
  "metadata",
  "user_id",
  "end_time",
  "next_run_date",
  "enabled",
  "on_run_completed",
  "timezone",
  "auth",
  "created_at",
  "updated_at",
] as const;
export const JSON_COLUMNS = new Set(["config", "context", "metadata", "values", "interrupts", "error", "kwargs", "payload", "auth", "ttl"]);
