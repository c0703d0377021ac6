import { randomUUID } from "node:crypto";
import type { Logger } from "../logger.js";
import type { ChangeFeed, RunEventLog } from "../storage/backend.js";
import type { RunStatus } from "../storage/types.js";
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
  /** Shared log: this process executes the run (it published an event), so the log holds nothing it lacks. */
  local = false;
  /** Shared log: the last append of this run's events (awaited before the run's end is announced). */
  appended: Promise<unknown> = Promise.resolve();
  /** Shared log: subscribers here following a run that executes elsewhere. */
  followers = 0;
  /** Shared log: reads of the log for this run, one after the other; `catchQueued` when one waits to start. */
  catching: Promise<void> = Promise.resolve();
  catchQueued = false;
  /** Shared log: the run ended elsewhere; its channel ends once the log's tail has been read. */
  ending = false;
  constructor(
    readonly runId: string,
    readonly threadId: string,
    readonly resumable: boolean,
  ) {}
}

/**
 * The shared log's entry for a thread's state updates that no run's events carry (state updates through the API, and
 * steps of runs that do not stream `values`): a pseudo run id, never a run's (those are UUIDs).
 */
export const THREAD_STATE_LOG = "thread_state:";
const stateLogOf = (threadId: string) => `${THREAD_STATE_LOG}${threadId}`;

/** A state of the graph that a `values` event carries (not an interrupt alone, which is not a new state). */
function isNewState(data: unknown): boolean {
  if (!data || typeof data !== "object" || Array.isArray(data)) return true;
  const keys = Object.keys(data);
  return !(keys.length === 1 && keys[0] === "__interrupt__");
}

/** Subscription options. */
export interface SubscribeOptions {
  /** Resumable runs: replay the buffered events after this id (-1: from the first), then follow live. */
  lastEventId?: number;
  /** Replay every buffered event (the creator of a run subscribes this way so that it misses nothing). */
  fromStart?: boolean;
  signal?: AbortSignal;
  /**
   * The run as stored (joins): with a shared event log, a process that has no channel for the run (it ended long
   * ago, or this process never queued it) opens one from this and reads the run's events from the log.
   */
  run?: { thread_id: string; status: RunStatus; resumable: boolean };
}

/** How RunStreams carries events between processes when the backend's event log is shared (RunEventLog.shared). */
export interface SharedRunEvents {
  log: RunEventLog;
  changes: ChangeFeed;
  /** The stored status of a run (a follower checks whether the run ended before it listened for the end). */
  statusOf(runId: string): Promise<RunStatus | undefined>;
  logger?: Logger;
}

/**
 * Fan-out of run events to any number of subscribers. Every event is pushed to listeners the moment it is published,
 * so streams, joiners and waiters are woken by events, never by polling.
 *
 * Replay follows the official server: a resumable run keeps its events and a joiner names where to resume with
 * `Last-Event-ID` (`-1`: from the first event; none: live events only); a non-resumable run gives a joiner the events
 * nobody has read yet (all of them for a background run), then live ones. Finished runs keep what may still be
 * replayed, bounded by `keepFinished`.
 *
 * With a shared event log (several processes on one database) the process executing a run also appends each event
 * to the log; a process following a run that executes elsewhere reads the log when a `run_event` notification names
 * the run (and after a reconnection), and ends the run's channel on its `run_ended` once it has read the log's tail.
 * Events keep their ids whichever way they arrive, so a subscriber gets each once and in order. Without one (the
 * embedded backend) everything stays in memory, exactly as in a single process.
 */
export class RunStreams {
  private readonly channels = new Map<string, RunChannel>();
  /** Open channels per thread, in the order their runs were created (thread stream replay). */
  private readonly threadRuns = new Map<string, string[]>();
  private readonly threadListeners = new Map<string, Set<ThreadListener>>();
  private readonly finished: string[] = [];
  /**
   * Shared log: non-resumable runs whose events were all read here (a joiner, a waiter) and whose channel was then
   * forgotten, with the last id read. The log still holds those events (for followers elsewhere, until trimmed): a
   * later joiner here, whose channel is opened from the log again, must not get them a second time.
   */
  private readonly readUpTo = new Map<string, number>();

  private readonly unsubscribe: Array<() => void> = [];
  /** Shared log: where this process has read each followed thread's state log up to (reads one after the other). */
  private readonly stateCursors = new Map<string, { next: number; reading: Promise<void> }>();
  /** Shared log: this process's mark on the state updates it logs (it delivered them itself already). */
  private readonly origin = randomUUID();

