/**
 * What a thread's stream (GET /threads/{id}/stream) carries besides the events of its runs: `lifecycle` events when
 * a run starts and ends, and `state_update` events when the thread's state changes. The official JS server has no
 * thread stream; the platform documents these modes as "run start/end events" and "state update events", and the
 * data follows the SDK's LifecycleStreamEvent (`{event, namespace}`) with the run named.
 */

/** How a run ended, for the thread stream's closing `lifecycle` event. */
export interface RunEnd {
  status: string;
  /** The run stopped at an interrupt (a question to the user) rather than finishing. */
  interrupted?: boolean;
  error?: unknown;
}

/** One event of a thread stream. Run events carry `<run_id>:<n>` ids, so `Last-Event-ID` can resume them. */
export interface ThreadEvent {
  id?: string;
  event: string;
  data: unknown;
}

/** A run event as the thread stream shows it: the event itself, preceded or followed by what it means for the thread. */
export function threadEventsOf(runId: string, e: { id: number; event: string; data: unknown }): ThreadEvent[] {
  const id = `${runId}:${e.id}`;
  const own: ThreadEvent = { id, event: e.event, data: e.data };
  if (e.event === "metadata") return [{ id, event: "lifecycle", data: { event: "started", namespace: [], run_id: runId } }, own];
  return [own];
}

/** The closing `lifecycle` event of a run (`nextId`: one past its last event, so resuming after it skips the run). */
export function endEvent(runId: string, nextId: number, how: RunEnd): ThreadEvent {
  const event = how.status === "error" ? "failed" : how.status === "success" && !how.interrupted ? "completed" : "interrupted";
  const data: Record<string, unknown> = { event, namespace: [], run_id: runId, status: how.status };
  if (how.error !== undefined) data.error = how.error;
  return { id: `${runId}:${nextId}`, event: "lifecycle", data };
}
