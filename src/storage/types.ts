/** Records as stored: plain JSON, snake_case, timestamps as ISO strings — the same shapes the API returns. */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Metadata = Record<string, unknown>;

export interface AssistantRecord {
  assistant_id: string;
  graph_id: string;
  config: Record<string, unknown>;
  context: Record<string, unknown>;
  metadata: Metadata;
  name: string;
  description: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

/** One version of an assistant (PATCH makes a new one; `latest` picks which is current). */
export type AssistantVersionRecord = Omit<AssistantRecord, "updated_at">;

/** A thread's statuses (also the API's: its schemas list these). */
export const THREAD_STATUSES = ["idle", "busy", "interrupted", "error"] as const;
export type ThreadStatus = (typeof THREAD_STATUSES)[number];

export interface ThreadRecord {
  thread_id: string;
  created_at: string;
  updated_at: string;
  metadata: Metadata;
  status: ThreadStatus;
  config: Record<string, unknown>;
  values: unknown;
  interrupts: Record<string, unknown[]>;
  /** The last run's error, when status is "error". */
  error?: unknown;
  /** Its own time-to-live (POST/PATCH /threads `ttl`), counted from `updated_at`; absent: langgraph.json's default. */
  ttl?: { strategy: "delete" | "keep_latest"; ttl_minutes: number } | null;
}

/** A run's statuses (also the API's: its schemas list these). */
export const RUN_STATUSES = ["pending", "running", "success", "error", "interrupted", "timeout"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** What a new run does to the runs already pending or running on its thread. */
export const MULTITASK_STRATEGIES = ["reject", "interrupt", "rollback", "enqueue"] as const;
export type MultitaskStrategy = (typeof MULTITASK_STRATEGIES)[number];

/** Everything needed to execute a run, kept with it so a queued run can start later (or after a restart). */
export interface RunKwargs {
  input?: unknown;
  command?: { resume?: unknown; update?: unknown; goto?: unknown } | null;
  config: { configurable: Record<string, unknown>; tags?: string[]; recursion_limit?: number; [k: string]: unknown };
  context?: unknown;
  stream_mode: string[];
  stream_subgraphs: boolean;
  stream_resumable: boolean;
  interrupt_before?: string[] | "*";
  interrupt_after?: string[] | "*";
  checkpoint_id?: string;
  checkpoint?: Record<string, unknown>;
  webhook?: string;
  on_disconnect?: "continue" | "cancel";
  /** Stateless run: delete the thread afterwards. */
  temporary: boolean;
  feedback_keys?: string[];
  /** When checkpoints are written: every step (sync/async) or only at exit. */
  durability?: "sync" | "async" | "exit";
  /** Which attempt at the run this is (absent: the first); a run handed back at a shutdown is attempted again. */
  attempt?: number;
}

export interface RunRecord {
  run_id: string;
  thread_id: string;
  assistant_id: string;
  created_at: string;
  updated_at: string;
  status: RunStatus;
  metadata: Metadata;
  kwargs: RunKwargs;
  multitask_strategy: MultitaskStrategy;
  /** Not before this time (after_seconds). */
  not_before?: string;
}

/** A stored checkpoint, serialised with the graph's serde (`type` + payload: utf-8 JSON text or base64). */
export interface CheckpointRecord {
  thread_id: string;
  checkpoint_ns: string;
  checkpoint_id: string;
  parent_checkpoint_id?: string;
  checkpoint: [string, string];
  metadata: [string, string];
  /** Encoding of the payload strings: "utf8" or "base64". */
  enc: "utf8" | "base64";
}

export interface WriteRecord {
  thread_id: string;
  checkpoint_ns: string;
  checkpoint_id: string;
  task_id: string;
  idx: number;
  channel: string;
  value: [string, string];
  enc: "utf8" | "base64";
  task_path?: string;
}

export interface StoreItemRecord {
  namespace: string[];
  key: string;
  value: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  expires_at?: string | null;
  ttl_minutes?: number | null;
  /** Embeddings of the indexed texts (store.index), one per text; never served by the API. */
  vectors?: number[][];
}

export interface CronRecord {
  cron_id: string;
  assistant_id: string;
  thread_id: string | null;
  schedule: string;
  payload: Record<string, unknown>;
  metadata: Metadata;
  user_id: string | null;
  end_time: string | null;
  next_run_date: string | null;
  enabled: boolean;
  on_run_completed?: string | null;
  /** IANA timezone the schedule is read in (UTC when null). */
  timezone?: string | null;
  /** Who created the cron: scheduled runs act as this user. Internal, never returned by the API. */
  auth?: { user: Record<string, unknown>; permissions: string[] } | null;
  created_at: string;
  updated_at: string;
}
