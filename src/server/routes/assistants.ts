import { NotFoundError } from "../../errors.js";
import { isPlainObject } from "../../json-value.js";
import type { RequestContext } from "../../services/context.js";
import type { AssistantRoutesDeps, RoutePlugin } from "../deps.js";
import {
  assistantCountBody,
  assistantCreateBody,
  assistantDeleteQuery,
  assistantPatchBody,
  assistantSearchBody,
  setLatestBody,
  subgraphParams,
  subgraphQuery,
  versionsBody,
  xrayQuery,
} from "../schemas/assistants.js";
import { asBool, assistantIdParams } from "../schemas/common.js";
import { pageReply } from "./pagination.js";

/** /assistants: CRUD, search, versions and graph introspection. */
export const assistantRoutes: RoutePlugin<AssistantRoutesDeps> = async (app, { assistants, graphs, introspect, deleteThreadsOfAssistant }) => {
  const tags = ["Assistants"];

  app.post("/assistants", { schema: { tags, body: assistantCreateBody } }, async (req) => assistants.create(req.ctx, req.body));

  app.post("/assistants/search", { schema: { tags, body: assistantSearchBody } }, async (req, reply) =>
    pageReply(reply, req.body, await assistants.search(req.ctx, req.body)));

  app.post("/assistants/count", { schema: { tags, body: assistantCountBody } }, async (req) => assistants.count(req.ctx, req.body));

  app.get("/assistants/:assistant_id", { schema: { tags, params: assistantIdParams } }, async (req) => assistants.get(req.ctx, req.params.assistant_id));

  app.patch("/assistants/:assistant_id", { schema: { tags, params: assistantIdParams, body: assistantPatchBody } }, async (req) =>
    assistants.patch(req.ctx, req.params.assistant_id, req.body));

  app.delete("/assistants/:assistant_id", { schema: { tags, params: assistantIdParams, querystring: assistantDeleteQuery } }, async (req, reply) => {
    const id = await assistants.delete(req.ctx, req.params.assistant_id);
    if (asBool(req.query.delete_threads)) await deleteThreadsOfAssistant(req.ctx, id);
    // The official server answers 200 with the deleted ids.
    return reply.code(200).send([id]);
  });

  app.post("/assistants/:assistant_id/versions", { schema: { tags, params: assistantIdParams, body: versionsBody } }, async (req) =>
    assistants.versions(req.ctx, req.params.assistant_id, req.body));

  app.post("/assistants/:assistant_id/latest", { schema: { tags, params: assistantIdParams, body: setLatestBody } }, async (req) =>
    assistants.setLatest(req.ctx, req.params.assistant_id, req.body.version));

  /** The assistant's graph, resolved with the assistant's config (404 when hidden or the graph is gone). */
  const graphFor = async (ctx: RequestContext, id: string) => {
    const a = await assistants.getForUse(ctx, id);
    if (!graphs.has(a.graph_id)) throw new NotFoundError("graph", undefined, `Graph "${a.graph_id}" not found`);
    const { configurable } = a.config;
    return { assistant: a, graph: await graphs.resolve(a.graph_id, { configurable: isPlainObject(configurable) ? configurable : {} }) };
  };

  app.get("/assistants/:assistant_id/graph", { schema: { tags, params: assistantIdParams, querystring: xrayQuery } }, async (req) => {
    const { graph } = await graphFor(req.ctx, req.params.assistant_id);
    const xray = req.query.xray;
    return introspect.graphToJson(graph, { xray: typeof xray === "number" ? xray : asBool(xray) });
  });

  app.get("/assistants/:assistant_id/schemas", { schema: { tags, params: assistantIdParams } }, async (req) => {
    const { assistant, graph } = await graphFor(req.ctx, req.params.assistant_id);
    return introspect.graphSchemas(graph, assistant.graph_id);
  });

  const subgraphs = async (ctx: RequestContext, params: { assistant_id: string; namespace?: string }, query: { recurse?: unknown }) => {
    const { assistant, graph } = await graphFor(ctx, params.assistant_id);
    return introspect.listSubgraphs(graph, { graphId: assistant.graph_id, namespace: params.namespace, recurse: asBool(query.recurse) });
  };
  app.get("/assistants/:assistant_id/subgraphs", { schema: { tags, params: assistantIdParams, querystring: subgraphQuery } }, (req) =>
    subgraphs(req.ctx, req.params, req.query));
  app.get("/assistants/:assistant_id/subgraphs/:namespace", { schema: { tags, params: subgraphParams, querystring: subgraphQuery } }, (req) =>
    subgraphs(req.ctx, req.params, req.query));
  // lg-dev's own (the Studio draws with it): a subgraph's drawing, whole. The parent's xray drawing leaves a subgraph
  // that trims to one node as a single box, and nothing else in the API names what that box holds.
  app.get("/assistants/:assistant_id/subgraphs/:namespace/graph", { schema: { tags, params: subgraphParams, querystring: xrayQuery } }, async (req) => {
    const { graph } = await graphFor(req.ctx, req.params.assistant_id);
    const namespace = req.params.namespace ?? "";
    const subgraph = await introspect.subgraphAt(graph, namespace);
    if (!subgraph) throw new NotFoundError("subgraph", undefined, `Graph has no subgraph at namespace "${namespace}" (GET /assistants/{id}/subgraphs?recurse=true lists them)`);
    const xray = req.query.xray;
    return introspect.graphToJson(subgraph, { xray: typeof xray === "number" ? xray : asBool(xray) });
  });
};
