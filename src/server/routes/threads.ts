import type { FastifyInstance } from "fastify";
import type { AppDeps } from "../app.js";
import { anyObject, asBool, limit, metadata, offset, qbool, select, sortOrder, threadIdParams, uuid } from "../schemas/common.js";

const FIELDS = ["thread_id", "created_at", "updated_at", "metadata", "config", "status", "values", "interrupts"] as const;
const statuses = { type: "string", enum: ["idle", "busy", "interrupted", "error"] } as const;
const searchProps = { metadata, values: anyObject, status: statuses, ids: { type: "array", items: uuid } } as const;
// Null members are allowed (as on the official server) so that a checkpoint the API returned can be sent back as is.
const checkpointObj = {
  type: "object",
  properties: {
    checkpoint_id: { type: ["string", "null"] },
    checkpoint_ns: { type: ["string", "null"] },
    checkpoint_map: { type: ["object", "null"] },
    thread_id: { type: ["string", "null"] },
  },
} as const;
/** A checkpoint from a body without its null members (they mean "not given"). */
const cleanCheckpoint = <T>(c: T): T =>
  (c && typeof c === "object" ? Object.fromEntries(Object.entries(c).filter(([, v]) => v !== null && v !== undefined)) : c) as T;
/** A body whose `checkpoint` (a checkpoint reference) is cleaned. */
const withCleanCheckpoint = <T extends { checkpoint?: unknown }>(b: T): T => (b.checkpoint ? { ...b, checkpoint: cleanCheckpoint(b.checkpoint) } : b);
type P = { thread_id: string };

