import { Command } from "@langchain/langgraph";
import type { Logger } from "../logger.js";
import type { BlockingMonitor } from "./blocking.js";
import { RunOutcomes, type RunOutcome } from "./outcomes.js";
import type { RunnableConfig } from "@langchain/core/runnables";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { CompiledGraphLike } from "../graphs/types.js";
import { assertStorable, UnstorableValueError } from "../json-limits.js";
import { ServiceUnavailableError } from "../errors.js";
import { nowIso, serializeError } from "../wire.js";
import type { ChangeEvent, RunClaim, StorageBackend } from "../storage/backend.js";
import type { RunRecord, RunStatus, ThreadStatus } from "../storage/types.js";
import { ChunkMapper, libStreamModes } from "./modes.js";
import { streamRun } from "./run-stream.js";
import { ThreadStatusKeeper, type ThreadSettlement } from "./thread-status.js";
import type { RunStreams } from "./streams.js";

export type { RunOutcome };

/** How services and the executor reach a graph: by id, configured for one thread. */
export interface GraphAccess {
  has(graphId: string): boolean;
  resolve(graphId: string, config: RunnableConfig): Promise<CompiledGraphLike>;
}

export interface ExecutorOptions {
  backend: StorageBackend;
  graphs: GraphAccess;
  threads: ThreadSettlement;
  streams: RunStreams;
  logger: Logger;
  /** How many runs execute at once (--n-jobs-per-worker). */
  concurrency: number;
  /** Called after a run has finished and its thread is updated (webhooks, crons). */
  onRunFinished?: (run: RunRecord, outcome: RunOutcome) => void;
  /** Warns about graph code blocking the event loop (absent with --allow-blocking). */
  blocking?: BlockingMonitor;
  /** How long a claim on a run lasts without a heartbeat (default 5 s; heartbeats every third of it). */
  leaseMs?: number;
}

/**
 * A run's claim lasts this long without a heartbeat. A process that dies (SIGKILL) stops heartbeating: another one
 * finds the lease passed at its next sweep (every SWEEP_MS) and ends the run as an error, so within 5 + 2 s.
 */
const LEASE_MS = 5000;
const SWEEP_MS = 2000;

type CancelAction = "interrupt" | "rollback";
/** Every this many sweeps, threads left busy by a process that stopped as a run ended are looked for. */
const REPAIR_EVERY_SWEEPS = 5;

/** The abort reason of runs still executing when a shutdown's grace period ends. */
const SHUTDOWN = "shutdown";
/** The abort reason of a run whose claim this process lost (another process ended it). */
const LOST = "lost";

interface Active {
  controller: AbortController;
  threadId: string;
  finished: Promise<void>;
}

/**
 * The run queue and executor: runs start in arrival order, at most one per thread and `concurrency` in all;
 * each streams its graph, fans events out through RunStreams and settles its run and thread. Everything that
 * waits on a run is woken by the run's end, never by polling.
 */
export class RunExecutor {
  /** Queued runs, in arrival order (the records as stored when queued). */
  private pending: RunRecord[] = [];
  private readonly active = new Map<string, Active>();
  private readonly busyThreads = new Set<string>();
  private readonly waiters = new Map<string, Array<(o: RunOutcome) => void>>();
  /** Outcomes of ended runs (bounded; forgotten with their thread). */
  readonly outcomes = new RunOutcomes();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private runMetadata: Record<string, unknown> = {};
  /** This process as a claimer of runs (RunQueue): several processes may share one storage. */
  readonly workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  /** Runs this process holds a claim on (it started them through the queue). */
  private readonly claimed = new Set<string>();
  /** Threads running a run in another process: their queued runs here wait for its end (run_ended). */
  private readonly remoteBusy = new Set<string>();
  private coordination: NodeJS.Timeout[] = [];
  private unsubscribe: Array<() => void> = [];
  /** Runs handed back to the queue at shutdown (another process resumes them): how many, for stop()'s answer. */
  private requeued = 0;
  /** claimUnheard() is claiming; `backlog`: its last claim found a run (so each run's end tries again). */
  private claimingUnheard = false;
  private backlog = false;
  /** Sweeps so far (busy threads are checked every REPAIR_EVERY_SWEEPS-th). */
  private sweeps = 0;
  /** Keeps each thread's status in line with its runs when a run's end could not (thread-status.ts). */
  private readonly threadStatus: ThreadStatusKeeper;

