import type { FastifyInstance } from "fastify";
import { NotFoundError } from "../../errors.js";
import type { AppDeps } from "../app.js";
import { anyObject, asBool, assistantIdParams, limit, metadata, offset, qbool, select, sortOrder } from "../schemas/common.js";

const FIELDS = ["assistant_id", "graph_id", "name", "description", "config", "context", "metadata", "version", "created_at", "updated_at"] as const;
const searchBody = {
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

/** /assistants: CRUD, search, versions and graph introspection. */
export async function assistantRoutes(app: FastifyInstance, { services, introspect }: AppDeps): Promise<void> {
  const { assistants } = services;
  const tags = ["Assistants"];

  app.post("/assistants", {
    schema: {
      tags,
      body: {
        type: "object",
        required: ["graph_id"],
        properties: {
          graph_id: { type: "string", minLength: 1 },
          assistant_id: { type: "string", format: "uuid" },
          config: anyObject,
          context: anyObject,
          metadata,
          if_exists: { type: "string", enum: ["raise", "do_nothing"] },
          name: { type: "string" },
          description: { type: ["string", "null"] },
        },
      },
    },
  }, async (req) => assistants.create(req.ctx, req.body as never));

  app.post("/assistants/search", { schema: { tags, body: searchBody } }, async (req, reply) => {
    const { items, total } = await assistants.search(req.ctx, (req.body ?? {}) as never);
    reply.header("X-Pagination-Total", String(total));
    const b = (req.body ?? {}) as { offset?: number; limit?: number };
    if ((b.offset ?? 0) + items.length < total) reply.header("X-Pagination-Next", String((b.offset ?? 0) + (b.limit ?? 10)));
    return items;
  });

  app.post("/assistants/count", { schema: { tags, body: { type: "object", properties: { graph_id: { type: "string" }, metadata, name: { type: "string" } } } } },
    async (req) => assistants.count(req.ctx, (req.body ?? {}) as never));

  app.get("/assistants/:assistant_id", { schema: { tags, params: assistantIdParams } }, async (req) =>
    assistants.get(req.ctx, (req.params as { assistant_id: string }).assistant_id));

  app.patch("/assistants/:assistant_id", {
    schema: {
      tags,
      params: assistantIdParams,
      body: {
        type: "object",
        properties: { graph_id: { type: "string" }, config: anyObject, context: anyObject, metadata, name: { type: "string" }, description: { type: ["string", "null"] } },
      },
    },
  }, async (req) => assistants.patch(req.ctx, (req.params as { assistant_id: string }).assistant_id, (req.body ?? {}) as never));

  app.delete("/assistants/:assistant_id", {
    schema: { tags, params: assistantIdParams, querystring: { type: "object", properties: { delete_threads: qbool } } },
  }, async (req, reply) => {
    const id = await assistants.delete(req.ctx, (req.params as { assistant_id: string }).assistant_id);
    if (asBool((req.query as { delete_threads?: unknown }).delete_threads)) await services.deleteThreadsOfAssistant(req.ctx, id);
    // The official server answers 200 with the deleted ids.
    return reply.code(200).send([id]);
  });

  app.post("/assistants/:assistant_id/versions", {
    schema: { tags, params: assistantIdParams, body: { type: "object", properties: { metadata, limit: limit(), offset } } },
  }, async (req) => assistants.versions(req.ctx, (req.params as { assistant_id: string }).assistant_id, (req.body ?? {}) as never));

  app.post("/assistants/:assistant_id/latest", {
    schema: { tags, params: assistantIdParams, body: { type: "object", required: ["version"], properties: { version: { type: "integer", minimum: 1 } } } },
  }, async (req) => assistants.setLatest(req.ctx, (req.params as { assistant_id: string }).assistant_id, (req.body as { version: number }).version));

  const xrayQuery = {
    type: "object",
    properties: { xray: { anyOf: [{ type: "integer", minimum: 0 }, qbool] } },
  } as const;

  /** The assistant's graph, resolved with the assistant's config (404 when hidden or the graph is gone). */
  const graphFor = async (ctx: Parameters<typeof assistants.getForUse>[0], id: string) => {
    const a = await assistants.getForUse(ctx, id);
    if (!services.graphs.has(a.graph_id)) throw new NotFoundError("graph", undefined, `Graph "${a.graph_id}" not found`);
    return { assistant: a, graph: await services.graphs.resolve(a.graph_id, { configurable: (a.config as { configurable?: Record<string, unknown> }).configurable ?? {} }) };
  };

  app.get("/assistants/:assistant_id/graph", { schema: { tags, params: assistantIdParams, querystring: xrayQuery } }, async (req) => {
    const { graph } = await graphFor(req.ctx, (req.params as { assistant_id: string }).assistant_id);
    const xray = (req.query as { xray?: unknown }).xray;
    return introspect.graphToJson(graph, { xray: typeof xray === "number" ? xray : asBool(xray) });
  });

  app.get("/assistants/:assistant_id/schemas", { schema: { tags, params: assistantIdParams } }, async (req) => {
    const { assistant, graph } = await graphFor(req.ctx, (req.params as { assistant_id: string }).assistant_id);
    return introspect.graphSchemas(graph, assistant.graph_id);
  });

  const subgraphs = async (req: { ctx: never; params: unknown; query: unknown }) => {
    const { assistant, graph } = await graphFor(req.ctx, (req.params as { assistant_id: string }).assistant_id);
    const q = req.query as { recurse?: unknown };
    return introspect.listSubgraphs(graph, { graphId: assistant.graph_id, namespace: (req.params as { namespace?: string }).namespace, recurse: asBool(q.recurse) });
  };
  const subgraphQuery = { type: "object", properties: { recurse: qbool } } as const;
  app.get("/assistants/:assistant_id/subgraphs", { schema: { tags, params: assistantIdParams, querystring: subgraphQuery } }, (req) => subgraphs(req as never));
  app.get("/assistants/:assistant_id/subgraphs/:namespace", {
    schema: { tags, params: { ...assistantIdParams, properties: { ...assistantIdParams.properties, namespace: { type: "string" } } }, querystring: subgraphQuery },
  }, (req) => subgraphs(req as never));
}
