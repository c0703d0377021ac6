import type { FastifyInstance } from "fastify";
import type { AppDeps } from "../app.js";

/** /ok, /info and /internal/truncate. */
export async function metaRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const publicRoute = { public: true };
  app.get("/ok", { config: publicRoute, schema: { tags: ["System"] } }, async () => ({ ok: true }));
  app.get("/info", { config: publicRoute, schema: { tags: ["System"] } }, async () => ({
    version: deps.info.version,
    langgraph_js_version: deps.info.langgraphVersion,
    context: "js",
    flags: { assistants: true, crons: deps.info.crons },
  }));

  app.post("/internal/truncate", {
    schema: {
      tags: ["System"],
      body: {
        type: "object",
        properties: {
          runs: { type: "boolean" },
          threads: { type: "boolean" },
          assistants: { type: "boolean" },
          store: { type: "boolean" },
          checkpoint: { type: "boolean" },
        },
      },
    },
  }, async (req, reply) => {
    await deps.services.truncate((req.body ?? {}) as never, req.ctx);
    return reply.code(204).send();
  });
}
