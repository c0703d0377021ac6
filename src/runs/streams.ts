/** One server-sent event of a run. `id` increases by one per event of the run, starting at 1. */
export interface RunEvent {
  id: number;
  event: string;
  data: unknown;
}

type Listener = (e: RunEvent | null) => void;

/** The live and buffered events of one run. */
class RunChannel {
  readonly events: RunEvent[] = [];
  readonly listeners = new Set<Listener>();
  done = false;
  nextId = 1;
  constructor(
    readonly runId: string,
    readonly threadId: string,
    readonly resumable: boolean,
  ) {}
}

/** Subscription options: replay from after `lastEventId` (events still buffered), then follow live. */
export interface SubscribeOptions {
  lastEventId?: number;
  /** Replay every buffered event (the creator of a run subscribes this way so that it misses nothing). */
  fromStart?: boolean;
  signal?: AbortSignal;
}

/**
 * Fan-out of run events to any number of subscribers. Every event is pushed to listeners the moment it is published,
 * so streams, joiners and waiters are woken by events, never by polling. Events are buffered while the run lives;
 * resumable runs keep them after the end (bounded by `keepFinished`) so `Last-Event-ID` can replay.
 */
export class RunStreams {
  private readonly channels = new Map<string, RunChannel>();
  private readonly threadListeners = new Map<string, Set<(runId: string, e: RunEvent) => void>>();
  private readonly finished: string[] = [];

  constructor(private readonly keepFinished = 1000) {}

  /** Open the channel of a run (before it starts, so early subscribers see everything). */
  open(runId: string, threadId: string, resumable: boolean): void {
    if (!this.channels.has(runId)) this.channels.set(runId, new RunChannel(runId, threadId, resumable));
  }

  publish(runId: string, event: string, data: unknown): void {
    const ch = this.channels.get(runId);
    if (!ch || ch.done) return;
    const e: RunEvent = { id: ch.nextId++, event, data };
    ch.events.push(e);
    for (const l of ch.listeners) l(e);
    const tl = this.threadListeners.get(ch.threadId);
    if (tl) for (const l of tl) l(runId, e);
  }

  /** The run is over: wake subscribers with the end marker; drop the buffer unless resumable. */
  end(runId: string): void {
    const ch = this.channels.get(runId);
    if (!ch || ch.done) return;
    ch.done = true;
    for (const l of ch.listeners) l(null);
    ch.listeners.clear();
    if (!ch.resumable) {
      this.channels.delete(runId);
      return;
    }
    this.finished.push(runId);
    while (this.finished.length > this.keepFinished) this.channels.delete(this.finished.shift()!);
  }

  /** Forget a run's events (run or thread deleted). */
  drop(runId: string): void {
    this.end(runId);
    this.channels.delete(runId);
  }

  /** True while the run's channel is open and not ended. */
  isLive(runId: string): boolean {
    const ch = this.channels.get(runId);
    return !!ch && !ch.done;
  }

  /** Follow one run: buffered events after lastEventId (or all with fromStart), then live ones, until the run ends. */
  async *subscribe(runId: string, opts: SubscribeOptions = {}): AsyncGenerator<RunEvent> {
    const ch = this.channels.get(runId);
    if (!ch) return;
    // A resumable run replays from its first event when the joiner names no Last-Event-ID (as on the platform).
    const after = opts.fromStart ? 0 : (opts.lastEventId ?? (ch.resumable ? 0 : undefined));
    const queue: Array<RunEvent | null> = after === undefined ? [] : ch.events.filter((e) => e.id > after);
    if (ch.done) {
      yield* queue.filter((e): e is RunEvent => e !== null);
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

  /** Follow every run of a thread (GET /threads/{id}/stream) until the signal aborts. */
  async *subscribeThread(threadId: string, signal: AbortSignal): AsyncGenerator<{ runId: string; e: RunEvent }> {
    const queue: Array<{ runId: string; e: RunEvent }> = [];
    let wake: (() => void) | undefined;
    const listener = (runId: string, e: RunEvent) => {
      queue.push({ runId, e });
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
}
