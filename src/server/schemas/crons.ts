import { limit, metadata, offset, select, sortOrder, uuid } from "./common.js";
import { runCreateBody } from "./runs.js";

const run = runCreateBody.properties;
const FIELDS = [
  "cron_id",
  "assistant_id",
  "thread_id",
  "end_time",
  "schedule",
  "created_at",
  "updated_at",
  "user_id",
  "payload",
  "next_run_date",
  "metadata",
  "now",
  "timezone",
  "enabled",
  "on_run_completed",
] as const;

/** The run fields a cron may carry (they go to every run it starts). */
const runFields = {
  input: run.input,
  command: run.command,
  config: run.config,
  context: run.context,
  metadata,
  interrupt_before: run.interrupt_before,
  interrupt_after: run.interrupt_after,
  webhook: run.webhook,
  multitask_strategy: run.multitask_strategy,
  stream_mode: run.stream_mode,
  stream_subgraphs: run.stream_subgraphs,
  stream_resumable: run.stream_resumable,
  checkpoint_during: { type: "boolean" },
  durability: { type: "string", enum: ["sync", "async", "exit"] },
} as const;

const cronFields = {
  schedule: { type: "string", minLength: 1 },
  timezone: { type: ["string", "null"] },
  end_time: { type: ["string", "null"] },
  enabled: { type: "boolean" },
  on_run_completed: { type: ["string", "null"], enum: ["delete", "keep", null] },
} as const;

/** Body of POST /runs/crons and POST /threads/{id}/runs/crons. */
export const cronCreateBody = {
  type: "object",
  required: ["assistant_id", "schedule"],
  properties: { assistant_id: run.assistant_id, ...cronFields, ...runFields },
} as const;

/** Body of PATCH /runs/crons/{cron_id}. */
export const cronPatchBody = { type: "object", properties: { ...cronFields, ...runFields } } as const;

const filterProps = { assistant_id: { type: "string" }, thread_id: uuid, enabled: { type: "boolean" }, metadata } as const;

/** Body of POST /runs/crons/search. */
export const cronSearchBody = {
  type: "object",
  properties: {
    ...filterProps,
    limit: limit(),
    offset,
    sort_by: { type: "string", enum: ["cron_id", "assistant_id", "thread_id", "created_at", "updated_at", "next_run_date", "end_time"] },
    sort_order: sortOrder,
    select: select(FIELDS),
  },
} as const;

/** Body of POST /runs/crons/count. */
export const cronCountBody = { type: "object", properties: filterProps } as const;

export const cronIdParams = { type: "object", required: ["cron_id"], properties: { cron_id: uuid } } as const;