/** /threads: CRUD, search, copy, state and history. */
export async function threadRoutes(app: FastifyInstance, { services }: AppDeps): Promise<void> {
  const { threads } = services;
  const tags = ["Threads"];

  app.post("/threads", {
    schema: {
      tags,
      body: {
        type: "object",
        properties: {
          thread_id: uuid,
          metadata,
          if_exists: { type: "string", enum: ["raise", "do_nothing"] },
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
      },
    },
  }, async (req) => threads.create(req.ctx, (req.body ?? {}) as never));

  app.post("/threads/search", {
    schema: {
      tags,
      body: {
        type: "object",
        properties: {
          ...searchProps,
          limit: limit(),
          offset,
          sort_by: { type: "string", enum: ["thread_id", "status", "created_at", "updated_at"] },
          sort_order: sortOrder,
          select: select(FIELDS),
        },
      },
    },
  }, async (req, reply) => {
    const { items, total } = await threads.search(req.ctx, (req.body ?? {}) as never);
    reply.header("X-Pagination-Total", String(total));
    const b = (req.body ?? {}) as { offset?: number; limit?: number };
    if ((b.offset ?? 0) + items.length < total) reply.header("X-Pagination-Next", String((b.offset ?? 0) + (b.limit ?? 10)));
    return items;
  });

  app.post("/threads/count", { schema: { tags, body: { type: "object", properties: searchProps } } }, async (req) =>
    threads.count(req.ctx, (req.body ?? {}) as never));

  app.post("/threads/prune", {
    schema: {
      tags,
      body: {
        type: "object",
        required: ["thread_ids"],
        properties: { thread_ids: { type: "array", items: uuid }, strategy: { type: "string", enum: ["delete", "keep_latest"], default: "delete" } },
      },
    },
  }, async (req) => {
    const b = req.body as { thread_ids: string[]; strategy: "delete" | "keep_latest" };
    return { pruned_count: await threads.prune(req.ctx, b.thread_ids, b.strategy) };
  });

  app.get("/threads/:thread_id", { schema: { tags, params: threadIdParams } }, async (req) => threads.get(req.ctx, (req.params as P).thread_id));

  app.patch("/threads/:thread_id", { schema: { tags, params: threadIdParams, body: { type: "object", properties: { metadata } } } }, async (req) =>
    threads.patch(req.ctx, (req.params as P).thread_id, (req.body ?? {}) as never));

  app.delete("/threads/:thread_id", { schema: { tags, params: threadIdParams } }, async (req, reply) => {
    await threads.delete(req.ctx, (req.params as P).thread_id);
    return reply.code(204).send();
  });

  app.post("/threads/:thread_id/copy", { schema: { tags, params: threadIdParams } }, async (req) => threads.copy(req.ctx, (req.params as P).thread_id));

  app.get("/threads/:thread_id/state", {
    schema: { tags, params: threadIdParams, querystring: { type: "object", properties: { subgraphs: qbool } } },
  }, async (req) => threads.getState(req.ctx, (req.params as P).thread_id, { subgraphs: asBool((req.query as { subgraphs?: unknown }).subgraphs) }));

  app.post("/threads/:thread_id/state", {
    schema: {
      tags,
      params: threadIdParams,
      body: { type: "object", properties: { values: {}, as_node: { type: "string" }, checkpoint_id: { type: "string" }, checkpoint: checkpointObj } },
    },
  }, async (req) => {
    const threadId = (req.params as P).thread_id;
    const out = await threads.updateState(req.ctx, threadId, withCleanCheckpoint((req.body ?? {}) as { checkpoint?: unknown }) as never);
    // Thread streams announce the new state (read only when someone follows the thread).
    if (services.streams.hasThreadListeners(threadId)) {
      const state = await threads.getState(req.ctx, threadId);
      services.streams.stateUpdate(threadId, { values: state.values, checkpoint: out.checkpoint });
    }
    return out;
  });

  app.patch("/threads/:thread_id/state", {
    schema: { tags, params: threadIdParams, body: { type: "object", required: ["metadata"], properties: { metadata } } },
  }, async (req, reply) => {
    await threads.patchState(req.ctx, (req.params as P).thread_id, (req.body as { metadata: Record<string, unknown> }).metadata);
    return reply.code(204).send();
  });

  app.get("/threads/:thread_id/state/:checkpoint_id", {
    schema: {
      tags,
      params: { type: "object", required: ["thread_id", "checkpoint_id"], properties: { thread_id: uuid, checkpoint_id: { type: "string" } } },
      querystring: { type: "object", properties: { subgraphs: qbool } },
    },
  }, async (req) => {
    const p = req.params as P & { checkpoint_id: string };
    return threads.getState(req.ctx, p.thread_id, { checkpoint: { checkpoint_id: p.checkpoint_id }, subgraphs: asBool((req.query as { subgraphs?: unknown }).subgraphs) });
  });

  app.post("/threads/:thread_id/state/checkpoint", {
    schema: { tags, params: threadIdParams, body: { type: "object", properties: { checkpoint: checkpointObj, subgraphs: { type: "boolean" } } } },
  }, async (req) => {
    const b = (req.body ?? {}) as { checkpoint?: Record<string, unknown>; subgraphs?: boolean };
    return threads.getState(req.ctx, (req.params as P).thread_id, { checkpoint: cleanCheckpoint(b.checkpoint), subgraphs: b.subgraphs });
  });

  const historyProps = { limit: limit(1000, 10), before: { anyOf: [{ type: "string" }, checkpointObj] }, metadata, checkpoint: checkpointObj } as const;
  app.get("/threads/:thread_id/history", {
    schema: { tags, params: threadIdParams, querystring: { type: "object", properties: { limit: limit(1000, 10), before: { type: "string" } } } },
  }, async (req) => threads.history(req.ctx, (req.params as P).thread_id, req.query as never));
  app.post("/threads/:thread_id/history", { schema: { tags, params: threadIdParams, body: { type: "object", properties: historyProps } } }, async (req) =>
    threads.history(req.ctx, (req.params as P).thread_id, withCleanCheckpoint((req.body ?? {}) as { checkpoint?: unknown }) as never));
}
