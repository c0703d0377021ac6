/**
 * Time-to-live rules, as LangGraph Platform documents them for langgraph.json:
 *
 * - `checkpointer.ttl` `{strategy, default_ttl, sweep_interval_minutes, sweep_limit}`: a thread whose last activity
 *   (`updated_at`: a run, a state update, a PATCH) is older than its TTL is deleted (`delete`, with its runs and
 *   checkpoints) or pruned to its latest checkpoint (`keep_latest`). A thread's own `ttl` (POST/PATCH /threads)
 *   wins over the default; `default_ttl` applies to every thread without one, as Python's in-memory server does.
 * - `store.ttl` `{default_ttl, refresh_on_read, sweep_interval_minutes}`: an item expires `ttl` minutes after it was
 *   written or (with refresh) last read; `refresh_on_read` (default true) is what a read does when it does not say.
 *
 * Pure: the values are checked here (a ConfigError names the key) and the sweeper (ttl-sweeper.ts) acts on them.
 */
import { ConfigError, ValidationError } from "../errors.js";
import type { ThreadRecord } from "../storage/types.js";

export const THREAD_TTL_STRATEGIES = ["delete", "keep_latest"] as const;
export type ThreadTtlStrategy = (typeof THREAD_TTL_STRATEGIES)[number];

/** A thread's TTL as stored on it (and the default from langgraph.json). */
export interface ThreadTtl {
  strategy: ThreadTtlStrategy;
  ttl_minutes: number;
}

/** `checkpointer.ttl`, checked. */
export interface CheckpointerTtlPolicy {
  /** Applied to threads that did not set their own; undefined: those never expire. */
  defaultTtl?: ThreadTtl;
  /** Minutes between sweeps (the Platform's default: 5). */
  sweepIntervalMinutes: number;
  /** Most threads acted on per sweep (the Platform's default: 1000). */
  sweepLimit: number;
}

/** `store.ttl`, checked. */
export interface StoreTtlPolicy {
  /** Minutes an item lives when its put does not say; undefined: items without a ttl never expire. */
  defaultTtl?: number;
  /** What a get/search does when it does not pass `refresh_ttl` (default true). */
  refreshOnRead: boolean;
  /** Minutes between sweeps; undefined: no sweeping (expired items are still never served). */
  sweepIntervalMinutes?: number;
}

export const DEFAULT_THREAD_SWEEP_MINUTES = 5;
export const DEFAULT_THREAD_SWEEP_LIMIT = 1000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function minutes(value: unknown, key: string, { positive }: { positive: boolean }): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (positive && value === 0)) {
    throw new ConfigError(`langgraph.json: "${key}" must be a ${positive ? "positive" : "non-negative"} number of minutes, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Check `checkpointer.ttl` (undefined when absent: threads expire only by their own ttl, swept every 5 minutes). */
export function resolveCheckpointerTtl(checkpointer: unknown): CheckpointerTtlPolicy {
  const ttl = isObject(checkpointer) ? checkpointer.ttl : undefined;
  if (ttl === undefined || ttl === null) return { sweepIntervalMinutes: DEFAULT_THREAD_SWEEP_MINUTES, sweepLimit: DEFAULT_THREAD_SWEEP_LIMIT };
  if (!isObject(ttl)) throw new ConfigError(`langgraph.json: "checkpointer.ttl" must be an object, got ${JSON.stringify(ttl)}`);
  const strategy = ttl.strategy ?? "delete";
  if (!THREAD_TTL_STRATEGIES.includes(strategy as ThreadTtlStrategy)) {
    throw new ConfigError(`langgraph.json: "checkpointer.ttl.strategy" must be "delete" or "keep_latest", got ${JSON.stringify(strategy)}`);
  }
  const defaultTtl = minutes(ttl.default_ttl, "checkpointer.ttl.default_ttl", { positive: false });
  const limit = ttl.sweep_limit ?? DEFAULT_THREAD_SWEEP_LIMIT;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1) {
    throw new ConfigError(`langgraph.json: "checkpointer.ttl.sweep_limit" must be a positive integer, got ${JSON.stringify(limit)}`);
  }
  return {
    defaultTtl: defaultTtl === undefined ? undefined : { strategy: strategy as ThreadTtlStrategy, ttl_minutes: defaultTtl },
    sweepIntervalMinutes: minutes(ttl.sweep_interval_minutes, "checkpointer.ttl.sweep_interval_minutes", { positive: true }) ?? DEFAULT_THREAD_SWEEP_MINUTES,
    sweepLimit: limit,
  };
}

/** Check `store.ttl`. */
export function resolveStoreTtl(store: unknown): StoreTtlPolicy {
  const ttl = isObject(store) ? store.ttl : undefined;
  if (ttl === undefined || ttl === null) return { refreshOnRead: true };
  if (!isObject(ttl)) throw new ConfigError(`langgraph.json: "store.ttl" must be an object, got ${JSON.stringify(ttl)}`);
  const refresh = ttl.refresh_on_read ?? true;
  if (typeof refresh !== "boolean") throw new ConfigError(`langgraph.json: "store.ttl.refresh_on_read" must be true or false, got ${JSON.stringify(refresh)}`);
  return {
    defaultTtl: minutes(ttl.default_ttl, "store.ttl.default_ttl", { positive: false }),
    refreshOnRead: refresh,
    sweepIntervalMinutes: minutes(ttl.sweep_interval_minutes, "store.ttl.sweep_interval_minutes", { positive: true }),
  };
}

/**
 * A thread's `ttl` as a request sends it: `{strategy?, ttl}` (the SDKs' form; strategy defaults to "delete") or a
 * bare number of minutes; null/absent: none given.
 */
export function parseThreadTtl(value: unknown): ThreadTtl | undefined {
  if (value === undefined || value === null) return undefined;
  const body = typeof value === "number" ? { ttl: value } : value;
  if (!isObject(body)) throw new ValidationError(`ttl must be an object {strategy, ttl} or a number of minutes`);
  const strategy = body.strategy ?? "delete";
  if (!THREAD_TTL_STRATEGIES.includes(strategy as ThreadTtlStrategy)) throw new ValidationError(`ttl.strategy must be "delete" or "keep_latest", got ${JSON.stringify(strategy)}`);
  const ttl = body.ttl;
  if (typeof ttl !== "number" || !Number.isFinite(ttl) || ttl < 0) throw new ValidationError(`ttl.ttl must be a non-negative number of minutes, got ${JSON.stringify(ttl)}`);
  return { strategy: strategy as ThreadTtlStrategy, ttl_minutes: ttl };
}

/** The TTL that applies to a thread: its own, else the default. */
export const effectiveThreadTtl = (thread: ThreadRecord, policy: CheckpointerTtlPolicy): ThreadTtl | undefined => thread.ttl ?? policy.defaultTtl;

/** When a thread expires (ms since the epoch): its last activity plus its TTL. */
export const threadExpiresAt = (thread: ThreadRecord, ttl: ThreadTtl): number => Date.parse(thread.updated_at) + ttl.ttl_minutes * 60_000;

/** A thread as the API shows it: with `ttl: {strategy, ttl_minutes, expires_at}` when one applies (as the Platform). */
export function threadView<T extends Partial<ThreadRecord>>(thread: T, policy: CheckpointerTtlPolicy): T {
  if (thread.updated_at === undefined || thread.thread_id === undefined) return thread;
  const ttl = thread.ttl ?? policy.defaultTtl;
  if (!ttl) return thread;
  return { ...thread, ttl: { ...ttl, expires_at: new Date(threadExpiresAt(thread as ThreadRecord, ttl)).toISOString() } } as T;
}
