/** Request shapes of /assistants. */
import { anyObject, assistantIdParams, ifExists, limit, metadata, offset, qbool, select, sortOrder } from "./common.js";

const FIELDS = ["assistant_id", "graph_id", "name", "description", "config", "context", "metadata", "version", "created_at", "updated_at"] as const;

/** Body of POST /assistants. */
export const assistantCreateBody = {
  type: "object",
  required: ["graph_id"],
  properties: {
    graph_id: { type: "string", minLength: 1 },
    assistant_id: { type: "string", format: "uuid" },
    config: anyObject,
    context: anyObject,
    metadata,
    if_exists: ifExists,
    name: { type: "string" },
    description: { type: ["string", "null"] },
  },
} as const;

/** Body of POST /assistants/search. */
export const assistantSearchBody = {
  type: "object",
  properties: {
    graph_id: { type: "string" },
    name: { type: "string" },
    metadata,
    limit: limit(),
    offset,
    sort_by: { type: "string", enum: ["assistant_id", "graph_id", "name", "created_at", "updated_at"] },
    sort_order: sortOrder,
    select: select(FIELDS),
  },
} as const;

/** Body of POST /assistants/count. */
export const assistantCountBody = { type: "object", properties: { graph_id: { type: "string" }, metadata, name: { type: "string" } } } as const;

/** Body of PATCH /assistants/{assistant_id}. */
export const assistantPatchBody = {
  type: "object",
  properties: { graph_id: { type: "string" }, config: anyObject, context: anyObject, metadata, name: { type: "string" }, description: { type: ["string", "null"] } },
} as const;

/** Query of DELETE /assistants/{assistant_id}. */
export const assistantDeleteQuery = { type: "object", properties: { delete_threads: qbool } } as const;

/** Body of POST /assistants/{assistant_id}/versions. */
export const versionsBody = { type: "object", properties: { metadata, limit: limit(), offset } } as const;

/** Body of POST /assistants/{assistant_id}/latest. */
export const setLatestBody = { type: "object", required: ["version"], properties: { version: { type: "integer", minimum: 1 } } } as const;

/** Query of GET /assistants/{assistant_id}/graph. */
export const xrayQuery = { type: "object", properties: { xray: { anyOf: [{ type: "integer", minimum: 0 }, qbool] } } } as const;

/** Query of GET /assistants/{assistant_id}/subgraphs[/{namespace}]. */
export const subgraphQuery = { type: "object", properties: { recurse: qbool } } as const;

/** Params of GET /assistants/{assistant_id}/subgraphs/{namespace}. */
export const subgraphParams = { ...assistantIdParams, properties: { ...assistantIdParams.properties, namespace: { type: "string" } } } as const;
