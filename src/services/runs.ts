import { ConflictError, NotFoundError, ValidationError } from "../errors.js";
import type { RunExecutor, RunOutcome } from "../runs/executor.js";
import type { RunStreams, RunEvent, SubscribeOptions } from "../runs/streams.js";
import type { StorageBackend } from "../storage/backend.js";
import type { Metadata, MultitaskStrategy, RunKwargs, RunRecord, RunStatus, ThreadRecord } from "../storage/types.js";
import type { AssistantsService } from "./assistants.js";
import type { Authorizer, RequestContext } from "./context.js";
import { newThread, type ThreadsService } from "./threads.js";
import { newId, nowIso } from "../wire.js";
import { pick } from "./util.js";

/** The body of every run-creating endpoint. */
export interface RunCreate {
  assistant_id: string;
  input?: unknown;
  command?: { resume?: unknown; update?: unknown; goto?: unknown } | null;
  config?: { configurable?: Record<string, unknown>; tags?: string[]; recursion_limit?: number; [k: string]: unknown };
  context?: Record<string, unknown>;
  metadata?: Metadata;
  checkpoint_id?: string;
  checkpoint?: Record<string, unknown>;
  stream_mode?: string | string[];
  stream_subgraphs?: boolean;
  stream_resumable?: boolean;
  interrupt_before?: string[] | "*";
  interrupt_after?: string[] | "*";
  multitask_strategy?: MultitaskStrategy;
  if_not_exists?: "reject" | "create";
  on_disconnect?: "continue" | "cancel";
  on_completion?: "delete" | "keep";
  after_seconds?: number;
  webhook?: string;
  feedback_keys?: string[];
  durability?: "sync" | "async" | "exit";
  checkpoint_during?: boolean;
}

/** An event of a joined stream (an error about the join itself has no id, as on the official server). */
export type JoinedEvent = Omit<RunEvent, "id"> & { id?: number };
/** A joined stream; `followed` is false when it only says why the run cannot be followed. */
export interface Joined {
  events: AsyncIterable<JoinedEvent>;
  followed: boolean;
}

/** The public shape of a run (internal fields left out). */
export type RunView = Omit<RunRecord, "not_before">;

/** A stored run as the API returns it. */
export const viewRun = (r: RunRecord): RunView => {
  const { not_before: _n, ...rest } = r;
  return rest;
};

/** Runs: creating, listing, cancelling and following graph executions. */
export class RunsService {
  constructor(
    private readonly backend: StorageBackend,
    private readonly authz: Authorizer,
    private readonly assistants: AssistantsService,
    private readonly threads: ThreadsService,
    private readonly executor: RunExecutor,
    private readonly streams: RunStreams,
  ) {}