  constructor(private readonly o: ExecutorOptions) {
    this.threadStatus = new ThreadStatusKeeper(o.backend, o.threads, o.logger);
  }

  private get leaseMs(): number {
    return this.o.leaseMs ?? LEASE_MS;
  }

  /**
   * Metadata every run carries besides its own (`langgraph_version`, `langgraph_api_url`), as the official server
   * adds them; known once the project is loaded and the server listens.
   */
  setRunMetadata(extra: Record<string, unknown>): void {
    this.runMetadata = { ...extra };
  }

  /**
   * After a restart: queue the runs that were still pending, and end the ones that were running when the
   * process died (their graph stopped mid-way; re-running them would repeat side effects) as errors.
   */
  async recover(): Promise<{ requeued: number; failed: number }> {
    const { backend } = this.o;
    let requeued = 0;
    let failed = 0;
    // Runs whose claimer is gone (its lease passed: this process before a restart, or another one that died).
    for (const run of await backend.queue.expired()) {
      if (await this.endAbandoned(run)) failed += 1;
    }
    for (const run of await backend.runs.listByStatus(["pending"])) {
      if (await backend.threads.get(run.thread_id)) {
        this.queueLocally(run);
        requeued += 1;
      }
    }
    this.pump();
    this.coordinate();
    return { requeued, failed };
  }

  /**
   * Work with the other processes sharing the storage: hear their new runs (and race them for the claim), their
   * cancels and their runs' ends; heartbeat this process's claims; end runs whose claimer stopped heartbeating.
   */
  private coordinate(): void {
    if (this.unsubscribe.length > 0 || this.stopped) return;
    const { changes } = this.o.backend;
    this.unsubscribe.push(
      changes.subscribe("run_created", (e) => {
        if (this.isLocal(e.run_id)) return;
        void this.o.backend.runs.get(e.run_id).then(
          (run) => {
            if (run?.status === "pending" && !this.isLocal(run.run_id) && !this.stopped) {
              // Handed back by a stopping process: its thread runs nothing now.
              if ((run.kwargs.attempt ?? 1) > 1) this.remoteBusy.delete(run.thread_id);
              this.queueLocally(run);
              this.pump();
            }
          },
          (err) => this.o.logger.debug(`run_created ${e.run_id}: ${(err as Error).message}`),
        );
      }),
      changes.subscribe("run_cancel", (e) => {
        if (this.active.has(e.run_id)) void this.cancel(e.run_id, e.action);
      }),
      changes.subscribe("run_ended", (e) => {
        this.remoteBusy.delete(e.thread_id);
        if (!this.active.has(e.run_id)) {
          // Ended elsewhere (or cancelled before anyone claimed it): not ours to run, its stream here ends.
          this.pending = this.pending.filter((r) => r.run_id !== e.run_id);
          void this.wakeWaiters(e.run_id).finally(() => this.o.streams.end(e.run_id, { status: e.status, interrupted: false }));
        }
        this.pump();
      }),
      changes.onResync(() => {
        // Notifications may have been lost: re-read what waiters wait for, retry threads thought busy elsewhere.
        this.remoteBusy.clear();
        for (const id of this.waiters.keys()) if (!this.active.has(id)) void this.wakeWaiters(id);
        this.pump();
        void this.claimUnheard();
      }),
    );
    const heartbeat = setInterval(() => void this.heartbeat(), Math.max(50, Math.floor(this.leaseMs / 3)));
    const sweep = setInterval(() => void this.sweep(), Math.min(SWEEP_MS, this.leaseMs));
    heartbeat.unref();
    sweep.unref();
    this.coordination = [heartbeat, sweep];
  }

  private isLocal(runId: string): boolean {
    return this.active.has(runId) || this.pending.some((r) => r.run_id === runId);
  }

