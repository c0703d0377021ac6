import { anyObject, metadata, qbool, stringArray, uuid } from "./common.js";

const streamModes = ["values", "updates", "messages", "messages-tuple", "custom", "events", "debug", "tasks", "checkpoints", "tools"];
const interruptList = { anyOf: [{ type: "string", enum: ["*"] }, stringArray] };

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
    stream_mode: {
      anyOf: [
        { type: "string", enum: streamModes },
        { type: "array", items: { type: "string", enum: streamModes } },
      ],
    },
    stream_subgraphs: { type: "boolean" },
    stream_resumable: { type: "boolean" },
    interrupt_before: interruptList,
    interrupt_after: interruptList,
    multitask_strategy: { type: "string", enum: ["reject", "interrupt", "rollback", "enqueue"] },
    if_not_exists: { type: "string", enum: ["reject", "create"] },
    on_disconnect: { type: "string", enum: ["continue", "cancel"] },
    on_completion: { type: "string", enum: ["delete", "keep"] },
    after_seconds: { type: "number", minimum: 0 },
    webhook: { type: "string", pattern: "^(/|https?://)" },
    feedback_keys: stringArray,
    durability: { type: "string", enum: ["sync", "async", "exit"] },
    checkpoint_during: { type: "boolean" },
    strict_resume: { type: "boolean" },
    langsmith_tracer: anyObject,
  },
} as const;

export const runListQuery = {
  type: "object",
  properties: {
    limit: { type: "integer", minimum: 1, maximum: 1000, default: 10 },
    offset: { type: "integer", minimum: 0, default: 0 },
    status: { type: "string", enum: ["pending", "running", "success", "error", "interrupted", "timeout"] },
    select: { anyOf: [stringArray, { type: "string" }] },
  },
} as const;

export const cancelQuery = {
  type: "object",
  properties: {
    wait: qbool,
    action: { type: "string", enum: ["interrupt", "rollback"], default: "interrupt" },
  },
} as const;

export const cancelManyBody = {
  type: "object",
  properties: {
    thread_id: uuid,
    run_ids: { type: "array", items: uuid },
    status: { type: "string", enum: ["pending", "running", "all"] },
  },
} as const;

export const runBatchBody = { type: "array", items: runCreateBody, minItems: 1, maxItems: 1000 } as const;

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * The JS SDK's `runs.createBatch` sends each payload's keys as written (`onCompletion`, `streamMode`, `afterSeconds`…),
 * only adding `assistant_id`. Read those camelCase keys as the run fields they name, so the options take effect;
 * a snake_case key given as well wins. Anything that is not an array of objects is left for validation to reject.
 */
export function snakeCaseBatchItems(body: unknown): unknown {
  if (!Array.isArray(body)) return body;
  const known = new Set(Object.keys(runCreateBody.properties));
  return body.map((item) => {
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
  });
}
