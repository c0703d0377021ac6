import { type RunEnd, type ThreadEvent, endEvent, threadEventsOf } from "./thread-events.js";

export type { RunEnd, ThreadEvent } from "./thread-events.js";

/** One server-sent event of a run. `id` increases by one per event of the run, starting at 0 (the metadata event). */
export interface RunEvent {
  id: number;
  event: string;
  data: unknown;
}

type Listener = (e: RunEvent | null) => void;
type ThreadListener = (e: ThreadEvent) => void;

/** The live and buffered events of one run. */
class RunChannel {
  readonly events: RunEvent[] = [];
  readonly listeners = new Set<Listener>();
  done = false;
  nextId = 0;
  /** Highest id handed to a reader: a non-resumable run gives a new reader only what nobody has read yet. */
  read = -1;
  /** A waiter took the run's outcome: its events count as read, as the official server's wait reads them. */
  consumed = false;
  end?: RunEnd;
  constructor(
    readonly runId: string,
    readonly threadId: string,
    readonly resumable: boolean,
  ) {}
}

/** Subscription options. */
export interface SubscribeOptions {
  /** Resumable runs: replay the buffered events after this id (-1: from the first), then follow live. */
  lastEventId?: number;
  /** Replay every buffered event (the creator of a run subscribes this way so that it misses nothing). */
  fromStart?: boolean;
  signal?: AbortSignal;
}

/**
 * Fan-out of run events to any number of subscribers. Every event is pushed to listeners the moment it is published,
 * so streams, joiners and waiters are woken by events, never by polling.
 *
 * Replay follows the official server: a resumable run keeps its events and a joiner names where to resume with
 * `Last-Event-ID` (`-1`: from the first event; none: live events only); a non-resumable run gives a joiner the events
 * nobody has read yet (all of them for a background run), then live ones. Finished runs keep what may still be
 * replayed, bounded by `keepFinished`.
 */
export class RunStreams {
  private readonly channels = new Map<string, RunChannel>();
  /** Open channels per thread, in the order their runs were created (thread stream replay). */
  private readonly threadRuns = new Map<string, string[]>();
  private readonly threadListeners = new Map<string, Set<ThreadListener>>();
  private readonly finished: string[] = [];

  constructor(private readonly keepFinished = 1000) {}

  /** Open the channel of a run (before it starts, so early subscribers see everything). */
  open(runId: string, threadId: string, resumable: boolean): void {
    if (this.channels.has(runId)) return;
    this.channels.set(runId, new RunChannel(runId, threadId, resumable));
    const runs = this.threadRuns.get(threadId);
    if (runs) runs.push(runId);
    else this.threadRuns.set(threadId, [runId]);
  }

  publish(runId: string, event: string, data: unknown): void {
    const ch = this.channels.get(runId);
    if (!ch || ch.done) return;
    const e: RunEvent = { id: ch.nextId++, event, data };
    ch.events.push(e);
    if (ch.listeners.size > 0 || ch.consumed) ch.read = e.id;
    for (const l of ch.listeners) l(e);
    const tl = this.threadListeners.get(ch.threadId);
    if (tl) for (const te of threadEventsOf(runId, e)) for (const l of tl) l(te);
  }

  /** The thread's state changed outside any run's stream (a run's step, a state update): tell thread streams. */
  stateUpdate(threadId: string, data: Record<string, unknown>): void {
    const tl = this.threadListeners.get(threadId);
    if (tl) for (const l of tl) l({ event: "state_update", data });
  }

  /** True when someone follows the thread's stream (so that building a state_update is worth it). */
  hasThreadListeners(threadId: string): boolean {
    return (this.threadListeners.get(threadId)?.size ?? 0) > 0;
  }

  /** The thread of a run whose channel is open. */
  threadOf(runId: string): string | undefined {
    return this.channels.get(runId)?.threadId;
  }

  /** A waiter consumes the run: nothing of it is left for a later joiner (as the official server's wait). */
  consume(runId: string): void {
    const ch = this.channels.get(runId);
    if (!ch) return;
    ch.consumed = true;
    ch.read = ch.nextId - 1;
  }