  /** Renew this process's claims; a claim lost meanwhile (another process ended the run) stops the run here. */
  private async heartbeat(): Promise<void> {
    const ids = [...this.claimed];
    if (ids.length === 0) return;
    try {
      const held = new Set(await this.o.backend.queue.heartbeat(this.workerId, ids, this.leaseMs));
      for (const id of ids) {
        if (held.has(id) || !this.claimed.has(id)) continue;
        this.o.logger.warn(`run ${id}: this process lost its claim (another process ended the run): stopping it here`);
        this.claimed.delete(id);
        this.active.get(id)?.controller.abort(LOST);
      }
    } catch (err) {
      this.o.logger.debug(`heartbeat: ${(err as Error).message}`);
    }
  }

  /** End the runs whose claimer stopped heartbeating (a killed process), free their threads, and retry waiting runs. */
  private async sweep(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.heartbeat();
      for (const run of await this.o.backend.queue.expired()) {
        if (this.active.has(run.run_id)) continue; // ours: a long event-loop block delayed its heartbeat
        await this.endAbandoned(run);
      }
    } catch (err) {
      this.o.logger.debug(`sweep: ${(err as Error).message}`);
    }
    await this.threadStatus.settleAgain();
    if (this.o.backend.runEvents.shared && ++this.sweeps % REPAIR_EVERY_SWEEPS === 0) await this.threadStatus.repairBusy(this.busyThreads);
    this.remoteBusy.clear();
    this.pump();
    void this.claimUnheard();
  }

  /**
   * Pending runs this process never heard of (their announcement was lost while the database restarted, or the
   * process that stored one died before announcing it) would otherwise wait for some process to restart. With
   * spare capacity, claim the storage's oldest claimable runs directly (the same claim, in the same order, as any
   * other process's): at every sweep, at a resync, and after each run's end while such runs keep turning up.
   * Only when the storage is shared by several processes.
   */
  private async claimUnheard(): Promise<void> {
    const { backend } = this.o;
    if (!backend.runEvents.shared || this.claimingUnheard || this.stopped) return;
    this.claimingUnheard = true;
    try {
      this.backlog = false;
      while (!this.stopped && this.active.size < this.o.concurrency) {
        const claim = await backend.queue.claim(this.workerId, { leaseMs: this.leaseMs, skipThreads: this.busyThreads });
        if (!claim) break;
        const run = claim.run;
        const i = this.pending.findIndex((r) => r.run_id === run.run_id);
        if (i >= 0) this.pending.splice(i, 1);
        else this.o.streams.open(run.run_id, run.thread_id, run.kwargs.stream_resumable);
        this.backlog = true;
        this.start(run, claim);
      }
    } catch (err) {
      this.o.logger.debug(`claiming pending runs: ${(err as Error).message}`);
    } finally {
      this.claimingUnheard = false;
    }
  }

  /**
   * End a run whose claimer is gone as an error and free its thread, unless another process did first (one
   * transaction decides). Resolves true when this call ended it.
   */
  private async endAbandoned(run: RunRecord): Promise<boolean> {
    const { backend, threads, logger } = this.o;
    const ended = await backend.transaction(async (tx) => {
      const current = await tx.runs.get(run.run_id);
      if (current?.status !== "running") return undefined;
      const final: RunRecord = { ...current, status: "error", updated_at: nowIso() };
      await tx.runs.put(final);
      return final;
    });
    if (!ended) return false;
    logger.warn(`run ${run.run_id}: the process executing it stopped (its claim expired): recorded as an error`);
    const error = { error: "ServerRestart", message: "The server stopped while this run was executing" };
    try {
      if (run.kwargs.temporary) await threads.deleteUnchecked(run.thread_id);
      else if (await backend.threads.get(run.thread_id)) await threads.refresh(run.thread_id, { status: "error", error });
    } catch (err) {
      if (err instanceof ServiceUnavailableError) this.threadStatus.settleLater(run.thread_id, { status: "error", error }, run.kwargs.temporary === true);
      else logger.error(`run ${run.run_id}: could not update thread ${run.thread_id}`, err);
    }
    this.publish({ type: "run_ended", run_id: run.run_id, thread_id: run.thread_id, status: "error" });
    return true;
  }

  /** Resolve this process's waiters of a run that ended elsewhere (from its stored record). */
  private async wakeWaiters(runId: string): Promise<void> {
    if (!this.waiters.has(runId)) return;
    const run = await this.o.backend.runs.get(runId);
    if (run && (run.status === "pending" || run.status === "running")) return;
    const outcome: RunOutcome = { status: run?.status ?? "interrupted", values: await this.threadValues(run?.thread_id) };
    const list = this.waiters.get(runId);
    this.waiters.delete(runId);
    for (const w of list ?? []) w(outcome);
    this.o.streams.end(runId, { status: outcome.status, interrupted: false });
  }

  private publish(event: ChangeEvent): void {
    this.o.backend.changes.publish(event).catch((err) => this.o.logger.debug(`publishing ${event.type}: ${(err as Error).message}`));
  }

  /** Queue a stored pending run. */
  enqueue(run: RunRecord): void {
    this.queueLocally(run);
    // Other processes race for it too (whoever claims it first runs it): one with spare capacity starts it at once.
    this.publish({ type: "run_created", run_id: run.run_id, thread_id: run.thread_id });
    this.pump();
  }

  /**
   * Queue in creation order: a run handed back to the queue by a stopping process comes after younger runs of its
   * thread, which the storage lets nobody claim before it.
   */
  private queueLocally(run: RunRecord): void {
    this.o.streams.open(run.run_id, run.thread_id, run.kwargs.stream_resumable);
    let i = this.pending.length;
    while (i > 0 && this.pending[i - 1]!.created_at > run.created_at) i--;
    this.pending.splice(i, 0, run);
  }

  /** Runs of a thread that are pending or running. */
  activeRunsOf(threadId: string): string[] {
    const ids = this.pending.filter((r) => r.thread_id === threadId).map((r) => r.run_id);
    for (const [id, a] of this.active) if (a.threadId === threadId) ids.unshift(id);
    return ids;
  }

  /** Resolve when the run has ended (immediately when it already has). */
  async wait(runId: string): Promise<RunOutcome> {
    this.o.streams.consume(runId);
    const done = this.outcomes.get(runId);
    if (done) return done;
    // Queued or executing here: wait for its end without asking the storage.
    if (!this.active.has(runId) && !this.pending.some((r) => r.run_id === runId)) {
      const run = await this.o.backend.runs.get(runId);
      const ended = this.outcomes.get(runId); // it may have ended while the storage answered
      if (ended) return ended;
      if (!run || (run.status !== "pending" && run.status !== "running")) {
        return { status: run?.status ?? "error", values: await this.threadValues(run?.thread_id) };
      }
      // Executing in another process: its run_ended wakes the waiter; re-read once the waiter is in place, in
      // case the run ended in between.
      const waiting = this.addWaiter(runId);
      void this.wakeWaiters(runId);
      return waiting;
    }
    return this.addWaiter(runId);
  }

  private addWaiter(runId: string): Promise<RunOutcome> {
    return new Promise((res) => {
      let list = this.waiters.get(runId);
      if (!list) this.waiters.set(runId, (list = []));
      list.push(res);
    });
  }

  /** Cancel a pending or running run. Resolves once the run has stopped. */
  async cancel(runId: string, action: CancelAction = "interrupt"): Promise<void> {
    const idx = this.pending.findIndex((r) => r.run_id === runId);
    if (idx >= 0) {
      this.pending.splice(idx, 1);
      await this.cancelPending(runId, action);
      return;
    }
    const a = this.active.get(runId);
    if (a) {
      a.controller.abort(action);
      await a.finished;
      return;
    }
    // Not here: pending (not claimed yet) or executing in another process.
    const run = await this.o.backend.runs.get(runId);
    if (run?.status === "pending") await this.cancelPending(runId, action);
    else if (run?.status === "running") {
      const ended = this.addWaiter(runId);
      this.publish({ type: "run_cancel", run_id: runId, thread_id: run.thread_id, action });
      void this.wakeWaiters(runId);
      await ended;
    }
  }

  /** Cancel a run nobody has claimed: one transaction takes it from pending (a claim can no longer start it). */
  private async cancelPending(runId: string, action: CancelAction): Promise<void> {
    const run = await this.o.backend.transaction(async (tx) => {
      const current = await tx.runs.get(runId);
      if (current?.status !== "pending") return undefined;
      await tx.runs.put({ ...current, status: "interrupted", updated_at: nowIso() });
      return current;
    });
    if (run) await this.settle(run, action === "rollback" ? "rollback" : "interrupted", undefined, undefined);
    else {
      // Claimed meanwhile (here or elsewhere): stop it where it runs.
      const a = this.active.get(runId);
      if (a) {
        a.controller.abort(action);
        await a.finished;
      }
    }
  }

  /** Cancel a thread's runs (it is being deleted) and forget the outcomes of its ended runs. */
  async cancelThreadRuns(threadId: string): Promise<void> {
    await Promise.all(this.activeRunsOf(threadId).map((id) => this.cancel(id, "interrupt")));
    this.outcomes.forget(threadId);
  }

  /**
   * Shutdown: stop starting runs at once (queued ones stay `pending` in storage: other processes sharing it run them,
   * or this one after a restart), give the running ones up to `graceMs` to finish, then stop the rest. Meanwhile this
   * process keeps its claims alive (heartbeats), still hears cancels and other processes' run ends (its waiters
   * wake up), and runs created here are announced to the others. A run stopped at the end of the grace period is
   * handed back to the queue when the storage is shared (another process resumes it from its last checkpoint, as
   * LangGraph Platform retries a run whose worker stopped), else ended as an error (`ServerShutdown`); none is left
   * `running`. Resolves once every run has settled.
   */
  async stop(graceMs = 0): Promise<{ finished: number; ended: number; requeued: number }> {
    const first = !this.stopped;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (first && this.pending.length > 0 && this.unsubscribe.length > 0) {
      // Runs queued here that this process will not start: whoever missed their announcement hears it now.
      for (const run of this.pending) this.publish({ type: "run_created", run_id: run.run_id, thread_id: run.thread_id });
    }
    const running = this.active.size;
    if (running > 0 && graceMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([...this.active.values()].map((a) => a.finished)),
        new Promise((r) => (timer = setTimeout(r, graceMs))),
      ]);
      clearTimeout(timer);
    }
    const left = [...this.active.values()];
    for (const a of left) a.controller.abort(SHUTDOWN);
    await Promise.all(left.map((a) => a.finished));
    for (const t of this.coordination) clearInterval(t);
    for (const off of this.unsubscribe.splice(0)) off();
    const requeued = this.requeued;
    return { finished: running - left.length, ended: left.length - requeued, requeued };
  }

  /** Runs executing right now. */
  get runningCount(): number {
    return this.active.size;
  }

  /** Start as many queued runs as allowed; schedules itself for delayed runs. */
  private pump(): void {
    if (this.stopped) return;
    const now = Date.now();
    let nextDue = Infinity;
    const blocked = new Set<string>();
    for (let i = 0; i < this.pending.length && this.active.size < this.o.concurrency; ) {
      const run = this.pending[i]!;
      const due = run.not_before ? Date.parse(run.not_before) : 0;
      if (this.busyThreads.has(run.thread_id) || this.remoteBusy.has(run.thread_id) || blocked.has(run.thread_id) || due > now) {
        if (due > now) nextDue = Math.min(nextDue, due);
        blocked.add(run.thread_id); // later runs of the thread wait their turn
        i += 1;
        continue;
      }
      this.pending.splice(i, 1);
      this.start(run);
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = nextDue < Infinity ? setTimeout(() => this.pump(), Math.max(0, nextDue - now)) : undefined;
    this.timer?.unref();
  }

  /** Start a queued run (it is claimed first), or one this process has already claimed (`claim`). */
  private start(run: RunRecord, claim?: RunClaim): void {
    const controller = new AbortController();
    this.busyThreads.add(run.thread_id);
    const finished = this.execute(run, controller, claim).catch((err) => this.failed(run, err));
    this.active.set(run.run_id, { controller, threadId: run.thread_id, finished });
  }

  /**
   * A run's execution failed outside its graph (the storage went away while it was claimed, started or settled):
   * its slot and thread are freed here at once, or the process would run fewer runs for good. A run this process
   * had claimed is let go (no more heartbeats): its lease runs out and a sweep, here or in another process, records
   * it as an error and frees its thread. A run it had not claimed yet is still pending: queued here again, tried at
   * the next sweep (not at once: the storage may still be down).
   */
  private failed(run: RunRecord, err: unknown): void {
    const unavailable = err instanceof ServiceUnavailableError;
    if (unavailable) this.o.logger.warn(`run ${run.run_id}: the storage was unavailable while it started or ended (${(err as Error).message})`);
    else this.o.logger.error(`run ${run.run_id}: executor failure`, err);
    this.active.delete(run.run_id);
    if (![...this.active.values()].some((a) => a.threadId === run.thread_id)) this.busyThreads.delete(run.thread_id);
    const wasClaimed = this.claimed.delete(run.run_id);
    if (!wasClaimed && unavailable && !this.stopped && !this.isLocal(run.run_id)) this.queueLocally(run);
  }

  private async execute(run: RunRecord, controller: AbortController, preClaimed?: RunClaim): Promise<void> {
    const { backend, streams, logger } = this.o;
    const started = Date.now();
    const startedAt = nowIso();
    // The claim: of every process that queued this run, exactly one gets it.
    const claim = preClaimed ?? (await backend.queue.claimRun(run.run_id, this.workerId, { leaseMs: this.leaseMs }));
    if (!claim) {
      this.active.delete(run.run_id);
      this.busyThreads.delete(run.thread_id);
      const now = await backend.runs.get(run.run_id);
      if (now?.status === "pending") {
        // Its thread runs a run in another process: wait for that one's end here.
        this.remoteBusy.add(run.thread_id);
        this.pending.unshift(now);
      }
      // Otherwise deleted, cancelled, or claimed by another process (whose run_ended wakes the waiters here).
      this.pump();
      return;
    }
    this.claimed.add(run.run_id);
    // The record as claimed: a run handed back at a shutdown was queued here before it became its next attempt.
    run = claim.run;
    // Two independent reads: side by side.
    const [, checkpointsBefore] = await Promise.all([this.o.threads.setStatus(run.thread_id, "busy"), backend.checkpoints.keysOf(run.thread_id)]);
    const kwargs = run.kwargs;
    const modes = kwargs.stream_mode;
    // Each new state of the run's graph is a `state_update` for those following its thread.
    const inRunEvents = modes.includes("values");
    const mapper = new ChunkMapper(modes, kwargs.stream_subgraphs, (values) => streams.stateUpdate(run.thread_id, { run_id: run.run_id, values }, { inRunEvents }));
    const attempt = kwargs.attempt ?? 1;
    if (attempt > 1) await streams.resume(run.run_id);
    streams.publish(run.run_id, "metadata", { run_id: run.run_id, attempt });
    let error: unknown;
    try {
      const graphId = kwargs.config.configurable.graph_id as string;
      if (!this.o.graphs.has(graphId)) throw new Error(`Graph "${graphId}" is not loaded`);
      const graph = await this.o.graphs.resolve(graphId, kwargs.config);
      this.o.blocking?.instrument(graph, graphId);
      // A run handed back at a shutdown resumes from its last checkpoint when it wrote one (its input or command
      // is in it already), else starts over.
      const resume = attempt > 1 && (await this.wroteCheckpoint(run));
      let configurable = kwargs.config.configurable;
      if (resume) {
        const { checkpoint_id: _id, checkpoint_map: _map, ...rest } = configurable;
        configurable = rest;
      }
      const input = resume ? null : kwargs.command ? new Command(kwargs.command as ConstructorParameters<typeof Command>[0]) : (kwargs.input ?? null);
      const options: Record<string, unknown> = {
        ...(kwargs.config.tags ? { tags: kwargs.config.tags } : {}),
        ...(kwargs.config.recursion_limit ? { recursionLimit: kwargs.config.recursion_limit } : {}),
        configurable,
        metadata: { ...(kwargs.config.metadata as object), run_attempt: attempt, ...this.runMetadata, langgraph_plan: "developer", langgraph_host: "self-hosted" },
        context: kwargs.context,
        interruptBefore: kwargs.interrupt_before,
        interruptAfter: kwargs.interrupt_after,
        streamMode: libStreamModes(modes),
        subgraphs: kwargs.stream_subgraphs,
        signal: controller.signal,
        runId: run.run_id,
        durability: kwargs.durability,
      };
      for (const k of Object.keys(options)) if (options[k] === undefined) delete options[k];
      await streamRun(graph, input, options, { runId: run.run_id, modes, subgraphs: kwargs.stream_subgraphs, mapper, publish: (event, data) => streams.publish(run.run_id, event, data) });
    } catch (err) {
      error = err;
    }
    // The final values are stored on the thread and sent to waiters: a graph output that cannot be (circular, or
    // nested too deeply) fails the run here, with a message, instead of leaving it running forever.
    let values: unknown;
    try {
      values = mapper.lastValues;
      if (values !== undefined) assertStorable(values, "the run's final values");
    } catch (err) {
      values = undefined;
      error ??= err instanceof UnstorableValueError ? err : new UnstorableValueError(`the run's final values cannot be stored as JSON: ${(err as Error).message}`);
    }
    let reason = controller.signal.aborted ? (controller.signal.reason as CancelAction | typeof SHUTDOWN | typeof LOST) : undefined;
    if (reason === LOST) {
      // Another process ended this run (its claim expired): that record stands; only local waiters need waking.
      this.claimed.delete(run.run_id);
      this.active.delete(run.run_id);
      this.busyThreads.delete(run.thread_id);
      await this.wakeWaiters(run.run_id);
      this.pump();
      return;
    }
    const shutdown = reason === SHUTDOWN && error !== undefined;
    if (shutdown && backend.runEvents.shared && (await this.requeue(run))) return;
    if (reason === SHUTDOWN) {
      // Not a cancel the user asked for: the run did not finish before the server stopped (unless it just did).
      reason = undefined;
      if (shutdown) {
        error = Object.assign(new Error("The server shut down while this run was executing"), { name: "ServerShutdown" });
        logger.warn(`run ${run.run_id} (graph ${kwargs.config.configurable.graph_id}) was still running at shutdown: recorded as an error`);
      }
    }
    if (reason === "rollback") {
      await backend.checkpoints.deleteAllBut(run.thread_id, checkpointsBefore);
    }
    if (error !== undefined && !reason) {
      if (!shutdown) logger.error(`run ${run.run_id} (graph ${kwargs.config.configurable.graph_id}) failed`, error);
      streams.publish(run.run_id, "error", serializeError(error));
    }
    const status: RunStatus | "rollback" = reason === "rollback" ? "rollback" : reason ? "interrupted" : error !== undefined ? "error" : "success";
    logger.debug(`run ${run.run_id} ${status} in ${Date.now() - started} ms`);
    await this.settle(run, status, values, error, startedAt);
  }

  /**
   * Hand a run stopped by a shutdown back to the queue (pending, its next attempt resuming from its last checkpoint)
   * and tell the other processes; its thread stays busy for that attempt. False when this process no longer held it.
   */
  private async requeue(run: RunRecord): Promise<boolean> {
    const { backend, logger } = this.o;
    const kwargs = { ...run.kwargs, attempt: (run.kwargs.attempt ?? 1) + 1 };
    let released = false;
    try {
      released = await backend.queue.release(run.run_id, this.workerId, { status: "pending", updated_at: nowIso(), kwargs });
    } catch (err) {
      logger.error(`run ${run.run_id}: could not hand it back to the queue at shutdown`, err);
    }
    if (!released) return false;
    logger.warn(`run ${run.run_id} (graph ${run.kwargs.config.configurable.graph_id}) was still running at shutdown: handed back to the queue, another process resumes it`);
    this.requeued += 1;
    this.claimed.delete(run.run_id);
    this.active.delete(run.run_id);
    this.busyThreads.delete(run.thread_id);
    // Its events so far are in the shared log before anyone resumes it (the next attempt numbers on from them).
    await this.o.streams.appended(run.run_id);
    this.publish({ type: "run_created", run_id: run.run_id, thread_id: run.thread_id });
    return true;
  }

  /** True when the thread's latest checkpoint was written by this run (an earlier attempt of it got that far). */
  private async wroteCheckpoint(run: RunRecord): Promise<boolean> {
    const tuple = await this.o.backend.checkpoints.saver.getTuple({ configurable: { thread_id: run.thread_id, checkpoint_ns: "" } });
    return tuple?.metadata !== undefined && (tuple.metadata as Record<string, unknown>).run_id === run.run_id;
  }

  /** Record how a run ended, update its thread, end its stream and wake everyone waiting. */
  private async settle(run: RunRecord, status: RunStatus | "rollback", values: unknown, error: unknown, startedAt?: string): Promise<void> {
    const { backend, threads, streams } = this.o;
    const finalStatus: RunStatus = status === "rollback" ? "interrupted" : status;
    const endedAt = nowIso();
    const claimed = this.claimed.delete(run.run_id);
    let stored: RunRecord | undefined;
    if (status === "rollback") {
      stored = await backend.runs.get(run.run_id);
      await backend.runs.delete(run.run_id);
    } else if (claimed) {
      // The release holds only while the claim does (a record ended by another process stands): the record read
      // beside it serves the finished-run callback (only status and updated_at change, and those are set below).
      const [current, released] = await Promise.all([backend.runs.get(run.run_id), backend.queue.release(run.run_id, this.workerId, { status: finalStatus, updated_at: endedAt })]);
      stored = current;
      if (current && !released) this.o.logger.warn(`run ${run.run_id}: another process ended it meanwhile; its record stands`);
    } else {
      stored = await backend.runs.get(run.run_id);
      if (stored) await backend.runs.put({ ...stored, status: finalStatus, updated_at: endedAt });
    }
    const finalRun: RunRecord = { ...(stored ?? run), status: finalStatus, updated_at: endedAt };
    this.active.delete(run.run_id);
    this.busyThreads.delete(run.thread_id);
    const serialized = error !== undefined ? serializeError(error) : undefined;
    // A cancelled run leaves its thread idle (its next nodes are not an interrupt the user asked for).
    const override = finalStatus === "error" ? { status: "error" as const, error: serialized } : finalStatus === "interrupted" ? { status: "idle" as const } : undefined;
    try {
      if (run.kwargs.temporary) {
        await threads.deleteUnchecked(run.thread_id);
      } else {
        let settled = true;
        if (finalStatus === "success" && isPlainFinalState(values) && !run.kwargs.interrupt_before && !run.kwargs.interrupt_after) {
          // The last `values` chunk is the final state and nothing is pending: no need to read it back (saves a
          // getState per run). A thread deleted meanwhile is left alone (the update finds no row).
          await threads.settleValues(run.thread_id, values);
        } else if (await backend.threads.get(run.thread_id)) {
          await threads.refresh(run.thread_id, override);
        } else settled = false;
        if (settled) await this.threadStatus.keepBusyIfLive(run.thread_id);
      }
    } catch (err) {
      if (err instanceof ServiceUnavailableError) {
        // The run's record is final; its thread is settled again at the next sweeps, once the storage answers.
        this.threadStatus.settleLater(run.thread_id, override, run.kwargs.temporary === true);
        this.o.logger.warn(`run ${run.run_id}: thread ${run.thread_id} is updated once the storage is back (${err.message})`);
      } else this.o.logger.error(`run ${run.run_id}: could not update thread ${run.thread_id}`, err);
    }
    const outcome: RunOutcome = {
      status: finalStatus,
      values: values ?? (await this.threadValues(run.thread_id)),
      ...(serialized && finalStatus === "error" ? { error: serialized } : {}),
      ...(startedAt ? { started_at: startedAt } : {}),
      ended_at: endedAt,
    };
    this.outcomes.remember(run.run_id, run.thread_id, outcome);
    const interrupted = finalStatus === "success" && typeof values === "object" && values !== null && "__interrupt__" in values;
    // Followers in other processes read the run's last events once told of its end: they must be stored by then.
    const appended = streams.appended(run.run_id);
    streams.end(run.run_id, { status: finalStatus, interrupted, ...(outcome.error ? { error: outcome.error } : {}) });
    for (const w of this.waiters.get(run.run_id) ?? []) w(outcome);
    this.waiters.delete(run.run_id);
    void appended.then(() => this.publish({ type: "run_ended", run_id: run.run_id, thread_id: run.thread_id, status: finalStatus }));
    this.o.onRunFinished?.(finalRun, outcome);
    this.pump();
    if (this.backlog) void this.claimUnheard();
  }

  private async threadValues(threadId: string | undefined): Promise<unknown> {
    return threadId ? ((await this.o.backend.threads.get(threadId))?.values ?? null) : null;
  }
}

/** A final state that ended the graph normally: an object without interrupts. */
function isPlainFinalState(values: unknown): values is Record<string, unknown> {
  return typeof values === "object" && values !== null && !Array.isArray(values) && !("__interrupt__" in values);
}
