import type { RunnableConfig } from "@langchain/core/runnables";
import { ConflictError, NotFoundError, ValidationError } from "../errors.js";
import type { CompiledGraphLike } from "../graphs/types.js";
import type { GraphAccess } from "../runs/executor.js";

export type { GraphAccess };
import type { StorageBackend, ThreadQuery } from "../storage/backend.js";
import type { Metadata, ThreadRecord, ThreadStatus } from "../storage/types.js";
import type { Authorizer, RequestContext } from "./context.js";
import { emptyState, interruptsByTask, snapshotToState, type ThreadState } from "./state.js";
import { assertStorable } from "../json-limits.js";
import { newId, nowIso, serializeError, toWire } from "../wire.js";
import { pick, type SearchQuery } from "./util.js";
import { parseThreadTtl, resolveCheckpointerTtl, threadView, type CheckpointerTtlPolicy } from "./ttl.js";

/** What threads need from the run executor. */
export interface RunControl {
  /** Cancel every pending or running run of a thread and wait until none runs. */
  cancelThreadRuns(threadId: string): Promise<void>;
}

export interface ThreadCreate {
  thread_id?: string;
  metadata?: Metadata;
  if_exists?: "raise" | "do_nothing";
  /** `{strategy, ttl}` (minutes) or minutes: when the thread expires after its last activity. */
  ttl?: unknown;
  supersteps?: Array<{ updates: Array<{ values?: unknown; command?: unknown; as_node: string }> }>;
}

export interface ThreadSearch extends SearchQuery {
  metadata?: Metadata;
  ids?: string[];
  values?: Record<string, unknown>;
  status?: ThreadStatus;
}

export interface StateUpdate {
  values?: unknown;
  as_node?: string;
  checkpoint_id?: string;
  checkpoint?: { checkpoint_id?: string; checkpoint_ns?: string; checkpoint_map?: Record<string, unknown> };
}

/** Threads: conversations with their checkpointed state. */
export class ThreadsService {
  constructor(
    private readonly backend: StorageBackend,
    private readonly authz: Authorizer,
    private readonly graphs: GraphAccess,
    private readonly runs: RunControl,
    /** `checkpointer.ttl` of langgraph.json (threads show the TTL that applies to them). */
    readonly ttlPolicy: CheckpointerTtlPolicy = resolveCheckpointerTtl(undefined),
  ) {}

  async create(ctx: RequestContext, body: ThreadCreate): Promise<ThreadRecord> {
    const value: Record<string, unknown> = {
      thread_id: body.thread_id ?? newId(),
      metadata: { ...(body.metadata ?? {}) },
      if_exists: body.if_exists ?? "raise",
    };
    const filters = await this.authz.check(ctx, "threads", "create", value);
    const threadId = value.thread_id as string;
    const ttl = parseThreadTtl(body.ttl);
    const { thread, created } = await this.backend.threads.insert({ ...newThread(threadId, value.metadata as Metadata), ...(ttl ? { ttl } : {}) });
    if (!created) {
      if (value.if_exists === "do_nothing" && this.authz.visible(thread.metadata, filters)) return this.view(thread);
      throw new ConflictError(`Thread with ID ${threadId} already exists`);
    }
    if (!body.supersteps?.length) return this.view(thread);
    await this.applySupersteps(thread, body.supersteps);
    return this.view((await this.backend.threads.get(threadId)) ?? thread);
  }

  /** A thread as the API shows it (with its TTL and expiry when one applies). */
  view<T extends Partial<ThreadRecord>>(thread: T): T {
    return threadView(thread, this.ttlPolicy);
  }

  async get(ctx: RequestContext, threadId: string): Promise<ThreadRecord> {
    const filters = await this.authz.check(ctx, "threads", "read", { thread_id: threadId });
    return this.view(await this.visibleOrThrow(threadId, filters));
  }