  constructor(
    private readonly keepFinished = 1000,
    private readonly shared?: SharedRunEvents,
  ) {
    if (!shared) return;
    this.unsubscribe.push(
      shared.changes.subscribe("run_event", (e) => {
        if (e.run_id.startsWith(THREAD_STATE_LOG)) {
          if (e.thread_id !== undefined) this.readStateLog(e.thread_id, e.seq);
          return;
        }
        let ch = this.channels.get(e.run_id);
        if (!ch) {
          // A run this process never queued, on a thread someone here follows: follow it from this event on.
          if (e.thread_id === undefined || !this.threadListeners.has(e.thread_id)) return;
          this.open(e.run_id, e.thread_id, false);
          ch = this.channels.get(e.run_id)!;
          ch.nextId = e.seq - 1;
        }
        if (ch.local || ch.done || ch.ending || e.seq <= ch.nextId || !this.isFollowed(ch)) return;
        void this.catchUp(ch);
      }),
      shared.changes.onResync(() => {
        // Notifications may have been lost while the connection was down: read what was missed, and end the runs
        // that ended meanwhile.
        for (const ch of this.channels.values()) {
          if (ch.local || ch.done || ch.ending || !this.isFollowed(ch)) continue;
          void this.catchUp(ch).then(() => this.checkEnded(ch));
        }
      }),
    );
  }