  /** Create a run on a thread (threadId) or a stateless one (threadId undefined), enforcing the multitask strategy. */
  async create(ctx: RequestContext, threadId: string | undefined, body: RunCreate): Promise<RunRecord> {
    const assistant = await this.assistants.getForRun(ctx, body.assistant_id);
    const stateless = threadId === undefined;
    const runId = newId();
    const strategy = body.multitask_strategy ?? "reject";
    const value: Record<string, unknown> = {
      thread_id: threadId ?? null,
      assistant_id: assistant.assistant_id,
      run_id: runId,
      status: "pending",
      metadata: { ...(body.metadata ?? {}) },
      prevent_insert_if_inflight: strategy === "reject",
      multitask_strategy: strategy,
      if_not_exists: body.if_not_exists ?? "reject",
      after_seconds: body.after_seconds ?? 0,
      kwargs: { input: body.input, command: body.command, config: body.config, context: body.context, stream_mode: body.stream_mode },
    };
    const filters = await this.authz.check(ctx, "threads", "create_run", value);

    // A thread the run creates (stateless, or if_not_exists "create") is stored with the run, in one transaction.
    let thread: ThreadRecord | undefined;
    let created: ThreadRecord | undefined;
    if (stateless) {
      thread = created = newThread(newId(), { ...(value.metadata as Metadata) });
    } else {
      const stored = await this.backend.threads.get(threadId);
      thread = stored && this.authz.visible(stored.metadata, filters) ? stored : undefined;
      if (!thread) {
        if (stored || value.if_not_exists !== "create") throw new NotFoundError("thread", threadId);
        thread = created = newThread(threadId, { ...(value.metadata as Metadata) });
      }
    }
    const tid = thread.thread_id;

    // interrupt and rollback stop what is in flight in any process sharing the storage first. ("reject" is decided
    // by the transaction below, atomically; "enqueue" queues behind whatever is there.)
    if (strategy === "interrupt" || strategy === "rollback") {
      const inflight = (await this.backend.runs.listByStatus(["pending", "running"], tid)).map((r) => r.run_id);
      await Promise.all(inflight.map((id) => this.executor.cancel(id, strategy)));
    }

    const now = nowIso();
    const run: RunRecord = {
      run_id: runId,
      thread_id: tid,
      assistant_id: assistant.assistant_id,
      created_at: now,
      updated_at: now,
      status: "pending",
      metadata: value.metadata as Metadata,
      kwargs: this.buildKwargs(ctx, body, runId, tid, assistant, stateless, thread),
      multitask_strategy: strategy,
      ...(body.after_seconds ? { not_before: new Date(Date.now() + body.after_seconds * 1000).toISOString() } : {}),
    };
    // One transaction: after a crash the run and its busy thread are there together or not at all.
    await this.backend.transaction(async (tx) => {
      const current = (await tx.threads.get(tid)) ?? created;
      if (!current) throw new NotFoundError("thread", tid); // deleted meanwhile
      // Checked again inside: a run another request stored since the check above is seen here.
      if (strategy === "reject" && (await tx.runs.listByStatus(["pending", "running"], tid)).length > 0) {
        throw new ConflictError("Thread is already running a task. Wait for it to finish or choose a different multitask strategy.");
      }
      // The thread remembers which graph and assistant it runs (state reads need the graph).
      await tx.threads.put({
        ...current,
        metadata: { ...current.metadata, graph_id: assistant.graph_id, assistant_id: assistant.assistant_id },
        // A run that starts an idle thread leaves its config there (state reads build factory graphs with it).
        ...(current.status !== "busy" ? { config: mergeConfigs(assistant.config, current.config, body.config) } : {}),
        status: "busy",
        updated_at: now,
      });
      await tx.runs.put(run);
    });
    this.executor.enqueue(run);
    return run;
  }

  async list(ctx: RequestContext, threadId: string, q: { limit?: number; offset?: number; status?: string; select?: string[] }): Promise<RunView[]> {
    await this.threads.getFor(ctx, threadId, "search", { status: q.status, limit: q.limit ?? 10, offset: q.offset ?? 0 });
    const runs = await this.backend.runs.listByThread(threadId, { status: q.status as RunStatus | undefined, offset: q.offset, limit: q.limit });
    const select = typeof q.select === "string" ? [q.select] : q.select;
    return runs.map((r) => pick(viewRun(r), select) as RunView);
  }

  async get(ctx: RequestContext, threadId: string, runId: string): Promise<RunRecord> {
    await this.threads.getFor(ctx, threadId, "read");
    return await this.runOf(threadId, runId);
  }

  async delete(ctx: RequestContext, threadId: string, runId: string): Promise<void> {
    await this.threads.getFor(ctx, threadId, "delete", { run_id: runId });
    const run = await this.runOf(threadId, runId);
    if (run.status === "pending" || run.status === "running") {
      throw new ConflictError(`Run ${runId} is still ${run.status}: cancel it before deleting it`);
    }
    await this.backend.runs.delete(runId);
    this.streams.drop(runId);
  }

  async cancel(ctx: RequestContext, threadId: string, runId: string, opts: { wait?: boolean; action?: "interrupt" | "rollback" }): Promise<void> {
    await this.threads.getFor(ctx, threadId, "update", { action: opts.action ?? "interrupt" });
    const run = await this.runOf(threadId, runId);
    // Cancelling a run that has already ended is a no-op, as on LangGraph Platform: a client racing the run's
    // end (the Studio's stop button) must not get an error for it.
    if (run.status !== "pending" && run.status !== "running") return;
    const done = this.executor.cancel(runId, opts.action ?? "interrupt");
    if (opts.wait) await done;
  }