  /**
   * Look a thread up for an operation of `action` (e.g. runs read through their thread); 404 when hidden.
   * `extra` joins `thread_id` in the handler's value (`run_id` of a deleted run, `action` of a cancel, ...).
   */
  async getFor(ctx: RequestContext, threadId: string, action: "read" | "update" | "delete" | "search", extra: Record<string, unknown> = {}): Promise<ThreadRecord> {
    const filters = await this.authz.check(ctx, "threads", action, { ...extra, thread_id: threadId });
    return await this.visibleOrThrow(threadId, filters);
  }

  async patch(ctx: RequestContext, threadId: string, body: { metadata?: Metadata; ttl?: unknown }): Promise<ThreadRecord> {
    const value: Record<string, unknown> = { thread_id: threadId, metadata: { ...(body.metadata ?? {}) } };
    const filters = await this.authz.check(ctx, "threads", "update", value);
    const thread = await this.visibleOrThrow(threadId, filters);
    const ttl = parseThreadTtl(body.ttl);
    const next = await this.backend.threads.update(threadId, {
      metadata: { ...thread.metadata, ...(value.metadata as Metadata) },
      updated_at: nowIso(),
      ...(ttl ? { ttl } : {}),
    });
    if (!next) throw new NotFoundError("thread", threadId);
    return this.view(next);
  }

  async delete(ctx: RequestContext, threadId: string): Promise<void> {
    const filters = await this.authz.check(ctx, "threads", "delete", { thread_id: threadId });
    await this.visibleOrThrow(threadId, filters);
    await this.deleteUnchecked(threadId);
  }

  /** Delete a thread, its runs and its checkpoints (also used for stateless runs' temporary threads). */
  async deleteUnchecked(threadId: string): Promise<void> {
    await this.runs.cancelThreadRuns(threadId);
    await this.backend.threads.delete(threadId);
  }

  async search(ctx: RequestContext, q: ThreadSearch): Promise<{ items: Partial<ThreadRecord>[]; total: number }> {
    const value: Record<string, unknown> = { metadata: q.metadata ?? {}, values: q.values, status: q.status, limit: q.limit ?? 10, offset: q.offset ?? 0 };
    const filters = await this.authz.check(ctx, "threads", "search", value);
    const { items, total } = await this.backend.threads.search(this.query(q, filters));
    return { items: items.map((t) => pick(this.view(t), q.select)), total };
  }

  async count(ctx: RequestContext, q: ThreadSearch): Promise<number> {
    const filters = await this.authz.check(ctx, "threads", "search", { metadata: q.metadata ?? {}, values: q.values, status: q.status });
    return (await this.backend.threads.search({ ...this.query(q, filters), withItems: false })).total;
  }

  async copy(ctx: RequestContext, threadId: string): Promise<ThreadRecord> {
    const filters = await this.authz.check(ctx, "threads", "read", { thread_id: threadId });
    const source = await this.backend.threads.get(threadId);
    // Worded (and with the status) the official server uses for a copy of a missing or hidden thread.
    if (!source || !this.authz.visible(source.metadata, filters)) throw new ConflictError("Thread not found");
    const value: Record<string, unknown> = { thread_id: newId(), metadata: { ...source.metadata }, if_exists: "raise" };
    await this.authz.check(ctx, "threads", "create", value);
    const now = nowIso();
    const copy: ThreadRecord = {
      ...structuredClone(source),
      thread_id: value.thread_id as string,
      metadata: value.metadata as Metadata,
      created_at: now,
      updated_at: now,
      status: source.status === "busy" ? "idle" : source.status,
    };
    await this.backend.threads.copy(threadId, copy);
    return this.view(copy);
  }

  /** Keep only the latest checkpoints (`keep_latest`) or delete the threads (`delete`). */
  async prune(ctx: RequestContext, threadIds: string[], strategy: "delete" | "keep_latest"): Promise<number> {
    let pruned = 0;
    for (const id of threadIds) {
      const filters = await this.authz.check(ctx, "threads", strategy === "delete" ? "delete" : "update", { thread_id: id });
      const thread = await this.backend.threads.get(id);
      if (!thread || !this.authz.visible(thread.metadata, filters)) continue;
      if (strategy === "delete") await this.deleteUnchecked(id);
      else await this.backend.checkpoints.keepLatest(id);
      pruned += 1;
    }
    return pruned;
  }

