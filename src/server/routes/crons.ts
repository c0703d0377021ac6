import type { FastifyInstance } from "fastify";
import type { CronCreate, CronPatch, CronSearch } from "../../services/crons.js";
import type { AppDeps } from "../app.js";
import { threadIdParams } from "../schemas/common.js";
import { cronCountBody, cronCreateBody, cronIdParams, cronPatchBody, cronSearchBody } from "../schemas/crons.js";

type P = { cron_id: string };

/** /runs/crons: scheduled runs, stateless or on a thread. */
export async function cronRoutes(app: FastifyInstance, { services }: AppDeps): Promise<void> {
  const { crons } = services;
  const tags = ["Crons"];

  app.post("/runs/crons", { schema: { tags, body: cronCreateBody } }, async (req) => crons.create(req.ctx, undefined, req.body as CronCreate));

  app.post("/threads/:thread_id/runs/crons", { schema: { tags, params: threadIdParams, body: cronCreateBody } }, async (req) =>
    crons.create(req.ctx, (req.params as { thread_id: string }).thread_id, req.body as CronCreate));

  app.post("/runs/crons/search", { schema: { tags, body: cronSearchBody } }, async (req, reply) => {
    const q = (req.body ?? {}) as CronSearch;
    const { items, total } = await crons.search(req.ctx, q);
    reply.header("X-Pagination-Total", String(total));
    if ((q.offset ?? 0) + items.length < total) reply.header("X-Pagination-Next", String((q.offset ?? 0) + (q.limit ?? 10)));
    return items;
  });

  app.post("/runs/crons/count", { schema: { tags, body: cronCountBody } }, async (req) => crons.count(req.ctx, (req.body ?? {}) as CronSearch));

  app.get("/runs/crons/:cron_id", { schema: { tags, params: cronIdParams } }, async (req) => crons.get(req.ctx, (req.params as P).cron_id));

  app.patch("/runs/crons/:cron_id", { schema: { tags, params: cronIdParams, body: cronPatchBody } }, async (req) =>
    crons.update(req.ctx, (req.params as P).cron_id, (req.body ?? {}) as CronPatch));

  app.delete("/runs/crons/:cron_id", { schema: { tags, params: cronIdParams } }, async (req, reply) => {
    await crons.delete(req.ctx, (req.params as P).cron_id);
    return reply.code(204).send();
  });
}
