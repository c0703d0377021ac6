import type { CronRoutesDeps, RoutePlugin } from "../deps.js";
import { threadIdParams } from "../schemas/common.js";
import { cronCountBody, cronCreateBody, cronIdParams, cronPatchBody, cronSearchBody } from "../schemas/crons.js";
import { pageReply } from "./pagination.js";

/** /runs/crons: scheduled runs, stateless or on a thread. */
export const cronRoutes: RoutePlugin<CronRoutesDeps> = async (app, { crons }) => {
  const tags = ["Crons"];

  app.post("/runs/crons", { schema: { tags, body: cronCreateBody } }, async (req) => crons.create(req.ctx, undefined, req.body));

  app.post("/threads/:thread_id/runs/crons", { schema: { tags, params: threadIdParams, body: cronCreateBody } }, async (req) =>
    crons.create(req.ctx, req.params.thread_id, req.body));

  app.post("/runs/crons/search", { schema: { tags, body: cronSearchBody } }, async (req, reply) =>
    pageReply(reply, req.body, await crons.search(req.ctx, req.body)));

  app.post("/runs/crons/count", { schema: { tags, body: cronCountBody } }, async (req) => crons.count(req.ctx, req.body));

  app.get("/runs/crons/:cron_id", { schema: { tags, params: cronIdParams } }, async (req) => crons.get(req.ctx, req.params.cron_id));

  app.patch("/runs/crons/:cron_id", { schema: { tags, params: cronIdParams, body: cronPatchBody } }, async (req) =>
    crons.update(req.ctx, req.params.cron_id, req.body));

  app.delete("/runs/crons/:cron_id", { schema: { tags, params: cronIdParams } }, async (req, reply) => {
    await crons.delete(req.ctx, req.params.cron_id);
    return reply.code(204).send();
  });
};
