import { toWire } from "../wire.js";
import { configToCheckpoint, type AnyConfig, type CheckpointRef } from "../runs/checkpoint-ref.js";

export type { CheckpointRef };

/** The thread state shape of the API: `{values, next, tasks, metadata, created_at, checkpoint, parent_checkpoint}`. */
export interface ThreadState {
  values: unknown;
  next: string[];
  tasks: unknown[];
  metadata?: unknown;
  created_at: string | null;
  checkpoint: CheckpointRef | null;
  parent_checkpoint: CheckpointRef | null;
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

/**
 * A pending subgraph task's state is the config to read it with: the thread state shows its `configurable`
 * (`{thread_id, checkpoint_ns}`) without empty keys, so a client can send it back as a `checkpoint` as it is.
 */
function taskCheckpoint(state: unknown): Record<string, unknown> | null {
  const c = (state as AnyConfig)?.configurable;
  if (!c || typeof c !== "object") return null;
  return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== null && v !== undefined));
}

/**
 * A task's error as the official server words it: an Error's message, or else the stored error as JSON (a
 * checkpointed error comes back as `{message, name}`, which the SDK's `useStream` parses into a StreamError).
 */
const errorMessage = (e: unknown): string | null => (e == null ? null : e instanceof Error ? e.message : JSON.stringify(e));

/** LangGraph's StateSnapshot -> the API's thread state (plain JSON, messages flattened), as the official server builds it. */
export function snapshotToState(snapshot: SnapshotLike): ThreadState {
  return toWire<ThreadState>(stateOf(snapshot));
}

function stateOf(snapshot: SnapshotLike): ThreadState {
  return {
    values: snapshot.values ?? {},
    next: snapshot.next ?? [],
    tasks: (snapshot.tasks ?? []).map((t) => ({
      id: t.id,
      name: t.name,
      error: errorMessage(t.error),
      interrupts: t.interrupts ?? [],
      path: t.path ?? null,
      checkpoint: isSnapshot(t.state) ? null : taskCheckpoint(t.state),
      state: isSnapshot(t.state) ? stateOf(t.state) : null,
      result: t.result ?? null,
    })),
    metadata: snapshot.metadata ?? undefined,
    created_at: snapshot.createdAt ?? null,
    checkpoint: configToCheckpoint(snapshot.config),
    parent_checkpoint: configToCheckpoint(snapshot.parentConfig),
  };
}

/** The state of a thread that has never run (no metadata, as the official server answers). */
export function emptyState(): ThreadState {
  return { values: {}, next: [], tasks: [], created_at: null, checkpoint: null, parent_checkpoint: null };
}

/** Interrupts of a state, keyed by task id (the thread record's `interrupts`). */
export function interruptsByTask(state: ThreadState): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const t of state.tasks as Array<{ id: string; interrupts?: unknown[] }>) {
    if (t.interrupts && t.interrupts.length > 0) out[t.id] = t.interrupts;
  }
  return out;
}