  /** The run is over: wake subscribers with the end marker; keep what may still be replayed. */
  end(runId: string, how: RunEnd = { status: "success" }): void {
    const ch = this.channels.get(runId);
    if (!ch || ch.done) return;
    ch.done = true;
    ch.end = how;
    for (const l of ch.listeners) l(null);
    ch.listeners.clear();
    const tl = this.threadListeners.get(ch.threadId);
    if (tl) {
      const e = endEvent(ch.runId, ch.nextId, how);
      for (const l of tl) l(e);
    }
    if (!ch.resumable) {
      // What was read can never be replayed: keep the unread tail only, or nothing.
      const firstUnread = ch.events.findIndex((e) => e.id > ch.read);
      if (firstUnread < 0 || ch.consumed) return this.forget(ch);
      ch.events.splice(0, firstUnread);
    }
    this.finished.push(runId);
    while (this.finished.length > this.keepFinished) {
      const old = this.channels.get(this.finished.shift()!);
      if (old) this.forget(old);
    }
  }

  /** Forget a run's events (run or thread deleted). */
  drop(runId: string): void {
    this.end(runId, { status: "interrupted" });
    const ch = this.channels.get(runId);
    if (ch) this.forget(ch);
  }

  /** True while the run's channel is open and not ended. */
  isLive(runId: string): boolean {
    const ch = this.channels.get(runId);
    return !!ch && !ch.done;
  }

  /** Follow one run: the buffered events the options select, then live ones, until the run ends. */
  async *subscribe(runId: string, opts: SubscribeOptions = {}): AsyncGenerator<RunEvent> {
    const ch = this.channels.get(runId);
    if (!ch) return;
    const after = opts.fromStart ? -1 : ch.resumable ? opts.lastEventId : ch.read;
    const queue: Array<RunEvent | null> = after === undefined ? [] : ch.events.filter((e) => e.id > after);
    const last = queue.at(-1);
    if (last) ch.read = Math.max(ch.read, last.id);
    if (ch.done) {
      if (!ch.resumable && ch.events.every((e) => e.id <= ch.read)) this.forget(ch);
      yield* queue as RunEvent[];
      return;
    }
    let wake: (() => void) | undefined;
    const listener: Listener = (e) => {
      queue.push(e);
      wake?.();
    };
    ch.listeners.add(listener);
    const onAbort = () => listener(null);
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      for (;;) {
        while (queue.length > 0) {
          const e = queue.shift()!;
          if (e === null) return;
          yield e;
        }
        if (opts.signal?.aborted) return;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    } finally {
      ch.listeners.delete(listener);
      opts.signal?.removeEventListener("abort", onAbort);
    }
  }

  /**
   * Follow every run of a thread (GET /threads/{id}/stream) until the signal aborts. With `lastEventId` (`-1` or
   * `-`: from the start; `<run_id>:<n>`: after that event) the events still buffered are replayed first.
   */
  async *subscribeThread(threadId: string, signal: AbortSignal, lastEventId?: string): AsyncGenerator<ThreadEvent> {
    const queue: ThreadEvent[] = lastEventId === undefined ? [] : this.threadReplay(threadId, lastEventId);
    let wake: (() => void) | undefined;
    const listener: ThreadListener = (e) => {
      queue.push(e);
      wake?.();
    };
    let set = this.threadListeners.get(threadId);
    if (!set) this.threadListeners.set(threadId, (set = new Set()));
    set.add(listener);
    const onAbort = () => wake?.();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      while (!signal.aborted) {
        while (queue.length > 0) yield queue.shift()!;
        if (signal.aborted) return;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    } finally {
      set.delete(listener);
      if (set.size === 0) this.threadListeners.delete(threadId);
      signal.removeEventListener("abort", onAbort);
    }
  }

  private threadReplay(threadId: string, lastEventId: string): ThreadEvent[] {
    const runs = this.threadRuns.get(threadId) ?? [];
    let start = 0;
    let after = -1;
    if (lastEventId !== "-1" && lastEventId !== "-" && lastEventId !== "") {
      const sep = lastEventId.lastIndexOf(":");
      start = runs.indexOf(lastEventId.slice(0, sep));
      if (start < 0) return [];
      after = Number(lastEventId.slice(sep + 1));
    }
    const out: ThreadEvent[] = [];
    for (let i = start; i < runs.length; i++) {
      const ch = this.channels.get(runs[i]!)!;
      const from = i === start ? after : -1;
      for (const e of ch.events) if (e.id > from) out.push(...threadEventsOf(ch.runId, e));
      if (ch.end && ch.nextId > from) out.push(endEvent(ch.runId, ch.nextId, ch.end));
    }
    return out;
  }

  private forget(ch: RunChannel): void {
    this.channels.delete(ch.runId);
    const runs = this.threadRuns.get(ch.threadId);
    if (!runs) return;
    const i = runs.indexOf(ch.runId);
    if (i >= 0) runs.splice(i, 1);
    if (runs.length === 0) this.threadRuns.delete(ch.threadId);
  }
}
