/**
 * A thread's checkpoints as a timeline (newest first, as `POST /threads/{id}/history` returns them): the step, the
 * node(s) that produced each one (the tasks its parent checkpoint had pending: LangGraph no longer writes `writes`
 * into the metadata), when, and what it waits for.
 */
export interface CheckpointLike {
  values?: unknown;
  next?: string[];
  checkpoint?: { checkpoint_id?: string | null; checkpoint_ns?: string | null } | null;
  parent_checkpoint?: { checkpoint_id?: string | null } | null;
  metadata?: Record<string, unknown> | null;
  created_at?: string | null;
  tasks?: Array<{ name: string; error?: string | null; interrupts?: unknown[] }>;
}

export interface TimelineEntry {
  checkpointId: string;
  parentId?: string;
  step: number | undefined;
  source: string;
  /** Who wrote this checkpoint: node names, `input` for a run's input, `update` for a state update (fork). */
  nodes: string[];
  next: string[];
  time: string | undefined;
  interrupted: boolean;
  error: boolean;
  /** Is the newest checkpoint of the thread. */
  head: boolean;
}

export function timeline<T extends CheckpointLike>(states: T[]): Array<TimelineEntry & { state: T }> {
  const byId = new Map<string, T>();
  for (const s of states) if (s.checkpoint?.checkpoint_id) byId.set(s.checkpoint.checkpoint_id, s);
  return states
    .filter((s) => s.checkpoint?.checkpoint_id)
    .map((s, i) => {
      const meta = s.metadata ?? {};
      const source = typeof meta.source === "string" ? meta.source : "loop";
      const parentId = s.parent_checkpoint?.checkpoint_id ?? undefined;
      const parent = parentId ? byId.get(parentId) : undefined;
      const writes = meta.writes && typeof meta.writes === "object" ? Object.keys(meta.writes as object) : [];
      let nodes: string[];
      if (source === "input") nodes = ["input"];
      else if (source === "update" || source === "fork") nodes = writes.length > 0 ? writes : [source];
      else if (writes.length > 0) nodes = writes;
      else nodes = parent ? (parent.tasks?.map((t) => t.name) ?? parent.next ?? []) : [];
      return {
        checkpointId: s.checkpoint!.checkpoint_id!,
        ...(parentId ? { parentId } : {}),
        step: typeof meta.step === "number" ? meta.step : undefined,
        source,
        nodes: nodes.map((n) => (n === "__start__" ? "input" : n)),
        next: s.next ?? [],
        time: s.created_at ?? undefined,
        interrupted: (s.tasks ?? []).some((t) => (t.interrupts ?? []).length > 0),
        error: (s.tasks ?? []).some((t) => t.error != null),
        head: i === 0,
        state: s,
      };
    });
}

/** `12:03:04.120` in local time (the list is about one working session; the full date is in the tooltip). */
export function shortTime(iso: string | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** Duration between two ISO times, for run lists: `850 ms`, `2.4 s`, `3 min 5 s`. */
export function duration(from: string | undefined, to: string | undefined): string {
  if (!from || !to) return "";
  const ms = new Date(to).getTime() - new Date(from).getTime();
  if (!Number.isFinite(ms) || ms < 0) return "";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
