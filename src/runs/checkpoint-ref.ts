/** Checkpoint references as the API and stream events show them, from a LangGraph config. */

/** A checkpoint reference as the API shows it. */
export interface CheckpointRef {
  thread_id: string;
  checkpoint_ns: string;
  checkpoint_id: string | null;
  checkpoint_map: Record<string, unknown> | null;
}

export type AnyConfig = { configurable?: Record<string, unknown> } | undefined | null;

/** `config.configurable` -> checkpoint reference (null when it names no checkpoint). */
export function configToCheckpoint(config: AnyConfig): CheckpointRef | null {
  const c = config?.configurable;
  if (!c || typeof c.thread_id !== "string" || !c.thread_id || typeof c.checkpoint_id !== "string") return null;
  return {
    thread_id: c.thread_id,
    checkpoint_id: c.checkpoint_id,
    checkpoint_ns: (c.checkpoint_ns as string) || "",
    checkpoint_map: (c.checkpoint_map as Record<string, unknown>) || null,
  };
}

/** Checkpoint reference of a task's config, as `debug` and `tasks` events show it (a subgraph task may have no id yet). */
export function taskConfigToCheckpoint(config: AnyConfig): CheckpointRef | null {
  const c = config?.configurable;
  if (!c || typeof c.thread_id !== "string" || !c.thread_id) return null;
  return {
    thread_id: c.thread_id,
    checkpoint_id: (c.checkpoint_id as string) || null,
    checkpoint_ns: (c.checkpoint_ns as string) || "",
    checkpoint_map: (c.checkpoint_map as Record<string, unknown>) || null,
  };
}