  /** Stop listening to other processes (the server is closing). */
  close(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  /** Open the channel of a run (before it starts, so early subscribers see everything). */
  open(runId: string, threadId: string, resumable: boolean): void {
    if (this.channels.has(runId)) return;
    const ch = new RunChannel(runId, threadId, resumable);
    const read = this.readUpTo.get(runId);
    if (read !== undefined && !resumable) ch.read = read;
    this.channels.set(runId, ch);
    const runs = this.threadRuns.get(threadId);
    if (runs) runs.push(runId);
    else this.threadRuns.set(threadId, [runId]);
  }

  publish(runId: string, event: string, data: unknown): void {
    const ch = this.channels.get(runId);
    if (!ch || ch.done) return;
    const e: RunEvent = { id: ch.nextId++, event, data };
    if (this.shared) {
      ch.local = true;
      const { log, logger } = this.shared;
      ch.appended = log.append(runId, ch.threadId, event, data).catch((err) => logger?.warn(`run ${runId}: could not store stream event ${e.id} for other processes: ${(err as Error).message}`));
    }
    this.deliver(ch, e);
  }

  /**
   * Before this process executes another attempt of a run (an earlier one ran elsewhere, or before a restart): take
   * in the events the log holds, so this attempt's events number on from them.
   */
  async resume(runId: string): Promise<void> {
    const ch = this.channels.get(runId);
    if (!ch || !this.shared || ch.local || ch.done) return;
    await this.catchUp(ch);
  }

  /** Resolves once every event published here for the run is in the shared log (at once without one). */
  appended(runId: string): Promise<unknown> {
    return this.channels.get(runId)?.appended ?? Promise.resolve();
  }

  private deliver(ch: RunChannel, e: RunEvent): void {
    const runId = ch.runId;
    ch.events.push(e);
    if (ch.listeners.size > 0 || ch.consumed) ch.read = e.id;
    for (const l of ch.listeners) l(e);
    const tl = this.threadListeners.get(ch.threadId);
    if (tl) for (const te of threadEventsOf(runId, e)) for (const l of tl) l(te);
  }

  /**
   * The thread's state changed (a run's step, a state update): tell thread streams. With a shared log, thread streams
   * in other processes hear it too: from the run's own `values` events when `inRunEvents` (they carry the same state),
   * else through the thread's state log.
   */
  stateUpdate(threadId: string, data: Record<string, unknown>, opts: { inRunEvents?: boolean } = {}): void {
    this.deliverState(threadId, data);
    if (!this.shared || opts.inRunEvents) return;
    const { log, logger } = this.shared;
    log.append(stateLogOf(threadId), threadId, "state_update", { origin: this.origin, data }).catch((err) =>
      logger?.warn(`thread ${threadId}: could not store a state update for other processes: ${(err as Error).message}`),
    );
  }

  private deliverState(threadId: string, data: unknown): void {
    const tl = this.threadListeners.get(threadId);
    if (tl) for (const l of tl) l({ event: "state_update", data });
  }

  /** True when a state_update of the thread may be heard (someone follows it here, or anywhere with a shared log). */
  hasThreadListeners(threadId: string): boolean {
    return !!this.shared || (this.threadListeners.get(threadId)?.size ?? 0) > 0;
  }

  /**
   * Shared log: entry `seq` of a thread's state log was appended. Followed here: read what is new since the last
   * read (from `seq` on the first time) and deliver what other processes logged.
   */
  private readStateLog(threadId: string, seq: number): void {
    const shared = this.shared;
    if (!shared || !this.threadListeners.has(threadId)) return;
    let cursor = this.stateCursors.get(threadId);
    if (!cursor) this.stateCursors.set(threadId, (cursor = { next: seq - 1, reading: Promise.resolve() }));
    const c = cursor;
    c.reading = c.reading.then(async () => {
      if (seq <= c.next || this.stateCursors.get(threadId) !== c) return;
      try {
        for (const row of await shared.log.read(stateLogOf(threadId), c.next)) {
          c.next = row.seq;
          const entry = row.data as { origin?: string; data?: unknown } | null;
          if (entry?.origin !== this.origin) this.deliverState(threadId, entry?.data);
        }
      } catch (err) {
        shared.logger?.debug(`thread ${threadId}: reading its state updates failed: ${(err as Error).message}`);
      }
    });
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
    if (!ch || ch.done || ch.ending) return;
    if (this.shared && !ch.local && this.isFollowed(ch)) {
      // Executed elsewhere: its last events may still be unread here (they are in the log before its end is told).
      ch.ending = true;
      void this.catchUp(ch).then(() => this.finish(ch, how));
      return;
    }
    this.finish(ch, how);
  }

  private finish(ch: RunChannel, how: RunEnd): void {
    if (ch.done) return;
    const runId = ch.runId;
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
      if (firstUnread < 0 || ch.consumed) return this.forgetRead(ch);
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
    const ch = this.channels.get(runId);
    if (!ch) return;
    this.finish(ch, { status: "interrupted" });
    this.forget(ch);
  }

  /** True while the run's channel is open and not ended. */
  isLive(runId: string): boolean {
    const ch = this.channels.get(runId);
    return !!ch && !ch.done;
  }

  /** Follow one run: the buffered events the options select, then live ones, until the run ends. */
  async *subscribe(runId: string, opts: SubscribeOptions = {}): AsyncGenerator<RunEvent> {
    let ch = this.channels.get(runId);
    let opened = false;
    if (!ch && this.shared && opts.run) {
      this.open(runId, opts.run.thread_id, opts.run.resumable);
      ch = this.channels.get(runId)!;
      opened = true;
    }
    if (!ch) return;
    if (!this.shared || ch.local) {
      yield* this.follow(ch, opts);
      return;
    }
    // Shared log, and the run does not execute here (or not yet): read what the log has, then follow.
    ch.followers++;
    try {
      await this.catchUp(ch);
      // A channel opened just now heard no run_ended: ask the storage whether the run is over.
      if (opened) await this.checkEnded(ch, opts.run?.status);
      yield* this.follow(ch, opts);
    } finally {
      ch.followers--;
    }
  }

  private isFollowed(ch: RunChannel): boolean {
    return ch.followers > 0 || this.threadListeners.has(ch.threadId);
  }

  /** Read the run's events this channel lacks from the shared log (one read at a time per run; requests coalesce). */
  private catchUp(ch: RunChannel): Promise<void> {
    const shared = this.shared;
    if (!shared || ch.catchQueued) return ch.catching;
    ch.catchQueued = true;
    ch.catching = ch.catching.then(async () => {
      ch.catchQueued = false;
      if (ch.local || ch.done) return;
      try {
        for (const row of await shared.log.read(ch.runId, ch.nextId)) {
          if (ch.local || ch.done || row.seq - 1 !== ch.nextId) break;
          this.deliver(ch, { id: ch.nextId++, event: row.event, data: row.data });
          // A root `values` event is a new state of the thread (the executing process logged no state update for it).
          if (row.event === "values" && isNewState(row.data)) this.deliverState(ch.threadId, { run_id: ch.runId, values: row.data });
        }
      } catch (err) {
        shared.logger?.debug(`run ${ch.runId}: reading its stream events failed: ${(err as Error).message}`);
      }
    });
    return ch.catching;
  }

  /** End the channel of a run that is over in the storage (its end may have been told before this process listened). */
  private async checkEnded(ch: RunChannel, known?: RunStatus): Promise<void> {
    if (ch.done || ch.ending || ch.local || !this.shared) return;
    let status: RunStatus | undefined = known;
    if (status === undefined || status === "pending" || status === "running") {
      try {
        status = await this.shared.statusOf(ch.runId);
      } catch (err) {
        this.shared.logger?.debug(`run ${ch.runId}: reading its status failed: ${(err as Error).message}`);
        return;
      }
    }
    if (status !== "pending" && status !== "running") this.end(ch.runId, { status: status ?? "interrupted" });
    if (ch.ending) await ch.catching;
  }

  private async *follow(ch: RunChannel, opts: SubscribeOptions): AsyncGenerator<RunEvent> {
    const after = opts.fromStart ? -1 : ch.resumable ? opts.lastEventId : ch.read;
    const queue: Array<RunEvent | null> = after === undefined ? [] : ch.events.filter((e) => e.id > after);
    const last = queue.at(-1);
    if (last) ch.read = Math.max(ch.read, last.id);
    if (ch.done) {
      if (!ch.resumable && ch.events.every((e) => e.id <= ch.read)) this.forgetRead(ch);
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
      if (set.size === 0) {
        this.threadListeners.delete(threadId);
        this.stateCursors.delete(threadId);
      }
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

  /** Forget a non-resumable run whose events were all read; with a shared log, remember how far (see readUpTo). */
  private forgetRead(ch: RunChannel): void {
    if (this.shared) {
      this.readUpTo.delete(ch.runId);
      this.readUpTo.set(ch.runId, Math.max(ch.read, ch.nextId - 1));
      // Tiny entries, but bounded: ten times the finished runs kept (the log's rows of an ended run go after a minute).
      while (this.readUpTo.size > Math.max(1, this.keepFinished) * 10) this.readUpTo.delete(this.readUpTo.keys().next().value!);
    }
    this.forget(ch);
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
