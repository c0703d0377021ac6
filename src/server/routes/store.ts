import type { RoutePlugin, StoreRoutesDeps } from "../deps.js";
import { asBool } from "../schemas/common.js";
import { namespaceListBody, storeDeleteBody, storeGetQuery, storePutBody, storeSearchBody } from "../schemas/store.js";

/** /store: the long-term memory store. */
export const storeRoutes: RoutePlugin<StoreRoutesDeps> = async (app, { store }) => {
  const tags = ["Store"];

  app.put("/store/items", { schema: { tags, body: storePutBody } }, async (req, reply) => {
    await store.put(req.ctx, req.body);
    return reply.code(204).send();
  });

  app.get("/store/items", { schema: { tags, querystring: storeGetQuery } }, async (req) => {
    const { namespace, key, refresh_ttl } = req.query;
    return store.get(req.ctx, Array.isArray(namespace) ? namespace : namespace ? namespace.split(".") : [], key, refresh_ttl === undefined ? undefined : asBool(refresh_ttl));
  });

  app.delete("/store/items", { schema: { tags, body: storeDeleteBody } }, async (req, reply) => {
    await store.delete(req.ctx, req.body.namespace, req.body.key);
    return reply.code(204).send();
  });

  app.post("/store/items/search", { schema: { tags, body: storeSearchBody } }, async (req) => store.search(req.ctx, req.body));

  app.post("/store/namespaces", { schema: { tags, body: namespaceListBody } }, async (req) => store.listNamespaces(req.ctx, req.body));
};
