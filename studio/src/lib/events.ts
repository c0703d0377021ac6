/**
 * Run events as the Studio shows them: a log of `debug` events (tasks starting, finishing, checkpoints), which nodes
 * are running now, and each node's last update.
 */
import { eventNodeId } from "./graph-model.js";

export interface LogEntry {
  seq: number;
  /** Event name as streamed (`debug`, `debug|child:<task>`, `updates`, `error`…). */
  event: string;
  /** `task`, `task_result`, `checkpoint`, or the event name for non-debug events. */
  type: string;
  /** The node's drawing id (`child:first`), when the event is about one. */
  node?: string;
  /** Its step, when the event says. */
  step?: number;
  data: unknown;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Namespace parts of an event name: `debug|child:<id>` -> `["child:<id>"]`. */
export function eventNamespace(event: string): string[] {
  return event.split("|").slice(1);
}

/** One streamed event as a log entry. */
export function toLogEntry(seq: number, event: string, data: unknown): LogEntry {
  const ns = eventNamespace(event);
  const base = event.split("|")[0]!;
  if (base === "debug" && isObj(data)) {
    const payload = isObj(data.payload) ? data.payload : {};
    const name = typeof payload.name === "string" ? payload.name : undefined;
    return {
      seq,
      event,
      type: typeof data.type === "string" ? data.type : "debug",
      ...(name ? { node: eventNodeId(ns, name) } : {}),
      ...(typeof data.step === "number" ? { step: data.step } : {}),
      data,
    };
  }
  if (base === "updates" && isObj(data)) {
    const names = Object.keys(data).filter((k) => !k.startsWith("__"));
    return { seq, event, type: "updates", ...(names.length === 1 ? { node: eventNodeId(ns, names[0]!) } : {}), data };
  }
  return { seq, event, type: base, data };
}

/** The node names a log mentions (for the filter), in first-seen order. */
export function logNodes(entries: LogEntry[]): string[] {
  const seen: string[] = [];
  for (const e of entries) if (e.node && !seen.includes(e.node)) seen.push(e.node);
  return seen;
}

export function filterLog(entries: LogEntry[], node: string | undefined): LogEntry[] {
  if (!node) return entries;
  return entries.filter((e) => e.node === node || e.node?.startsWith(`${node}:`));
}

/**
 * Running nodes after one event: a `task` debug event (or a `tasks` event without result) starts a task, a
 * `task_result` ends it. Keyed by task id, so the same node running twice in parallel is counted right.
 */
export function applyRunning(running: ReadonlyMap<string, string>, event: string, data: unknown): Map<string, string> {
  const base = event.split("|")[0]!;
  const ns = eventNamespace(event);
  let task: Record<string, unknown> | undefined;
  let done = false;
  if (base === "debug" && isObj(data) && isObj(data.payload)) {
    if (data.type === "task") task = data.payload;
    else if (data.type === "task_result") {
      task = data.payload;
      done = true;
    }
  } else if (base === "tasks" && isObj(data)) {
    task = data;
    done = "result" in data || "error" in data || "interrupts" in data;
  }
  if (!task || typeof task.id !== "string" || typeof task.name !== "string") return running as Map<string, string>;
  const next = new Map(running);
  if (done) next.delete(task.id);
  else next.set(task.id, eventNodeId(ns, task.name));
  return next;
}

/** Last update per node from an `updates` event (`{node: update}`), merged into `last`. */
export function applyUpdates(last: Readonly<Record<string, unknown>>, event: string, data: unknown): Record<string, unknown> {
  if (event.split("|")[0] !== "updates" || !isObj(data)) return last as Record<string, unknown>;
  const ns = eventNamespace(event);
  const next = { ...last };
  for (const [name, update] of Object.entries(data)) {
    if (name.startsWith("__")) continue;
    next[eventNodeId(ns, name)] = update;
  }
  return next;
}

/**
 * A one-line summary without the payload's text (the payload opens on demand): what started, which keys a node
 * wrote, which channels a checkpoint holds.
 */
export function logSummary(e: LogEntry): string {
  const data = isObj(e.data) ? e.data : {};
  const payload = isObj(data.payload) ? data.payload : {};
  if (e.type === "task") return "started";
  if (e.type === "task_result") {
    const result = payload.result;
    const keys = Array.isArray(result) ? result.map((w) => (Array.isArray(w) ? String(w[0]) : "")).filter(Boolean) : isObj(result) ? Object.keys(result) : [];
    const error = payload.error ? " (error)" : "";
    const interrupts = Array.isArray(payload.interrupts) && payload.interrupts.length > 0 ? " (interrupt)" : "";
    return `wrote ${keys.join(", ") || "nothing"}${error}${interrupts}`;
  }
  if (e.type === "checkpoint") {
    const next = Array.isArray(payload.next) ? payload.next.join(", ") : "";
    return next ? `next: ${next}` : "end";
  }
  if (e.type === "updates") {
    const updates = Object.values(data).filter(isObj);
    const keys = updates.flatMap((u) => Object.keys(u));
    return keys.length ? `wrote ${keys.join(", ")}` : "";
  }
  return "";
}
