/** Request shapes of runs (on a thread and stateless). */
import type { FromSchema } from "json-schema-to-ts";
import { STREAM_MODES } from "../../runs/modes.js";
import { MULTITASK_STRATEGIES, RUN_STATUSES } from "../../storage/types.js";
import { anyObject, durability, limit, metadata, offset, qbool, qModes, stringArray, uuid } from "./common.js";

const interruptList = { anyOf: [{ type: "string", enum: ["*"] }, stringArray] } as const;
const streamMode = { type: "string", enum: STREAM_MODES } as const;

/** Body of every run-creating endpoint (thread and stateless). */
export const runCreateBody = {
  type: "object",
  required: ["assistant_id"],
  properties: {
    assistant_id: { type: "string", minLength: 1 },
    input: {},
    command: {
      type: ["object", "null"],
      properties: { resume: {}, update: {}, goto: {} },
    },
    config: {
      type: "object",
      additionalProperties: true,
      properties: {
        configurable: anyObject,
        tags: stringArray,
        recursion_limit: { type: "integer", minimum: 1 },
      },
    },
    context: anyObject,
    metadata,
    checkpoint_id: { type: "string" },
    checkpoint: anyObject,
    stream_mode: { anyOf: [streamMode, { type: "array", items: streamMode }] },
    stream_subgraphs: { type: "boolean" },
    stream_resumable: { type: "boolean" },
    interrupt_before: interruptList,
    interrupt_after: interruptList,
    multitask_strategy: { type: "string", enum: MULTITASK_STRATEGIES },
    if_not_exists: { type: "string", enum: ["reject", "create"] },
    on_disconnect: { type: "string", enum: ["continue", "cancel"] },
    on_completion: { type: "string", enum: ["delete", "keep"] },
    after_seconds: { type: "number", minimum: 0 },
    webhook: { type: "string", pattern: "^(/|https?://)" },
    feedback_keys: stringArray,
    durability,
    checkpoint_during: { type: "boolean" },
    strict_resume: { type: "boolean" },
    langsmith_tracer: anyObject,
  },
} as const;

/** Query of GET /threads/{thread_id}/runs. */
export const runListQuery = {
  type: "object",
  properties: {
    limit: limit(),
    offset,
    status: { type: "string", enum: RUN_STATUSES },
    select: { anyOf: [stringArray, { type: "string" }] },
  },
} as const;

/** Query of the cancel endpoints. */
export const cancelQuery = {
  type: "object",
  properties: {
    wait: qbool,
    action: { type: "string", enum: ["interrupt", "rollback"], default: "interrupt" },
  },
} as const;

/** Body of POST /runs/cancel. */
export const cancelManyBody = {
  type: "object",
  properties: {
    thread_id: uuid,
    run_ids: { type: "array", items: uuid },
    status: { type: "string", enum: ["pending", "running", "all"] },
  },
} as const;

/** Body of POST /runs/batch. */
export const runBatchBody = { type: "array", items: runCreateBody, minItems: 1, maxItems: 1000 } as const;

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * The JS SDK's `runs.createBatch` sends each payload's keys as written (`onCompletion`, `streamMode`, `afterSeconds`…),
 * only adding `assistant_id`. Read those camelCase keys as the run fields they name, so the options take effect;
 * a snake_case key given as well wins. Anything that is not an array of objects is left for validation to reject.
 */
export function snakeCaseBatchItems<B>(body: B): B {
  if (!Array.isArray(body)) return body;
  const known = new Set(Object.keys(runCreateBody.properties));
  // Typed as what validation will make of it (this runs just before validation, as a preValidation hook).
  return body.map((item: unknown) => {
    if (item === null || typeof item !== "object" || Array.isArray(item)) return item;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(item as Record<string, unknown>)) {
      const s = snake(k);
      if (s !== k && known.has(s)) {
        if (!(s in (item as object))) out[s] = v;
      } else {
        out[k] = v;
      }
    }
    return out;
  }) as B;
}

/** Query of the run stream joins (GET …/runs/{run_id}/stream, GET /runs/{run_id}/stream). */
export const joinQuery = { type: "object", properties: { cancel_on_disconnect: qbool, stream_mode: qModes } } as const;
export type JoinQuery = FromSchema<typeof joinQuery>;

/** Query of GET /threads/{thread_id}/stream. */
export const threadStreamQuery = { type: "object", properties: { stream_mode: qModes, stream_modes: qModes } } as const;

/** Params of GET /runs/{run_id}/stream. */
export const runIdParams = { type: "object", required: ["run_id"], properties: { run_id: uuid } } as const;
