import { ConflictError, NotFoundError, ValidationError } from "../errors.js";
import { nextRunDate, ScheduleError } from "../runs/cron-scheduler.js";
import type { CronQuery, StorageBackend } from "../storage/backend.js";
import type { CronRecord, Metadata } from "../storage/types.js";
import type { AssistantsService } from "./assistants.js";
import type { Authorizer, RequestContext } from "./context.js";
import type { RunCreate, RunsService } from "./runs.js";
import type { ThreadsService } from "./threads.js";
import { newId, nowIso, toWire } from "../wire.js";
import { pick, type SearchQuery } from "./util.js";

/** The run fields a cron keeps in its `payload` and hands to every run it starts. */
const PAYLOAD_KEYS = [
  "assistant_id",
  "input",
  "command",
  "config",
  "context",
  "metadata",
  "interrupt_before",
  "interrupt_after",
  "webhook",
  "multitask_strategy",
  "stream_mode",
  "stream_subgraphs",
  "stream_resumable",
  "checkpoint_during",
  "durability",
] as const;

/** Body of `POST /runs/crons` and `POST /threads/{id}/runs/crons`. */
export interface CronCreate extends Partial<Record<(typeof PAYLOAD_KEYS)[number], unknown>> {
  assistant_id: string;
  schedule: string;
  timezone?: string | null;
  end_time?: string | null;
  enabled?: boolean;
  on_run_completed?: "delete" | "keep" | null;
  metadata?: Metadata;
}

/** Body of `PATCH /runs/crons/{cron_id}`: what is given changes; `end_time: null` clears the end. */
export type CronPatch = Partial<Omit<CronCreate, "assistant_id">>;

export interface CronSearch extends SearchQuery {
  assistant_id?: string;
  thread_id?: string;
  enabled?: boolean;
  metadata?: Metadata;
}

/** A cron as the API returns it. */
export type CronView = Omit<CronRecord, "auth">;

const view = (c: CronRecord): CronView => {
  const { auth: _a, ...rest } = c;
  return { ...rest, timezone: rest.timezone ?? null, on_run_completed: rest.on_run_completed ?? null };
};

/** What the crons service needs from the scheduler. */
export interface CronTimer {
  reschedule(cronId?: string): void;
}

/** Crons: runs started on a schedule, on one thread or each on a new thread (stateless). */
export class CronsService {
  private timer: CronTimer | undefined;

  constructor(
    private readonly backend: StorageBackend,
    private readonly authz: Authorizer,
    private readonly assistants: AssistantsService,
    private readonly threads: ThreadsService,
    private readonly runs: RunsService,
  ) {}

  /** Connect the scheduler (re-armed after every change). */
  bindTimer(timer: CronTimer): void {
    this.timer = timer;
  }

  async create(ctx: RequestContext, threadId: string | undefined, body: CronCreate): Promise<CronView> {
    const payload: Record<string, unknown> = {};
    for (const k of PAYLOAD_KEYS) if (body[k] !== undefined) payload[k] = body[k];
    const value: Record<string, unknown> = {
      cron_id: newId(),
      assistant_id: body.assistant_id,
      thread_id: threadId ?? null,
      schedule: body.schedule,
      timezone: body.timezone ?? null,
      end_time: body.end_time ?? null,
      user_id: ctx.auth?.user.identity ?? null,
      payload,
      metadata: { ...(body.metadata ?? {}) },
      enabled: body.enabled ?? true,
      on_run_completed: threadId === undefined ? (body.on_run_completed ?? "delete") : null,
    };
    await this.authz.check(ctx, "crons", "create", value);
    const schedule = String(value.schedule);
    const timezone = (value.timezone as string | null) ?? null;
    const endTime = checkEndTime(value.end_time);
    const next = scheduleOrThrow(() => nextRunDate(schedule, { timezone, endTime }));
    const assistant = await this.assistants.getForRun(ctx, String(value.assistant_id));
    if (threadId !== undefined) await this.threads.getFor(ctx, threadId, "read");
    const cronId = value.cron_id as string;
    const now = nowIso();
    const record: CronRecord = {
      cron_id: cronId,
      assistant_id: assistant.assistant_id,
      thread_id: threadId ?? null,
      schedule,
      timezone,
      payload: toWire({ ...(value.payload as object), assistant_id: assistant.assistant_id }),
      metadata: toWire(value.metadata),
      user_id: (value.user_id as string | null) ?? null,
      end_time: endTime,
      next_run_date: next,
      enabled: value.enabled !== false,
      on_run_completed: (value.on_run_completed as string | null) ?? null,
      auth: ctx.auth ? toWire({ user: ctx.auth.user, permissions: ctx.auth.permissions }) : null,
      created_at: now,
      updated_at: now,
    };
    if (!(await this.backend.crons.create(record))) throw new ConflictError(`Cron with ID ${cronId} already exists`);
    this.timer?.reschedule();
    return view(record);
  }

  async search(ctx: RequestContext, q: CronSearch): Promise<{ items: Partial<CronView>[]; total: number }> {
    const value: Record<string, unknown> = { assistant_id: q.assistant_id, thread_id: q.thread_id, limit: q.limit ?? 10, offset: q.offset ?? 0 };
    const filters = await this.authz.check(ctx, "crons", "search", value);
    const { items, total } = await this.backend.crons.search(this.query(q, filters));
    return { items: items.map((c) => pick(view(c), q.select)), total };
  }

