/** Request shapes of /threads. */
import type { FromSchema } from "json-schema-to-ts";
import { THREAD_STATUSES } from "../../storage/types.js";
import { anyObject, ifExists, limit, metadata, offset, qbool, select, sortOrder, uuid } from "./common.js";

const FIELDS = ["thread_id", "created_at", "updated_at", "metadata", "config", "status", "values", "interrupts"] as const;
const status = { type: "string", enum: THREAD_STATUSES } as const;
const searchProps = { metadata, values: anyObject, status, ids: { type: "array", items: uuid } } as const;

/** A checkpoint reference. Null members are allowed (as on the official server) so that a checkpoint the API returned can be sent back as is. */
export const checkpointRef = {
  type: "object",
  properties: {
    checkpoint_id: { type: ["string", "null"] },
    checkpoint_ns: { type: ["string", "null"] },
    checkpoint_map: { type: ["object", "null"] },
    thread_id: { type: ["string", "null"] },
  },
} as const;
export type CheckpointRef = FromSchema<typeof checkpointRef>;

/** A thread's time-to-live as the SDKs send it: `{strategy, ttl}` (minutes), or a bare number of minutes. */
const threadTtl = {
  anyOf: [
    { type: "object", required: ["ttl"], properties: { strategy: { type: "string", enum: ["delete", "keep_latest"] }, ttl: { type: "number", minimum: 0 } } },
    { type: "number", minimum: 0 },
    { type: "null" },
  ],
} as const;

/** Body of POST /threads. */
export const threadCreateBody = {
  type: "object",
  properties: {
    thread_id: uuid,
    metadata,
    if_exists: ifExists,
    ttl: threadTtl,
    supersteps: {
      type: "array",
      items: {
        type: "object",
        required: ["updates"],
        properties: {
          updates: {
            type: "array",
            items: { type: "object", required: ["as_node"], properties: { values: {}, command: anyObject, as_node: { type: "string" } } },
          },
        },
      },
    },
  },
} as const;

/** Body of POST /threads/search. */
export const threadSearchBody = {
  type: "object",
  properties: {
    ...searchProps,
    limit: limit(),
    offset,
    sort_by: { type: "string", enum: ["thread_id", "status", "created_at", "updated_at"] },
    sort_order: sortOrder,
    select: select(FIELDS),
  },
} as const;

/** Body of POST /threads/count. */
export const threadCountBody = { type: "object", properties: searchProps } as const;

/** Body of POST /threads/prune. */
export const threadPruneBody = {
  type: "object",
  required: ["thread_ids"],
  properties: { thread_ids: { type: "array", items: uuid }, strategy: { type: "string", enum: ["delete", "keep_latest"], default: "delete" } },
} as const;

/** Body of PATCH /threads/{thread_id}. */
export const threadPatchBody = { type: "object", properties: { metadata, ttl: threadTtl } } as const;

/** Query of GET /threads/{thread_id}/state[/{checkpoint_id}]. */
export const subgraphsQuery = { type: "object", properties: { subgraphs: qbool } } as const;

/** Body of POST /threads/{thread_id}/state. */
export const stateUpdateBody = {
  type: "object",
  properties: { values: {}, as_node: { type: "string" }, checkpoint_id: { type: "string" }, checkpoint: checkpointRef },
} as const;

/** Body of PATCH /threads/{thread_id}/state. */
export const statePatchBody = { type: "object", required: ["metadata"], properties: { metadata } } as const;

/** Params of GET /threads/{thread_id}/state/{checkpoint_id}. */
export const checkpointParams = {
  type: "object",
  required: ["thread_id", "checkpoint_id"],
  properties: { thread_id: uuid, checkpoint_id: { type: "string" } },
} as const;

/** Body of POST /threads/{thread_id}/state/checkpoint. */
export const stateAtCheckpointBody = { type: "object", properties: { checkpoint: checkpointRef, subgraphs: { type: "boolean" } } } as const;

/** Query of GET /threads/{thread_id}/history. */
export const historyQuery = { type: "object", properties: { limit: limit(1000, 10), before: { type: "string" } } } as const;

/** Body of POST /threads/{thread_id}/history. */
export const historyBody = {
  type: "object",
  properties: { limit: limit(1000, 10), before: { anyOf: [{ type: "string" }, checkpointRef] }, metadata, checkpoint: checkpointRef },
} as const;
