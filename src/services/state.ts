import { toWire } from "./util.js";

/** A checkpoint reference as the API shows it. */
export interface CheckpointRef {
  thread_id: string;
  checkpoint_ns: string;
  checkpoint_id: string;
  checkpoint_map?: Record<string, unknown> | null;
}

/** The thread state shape of the API: `{values, next, tasks, metadata, created_at, checkpoint, parent_checkpoint}`. */
export interface ThreadState {
  values: unknown;
  next: string[];
  tasks: unknown[];
  metadata: unknown;
  created_at: string | null;
  checkpoint: CheckpointRef | null;
  parent_checkpoint: CheckpointRef | null;
  interrupts?: unknown[];
}

type AnyConfig = { configurable?: Record<string, unknown> } | undefined | null;

/** `config.configurable` -> checkpoint reference (null when it names no checkpoint). */
export function configToCheckpoint(config: AnyConfig): CheckpointRef | null {
  const c = config?.configurable;
  if (!c || typeof c.thread_id !== "string" || typeof c.checkpoint_id !== "string") return null;
  return {
    thread_id: c.thread_id,
    checkpoint_ns: (c.checkpoint_ns as string) || "",
    checkpoint_id: c.checkpoint_id,
    checkpoint_map: (c.checkpoint_map as Record<string, unknown>) ?? null,
  };
}

/** Checkpoint reference of a task's config (a subgraph task may have no checkpoint id yet). */
function taskCheckpoint(config: AnyConfig): CheckpointRef | null {
  const c = config?.configurable;
  if (!c || typeof c.thread_id !== "string") return null;
  return {
    thread_id: c.thread_id,
    checkpoint_ns: (c.checkpoint_ns as string) || "",
    checkpoint_id: (c.checkpoint_id as string) ?? null,
    checkpoint_map: (c.checkpoint_map as Record<string, unknown>) ?? null,
  } as CheckpointRef;
}

interface SnapshotLike {
  values: unknown;
  next: string[];
  tasks: Array<{ id: string; name: string; error?: unknown; interrupts?: unknown[]; path?: unknown; state?: unknown; result?: unknown }>;
  metadata?: unknown;
  createdAt?: string;
  config?: AnyConfig;
  parentConfig?: AnyConfig;
}

const isSnapshot = (s: unknown): s is SnapshotLike => typeof s === "object" && s !== null && "values" in s && "next" in s;

/** LangGraph's StateSnapshot -> the API's thread state (plain JSON, messages flattened). */
export function snapshotToState(snapshot: SnapshotLike): ThreadState {
  return toWire<ThreadState>({
    values: snapshot.values ?? {},
    next: snapshot.next ?? [],
    tasks: (snapshot.tasks ?? []).map((t) => ({
      id: t.id,
      name: t.name,
      error: t.error == null ? null : t.error instanceof Error ? t.error.message : String((t.error as { message?: string }).message ?? t.error),
      interrupts: t.interrupts ?? [],
      path: t.path ?? null,
      checkpoint: isSnapshot(t.state) ? null : taskCheckpoint(t.state as AnyConfig),
      state: isSnapshot(t.state) ? snapshotToState(t.state) : null,
      result: t.result ?? null,
    })),
    metadata: snapshot.metadata ?? {},
    created_at: snapshot.createdAt ?? null,
    checkpoint: configToCheckpoint(snapshot.config),
    parent_checkpoint: configToCheckpoint(snapshot.parentConfig),
    interrupts: (snapshot.tasks ?? []).flatMap((t) => t.interrupts ?? []),
  });
}

/** The state of a thread that has never run. */
export function emptyState(): ThreadState {
  return { values: {}, next: [], tasks: [], metadata: {}, created_at: null, checkpoint: null, parent_checkpoint: null, interrupts: [] };
}

/** Interrupts of a state, keyed by task id (the thread record's `interrupts`). */
export function interruptsByTask(state: ThreadState): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const t of state.tasks as Array<{ id: string; interrupts?: unknown[] }>) {
    if (t.interrupts && t.interrupts.length > 0) out[t.id] = t.interrupts;
  }
  return out;
}