  /** Cancel many runs: by ids on a thread, or every run of a status ("pending", "running", "all"). */
  async cancelMany(
    ctx: RequestContext,
    q: { thread_id?: string; run_ids?: string[]; status?: "pending" | "running" | "all"; action?: "interrupt" | "rollback" },
  ): Promise<void> {
    const targets: RunRecord[] = [];
    if (q.run_ids?.length) {
      if (!q.thread_id) throw new ValidationError("body/thread_id is required with run_ids");
      await this.threads.getFor(ctx, q.thread_id, "update", { action: q.action ?? "interrupt" });
      for (const id of q.run_ids) targets.push(await this.runOf(q.thread_id, id));
    } else if (q.status) {
      const wanted: RunStatus[] = q.status === "all" ? ["pending", "running"] : [q.status];
      for (const r of await this.backend.runs.listByStatus(wanted, q.thread_id)) {
        try {
          await this.threads.getFor(ctx, r.thread_id, "update", { action: q.action ?? "interrupt" });
          targets.push(r);
        } catch {
          // not visible to this user: not theirs to cancel
        }
      }
    } else {
      throw new ValidationError("body must name run_ids (with thread_id) or a status");
    }
    await Promise.all(targets.filter((r) => r.status === "pending" || r.status === "running").map((r) => this.executor.cancel(r.run_id, q.action ?? "interrupt")));
  }

  /** Wait for a run to end; the outcome carries the final values or the error. */
  async join(ctx: RequestContext, threadId: string, runId: string): Promise<RunOutcome> {
    await this.threads.getFor(ctx, threadId, "read");
    await this.runOf(threadId, runId);
    return this.executor.wait(runId);
  }

  /** Wait for a run created by this request (no visibility check needed). */
  waitFor(runId: string): Promise<RunOutcome> {
    return this.executor.wait(runId);
  }

  /**
   * Follow a run's events (joining an existing run). As on the official server the answer is always a stream: a
   * thread the caller cannot see, or a run that is not on it, is an `error` event in it (hidden and unknown threads
   * alike once custom auth is on, so that the answer does not tell them apart).
   */
  async joinStream(ctx: RequestContext, threadId: string, runId: string, opts: SubscribeOptions): Promise<Joined> {
    try {
      await this.threads.getFor(ctx, threadId, "read");
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      if (ctx.auth || (await this.backend.threads.get(threadId))) return { events: errorStream({ error: "Error", message: "404: Thread not found" }), followed: false };
    }
    const run = await this.backend.runs.get(runId);
    if (!run || run.thread_id !== threadId) return { events: errorStream("Run not found"), followed: false };
    return { events: this.streams.subscribe(runId, { ...opts, run: storedRun(run) }), followed: true };
  }

  /** Follow a run known by its id alone (GET /runs/{run_id}/stream): an unknown or hidden run is an empty stream. */
  async joinStreamByRun(ctx: RequestContext, runId: string, opts: SubscribeOptions): Promise<Joined> {
    const run = await this.backend.runs.get(runId);
    if (!run) return { events: errorStream(), followed: false };
    try {
      await this.threads.getFor(ctx, run.thread_id, "read");
    } catch (err) {
      if (err instanceof NotFoundError) return { events: errorStream(), followed: false };
      throw err;
    }
    return { events: this.streams.subscribe(runId, { ...opts, run: storedRun(run) }), followed: true };
  }

  /** Follow a run this request just created: from its first event. */
  streamOf(runId: string, signal?: AbortSignal): AsyncGenerator<RunEvent> {
    return this.streams.subscribe(runId, { fromStart: true, signal });
  }

  /** Cancel a run whose streaming client went away (on_disconnect: "cancel"). */
  cancelUnchecked(runId: string): Promise<void> {
    return this.executor.cancel(runId, "interrupt");
  }

  /** The thread of a run (404 when the run is unknown); visibility is checked by the caller through the thread. */
  async threadOf(runId: string): Promise<string> {
    const run = await this.backend.runs.get(runId);
    if (!run) throw new NotFoundError("run", runId);
    return run.thread_id;
  }

