import type { MetaRoutesDeps, RoutePlugin } from "../deps.js";
import { truncateBody } from "../schemas/meta.js";

/** /ok, /info and /internal/truncate. */
export const metaRoutes: RoutePlugin<MetaRoutesDeps> = async (app, { info, truncate }) => {
  const publicRoute = { public: true };
  app.get("/ok", { config: publicRoute, schema: { tags: ["System"] } }, async () => ({ ok: true }));
  app.get("/info", { config: publicRoute, schema: { tags: ["System"] } }, async () => ({
    version: info.version,
    langgraph_js_version: info.langgraphVersion,
    context: "js",
    flags: { assistants: true, crons: info.crons },
  }));

  app.post("/internal/truncate", { schema: { tags: ["System"], body: truncateBody } }, async (req, reply) => {
    await truncate(req.body, req.ctx);
    return reply.code(204).send();
  });
};