  async count(ctx: RequestContext, q: CronSearch): Promise<number> {
    const filters = await this.authz.check(ctx, "crons", "search", { assistant_id: q.assistant_id, thread_id: q.thread_id });
    return (await this.backend.crons.search({ ...this.query(q, filters), limit: 0 })).total;
  }

  async get(ctx: RequestContext, cronId: string): Promise<CronView> {
    const filters = await this.authz.check(ctx, "crons", "read", { cron_id: cronId });
    return view(await this.visibleOrThrow(cronId, filters));
  }

  async update(ctx: RequestContext, cronId: string, patch: CronPatch): Promise<CronView> {
    const payload: Record<string, unknown> = {};
    for (const k of PAYLOAD_KEYS) if (k !== "assistant_id" && patch[k] !== undefined) payload[k] = patch[k];
    const value: Record<string, unknown> = { cron_id: cronId, payload, ...(patch.schedule !== undefined ? { schedule: patch.schedule } : {}) };
    if (patch.metadata !== undefined) value.metadata = { ...patch.metadata };
    const filters = await this.authz.check(ctx, "crons", "update", value);
    const current = await this.visibleOrThrow(cronId, filters);
    const schedule = (value.schedule as string | undefined) ?? current.schedule;
    const timezone = patch.timezone !== undefined ? patch.timezone : (current.timezone ?? null);
    const endTime = patch.end_time !== undefined ? checkEndTime(patch.end_time) : current.end_time;
    const next = scheduleOrThrow(() => nextRunDate(schedule, { timezone, endTime }));
    const { metadata: payloadMetadata, ...rest } = (value.payload as Record<string, unknown>) ?? {};
    const updated: CronRecord = {
      ...current,
      schedule,
      timezone,
      end_time: endTime,
      next_run_date: next,
      enabled: patch.enabled ?? current.enabled,
      on_run_completed: current.thread_id === null && patch.on_run_completed ? patch.on_run_completed : current.on_run_completed,
      payload: toWire({ ...current.payload, ...rest, ...(payloadMetadata !== undefined ? { metadata: payloadMetadata } : {}) }),
      metadata: value.metadata !== undefined ? toWire({ ...current.metadata, ...(value.metadata as Metadata) }) : current.metadata,
      updated_at: nowIso(),
    };
    await this.backend.crons.put(updated);
    this.timer?.reschedule();
    return view(updated);
  }

  async delete(ctx: RequestContext, cronId: string): Promise<void> {
    const filters = await this.authz.check(ctx, "crons", "delete", { cron_id: cronId });
    await this.visibleOrThrow(cronId, filters);
    await this.backend.crons.delete(cronId);
    this.timer?.reschedule(cronId);
  }

  /**
   * Start one scheduled run, acting as the cron's creator (the `threads:create_run` handler sees that user).
   * A stateless cron runs on a new thread, deleted afterwards unless `on_run_completed` is "keep".
   */
  async fire(cron: CronRecord): Promise<void> {
    // A cron goes with its thread and its assistant (as on the platform, where deleting them cascades).
    const gone =
      cron.thread_id !== null && !(await this.backend.threads.get(cron.thread_id))
        ? `thread ${cron.thread_id}`
        : !(await this.backend.assistants.get(cron.assistant_id))
          ? `assistant ${cron.assistant_id}`
          : undefined;
    if (gone) {
      await this.backend.crons.delete(cron.cron_id);
      throw new Error(`its ${gone} no longer exists; the cron was deleted`);
    }
    const ctx: RequestContext = cron.auth ? { auth: cron.auth as never } : {};
    const payload = cron.payload as Partial<RunCreate>;
    const body: RunCreate = {
      ...payload,
      assistant_id: cron.assistant_id,
      metadata: { ...(payload.metadata ?? {}), cron_id: cron.cron_id },
      ...(cron.thread_id === null ? { on_completion: cron.on_run_completed === "keep" ? "keep" : "delete" } : {}),
    };
    await this.runs.create(ctx, cron.thread_id ?? undefined, body);
  }

  /** Delete every cron (truncate). */
  async truncate(): Promise<void> {
    await this.backend.crons.clear();
    this.timer?.reschedule();
  }

  /** A search as the backend takes it (an assistant named by graph id is its system assistant). */
  private query(q: CronSearch, filters: Record<string, unknown> | undefined): CronQuery {
    return {
      assistantId: q.assistant_id ? this.assistants.resolveId(q.assistant_id) : undefined,
      threadId: q.thread_id,
      enabled: q.enabled,
      metadata: q.metadata,
      authFilters: filters,
      sortBy: q.sort_by,
      sortOrder: q.sort_order,
      offset: q.offset,
      limit: q.limit,
    };
  }

  private async visibleOrThrow(cronId: string, filters: Record<string, unknown> | undefined): Promise<CronRecord> {
    const c = await this.backend.crons.get(cronId);
    if (!c || !this.authz.visible(c.metadata, filters)) throw new NotFoundError("cron", cronId);
    return c;
  }
}

/** Run a schedule computation; a ScheduleError becomes a 422 naming the body field. */
function scheduleOrThrow<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ScheduleError) throw new ValidationError(`body/${err.field} is not a valid ${err.field === "timezone" ? "IANA timezone" : "cron schedule"}: ${err.message}`);
    throw err;
  }
}

/** An end time as an ISO string (normalised), or null; 422 when it is not a date. */
function checkEndTime(v: unknown): string | null {
  if (v === undefined || v === null || v === "") return null;
  const t = typeof v === "string" ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) throw new ValidationError(`body/end_time must be an ISO-8601 date-time, got ${JSON.stringify(v)}`);
  return new Date(t).toISOString();
}