  private async runOf(threadId: string, runId: string): Promise<RunRecord> {
    const run = await this.backend.runs.get(runId);
    if (!run || run.thread_id !== threadId) throw new NotFoundError("run", runId);
    return run;
  }

  private buildKwargs(
    ctx: RequestContext,
    body: RunCreate,
    runId: string,
    threadId: string,
    assistant: { assistant_id: string; graph_id: string; config: Record<string, unknown>; context: Record<string, unknown>; metadata?: Metadata },
    stateless: boolean,
    thread: { metadata?: Metadata; config?: Record<string, unknown> },
  ): RunKwargs {
    const aConfig = assistant.config as RunCreate["config"] & object;
    const threadConfig = thread.config;
    const threadMetadata = thread.metadata ?? {};
    const user = ctx.auth?.user;
    const configurable: Record<string, unknown> = {
      ...(aConfig.configurable ?? {}),
      ...((threadConfig?.configurable as object) ?? {}),
      ...(body.config?.configurable ?? {}),
      run_id: runId,
      graph_id: assistant.graph_id,
      assistant_id: assistant.assistant_id,
      ...(body.checkpoint_id ? { checkpoint_id: body.checkpoint_id } : {}),
      ...(body.checkpoint ?? {}),
      // After the checkpoint: `checkpoint.thread_id` naming another thread must not run on (and read) its checkpoints.
      thread_id: threadId,
      ...(user
        ? {
            user_id: user.identity,
            langgraph_auth_user: user,
            langgraph_auth_user_id: user.identity,
            langgraph_auth_permissions: ctx.auth?.permissions ?? [],
          }
        : {}),
    };
    const streamMode = body.stream_mode === undefined ? ["values"] : Array.isArray(body.stream_mode) ? body.stream_mode : [body.stream_mode];
    const context = { ...(assistant.context ?? {}), ...(body.context ?? {}) };
    return {
      input: body.input,
      command: body.command ?? null,
      config: {
        ...aConfig,
        ...(body.config ?? {}),
        configurable,
        // As on the official server, a run's metadata (which graphs, streams and checkpoints see) also carries the
        // assistant's and the thread's metadata.
        metadata: {
          ...((aConfig.metadata as object) ?? {}), ...((body.config?.metadata as object) ?? {}), ...assistant.metadata, ...threadMetadata, ...body.metadata,
          run_id: runId, thread_id: threadId, graph_id: assistant.graph_id, assistant_id: assistant.assistant_id,
        },
      },
      context: Object.keys(context).length > 0 ? context : undefined,
      stream_mode: streamMode,
      stream_subgraphs: body.stream_subgraphs ?? false,
      stream_resumable: body.stream_resumable ?? false,
      interrupt_before: body.interrupt_before,
      interrupt_after: body.interrupt_after,
      webhook: body.webhook,
      on_disconnect: body.on_disconnect ?? "continue",
      temporary: stateless && body.on_completion !== "keep",
      feedback_keys: body.feedback_keys,
      durability: body.durability ?? (body.checkpoint_during === false ? "exit" : undefined),
    };
  }
}

/** A stream of one `error` event (or of nothing): how joining a stream that cannot be followed answers. */
async function* errorStream(data?: unknown): AsyncGenerator<JoinedEvent> {
  if (data !== undefined) yield { event: "error", data };
}

/**
 * The config a run leaves on its thread, as the official server merges it: the assistant's, then the thread's, then
 * the run's, `configurable` merged key by key. Only what users set: not the run's own ids, its user or checkpoint.
 */
export function mergeConfigs(...configs: Array<Record<string, unknown> | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const configurable: Record<string, unknown> = {};
  for (const c of configs) {
    if (!c) continue;
    Object.assign(out, c);
    Object.assign(configurable, (c.configurable as object | undefined) ?? {});
  }
  out.configurable = configurable;
  return out;
}

/** What RunStreams needs of a stored run to follow it from another process. */
function storedRun(run: RunRecord): NonNullable<SubscribeOptions["run"]> {
  return { thread_id: run.thread_id, status: run.status, resumable: run.kwargs.stream_resumable };
}
