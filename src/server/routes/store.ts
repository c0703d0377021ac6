import type { FastifyInstance } from "fastify";
import type { AppDeps } from "../app.js";
import { anyObject, qbool, stringArray } from "../schemas/common.js";

/** /store: the long-term memory store. */
export async function storeRoutes(app: FastifyInstance, { services }: AppDeps): Promise<void> {
  const { store } = services;
  const tags = ["Store"];

  app.put("/store/items", {
    schema: {
      tags,
      body: {
        type: "object",
        required: ["namespace", "key", "value"],
        properties: {
          namespace: stringArray,
          key: { type: "string", minLength: 1 },
          value: { type: ["object", "null"], additionalProperties: true },
          index: { anyOf: [{ type: "boolean", enum: [false] }, stringArray, { type: "null" }] },
          ttl: { type: ["number", "null"], minimum: 0 },
        },
      },
    },
  }, async (req, reply) => {
    await store.put(req.ctx, req.body as never);
    return reply.code(204).send();
  });

  app.get("/store/items", {
    schema: {
      tags,
      querystring: {
        type: "object",
        required: ["key"],
        properties: { namespace: { anyOf: [{ type: "string" }, stringArray] }, key: { type: "string", minLength: 1 }, refresh_ttl: qbool },
      },
    },
  }, async (req) => {
    const q = req.query as { namespace?: string | string[]; key: string };
    const namespace = Array.isArray(q.namespace) ? q.namespace : q.namespace ? q.namespace.split(".") : [];
    return store.get(req.ctx, namespace, q.key);
  });

  app.delete("/store/items", {
    schema: { tags, body: { type: "object", required: ["namespace", "key"], properties: { namespace: stringArray, key: { type: "string", minLength: 1 } } } },
  }, async (req, reply) => {
    const b = req.body as { namespace: string[]; key: string };
    await store.delete(req.ctx, b.namespace, b.key);
    return reply.code(204).send();
  });

  app.post("/store/items/search", {
    schema: {
      tags,
      body: {
        type: "object",
        properties: {
          namespace_prefix: stringArray,
          filter: anyObject,
          limit: { type: "integer", minimum: 1, maximum: 1000, default: 10 },
          offset: { type: "integer", minimum: 0, default: 0 },
          query: { type: ["string", "null"] },
          refresh_ttl: { type: "boolean" },
        },
      },
    },
  }, async (req) => store.search(req.ctx, (req.body ?? {}) as never));

  app.post("/store/namespaces", {
    schema: {
      tags,
      body: {
        type: "object",
        properties: {
          prefix: stringArray,
          suffix: stringArray,
          max_depth: { type: "integer", minimum: 1 },
          limit: { type: "integer", minimum: 1, maximum: 1000, default: 100 },
          offset: { type: "integer", minimum: 0, default: 0 },
        },
      },
    },
  }, async (req) => store.listNamespaces(req.ctx, (req.body ?? {}) as never));
}