  async getState(ctx: RequestContext, threadId: string, opts: { subgraphs?: boolean; checkpoint?: Record<string, unknown> } = {}): Promise<ThreadState> {
    const thread = await this.getFor(ctx, threadId, "read");
    return this.readState(thread, opts);
  }

  /** The thread's current (or a given checkpoint's) state, read through its graph. */
  async readState(thread: ThreadRecord, opts: { subgraphs?: boolean; checkpoint?: Record<string, unknown> } = {}): Promise<ThreadState> {
    const graph = await this.graphOf(thread);
    if (!graph) return emptyState();
    const config = this.stateConfig(thread, opts.checkpoint);
    const snapshot = await graph.getState(config, { subgraphs: opts.subgraphs ?? false });
    if (opts.checkpoint?.checkpoint_id && !snapshot.config) {
      throw new NotFoundError("checkpoint", opts.checkpoint.checkpoint_id as string);
    }
    return snapshotToState(snapshot);
  }

  async updateState(ctx: RequestContext, threadId: string, body: StateUpdate): Promise<{ checkpoint: unknown }> {
    const value: Record<string, unknown> = { thread_id: threadId, values: body.values, as_node: body.as_node };
    const filters = await this.authz.check(ctx, "threads", "update", value);
    const thread = await this.visibleOrThrow(threadId, filters);
    if (thread.status === "busy") throw new ConflictError(`Thread ${threadId} is busy: a run is pending or running`);
    const graph = await this.graphOf(thread);
    if (!graph) throw new ValidationError(`Thread ${threadId} has no graph yet: start a run on it before updating its state`);
    const checkpoint = body.checkpoint ?? (body.checkpoint_id ? { checkpoint_id: body.checkpoint_id } : undefined);
    let next: RunnableConfig | undefined;
    try {
      next = await graph.updateState(this.stateConfig(thread, checkpoint), value.values, body.as_node);
    } catch (err) {
      // An `as_node` the graph does not have, an ambiguous update: the client's mistake, named by LangGraph.
      if ((err as Error)?.name === "InvalidUpdateError") throw new ValidationError((err as Error).message);
      throw err;
    }
    await this.refresh(threadId);
    return { checkpoint: next?.configurable ?? null };
  }

  /** Update the metadata of the latest checkpoint (PATCH /threads/{id}/state). */
  async patchState(ctx: RequestContext, threadId: string, metadata: Metadata): Promise<void> {
    const filters = await this.authz.check(ctx, "threads", "update", { thread_id: threadId, metadata });
    await this.visibleOrThrow(threadId, filters);
    if (!(await this.backend.checkpoints.patchLatestMetadata(threadId, metadata))) {
      throw new NotFoundError("checkpoint", undefined, `Thread ${threadId} has no checkpoint`);
    }
  }

  async history(
    ctx: RequestContext,
    threadId: string,
    q: { limit?: number; before?: string | Record<string, unknown>; metadata?: Metadata; checkpoint?: Record<string, unknown> },
  ): Promise<ThreadState[]> {
    const thread = await this.getFor(ctx, threadId, "read");
    const graph = await this.graphOf(thread);
    if (!graph) return [];
    const before = typeof q.before === "string" ? { configurable: { checkpoint_id: q.before } } : q.before ? { configurable: q.before } : undefined;
    const out: ThreadState[] = [];
    for await (const snapshot of graph.getStateHistory(this.stateConfig(thread, q.checkpoint), { limit: q.limit ?? 10, before, filter: q.metadata })) {
      out.push(snapshotToState(snapshot));
    }
    return out;
  }

  /** Re-read a thread's values, status and interrupts from its latest checkpoint (after a run or a state update). */
  async refresh(threadId: string, override?: { status?: ThreadStatus; error?: unknown }): Promise<void> {
    const thread = await this.backend.threads.get(threadId);
    if (!thread) return;
    let state: ThreadState | undefined;
    try {
      state = await this.readState(thread);
    } catch {
      state = undefined; // graph gone (reload removed it): keep the last known values
    }
    let interrupts = state ? interruptsByTask(state) : thread.interrupts;
    let values = state ? state.values : thread.values;
    // A state the graph made too deep to serve back is not copied onto the thread (its lists would fail): the
    // thread keeps its last values and reports the error.
    let unstorable: Error | undefined;
    try {
      if (state) assertStorable({ values, interrupts }, "the thread's state");
    } catch (err) {
      unstorable = err as Error;
      values = thread.values;
      interrupts = thread.interrupts;
    }
    // As on LangGraph Platform: pending next nodes (an interrupt, or interrupt_before/after) mean "interrupted".
    const pending = state ? state.next.length > 0 : Object.keys(interrupts).length > 0;
    const status: ThreadStatus = override?.status ?? (unstorable ? "error" : pending ? "interrupted" : "idle");
    await this.backend.threads.update(threadId, {
      values,
      interrupts,
      status,
      error: override?.error ?? (unstorable ? serializeError(unstorable) : undefined),
      updated_at: nowIso(),
    });
  }

  /** A run ended normally with these final values and nothing pending: the thread is idle with them. */
  async settleValues(threadId: string, values: unknown): Promise<void> {
    await this.backend.threads.update(threadId, { values, interrupts: {}, status: "idle", error: undefined, updated_at: nowIso() });
  }

  /** Set a thread's status without re-reading state. */
  async setStatus(threadId: string, status: ThreadStatus): Promise<void> {
    const thread = await this.backend.threads.get(threadId);
    if (thread && thread.status !== status) await this.backend.threads.update(threadId, { status, updated_at: nowIso() });
  }

  /** A search as the backend takes it: the API's filters, the auth filters, sort and page. */
  private query(q: ThreadSearch, filters: Record<string, unknown> | undefined): ThreadQuery {
    return {
      ids: q.ids,
      status: q.status,
      metadata: q.metadata,
      values: q.values === undefined ? undefined : toWire(q.values),
      authFilters: filters,
      sortBy: q.sort_by,
      sortOrder: q.sort_order,
      offset: q.offset,
      limit: q.limit,
    };
  }

  private async graphOf(thread: ThreadRecord): Promise<CompiledGraphLike | undefined> {
    const graphId = thread.metadata?.graph_id as string | undefined;
    if (!graphId || !this.graphs.has(graphId)) return undefined;
    // A factory graph (`(config) => graph`) is built with the thread's config: the assistant, thread and run config
    // its last run started with, so its state reads and updates see the graph that run used.
    const config = thread.config ?? {};
    return this.graphs.resolve(graphId, { ...config, configurable: { ...((config.configurable as object) ?? {}), thread_id: thread.thread_id } });
  }

  /** The config that addresses a thread's state (at a checkpoint): only ids, as the official server reads it. */
  private stateConfig(thread: ThreadRecord, checkpoint?: Record<string, unknown>): RunnableConfig {
    return { configurable: { ...(checkpoint ?? {}), thread_id: thread.thread_id } };
  }

  private async applySupersteps(thread: ThreadRecord, supersteps: NonNullable<ThreadCreate["supersteps"]>): Promise<void> {
    const graph = await this.graphOf(thread);
    if (!graph || typeof graph.bulkUpdateState !== "function") {
      throw new ValidationError("supersteps need metadata.graph_id naming a graph of this server");
    }
    await (graph.bulkUpdateState as (c: RunnableConfig, s: unknown) => Promise<unknown>)(
      { configurable: { thread_id: thread.thread_id } },
      supersteps.map((s) => ({ updates: s.updates.map((u) => ({ values: u.values, asNode: u.as_node })) })),
    );
    await this.refresh(thread.thread_id);
  }

  private async visibleOrThrow(threadId: string, filters: Record<string, unknown> | undefined): Promise<ThreadRecord> {
    const t = await this.backend.threads.get(threadId);
    if (!t || !this.authz.visible(t.metadata, filters)) throw new NotFoundError("thread", threadId);
    return t;
  }
}

/** A new idle thread. */
export function newThread(threadId: string, metadata: Metadata): ThreadRecord {
  const now = nowIso();
  return { thread_id: threadId, created_at: now, updated_at: now, metadata, status: "idle", config: {}, values: null, interrupts: {} };
}
