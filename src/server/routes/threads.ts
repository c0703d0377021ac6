import type { RoutePlugin, ThreadRoutesDeps } from "../deps.js";
import { asBool, threadIdParams } from "../schemas/common.js";
import {
  checkpointParams,
  historyBody,
  historyQuery,
  stateAtCheckpointBody,
  statePatchBody,
  stateUpdateBody,
  subgraphsQuery,
  threadCountBody,
  threadCreateBody,
  threadPatchBody,
  threadPruneBody,
  threadSearchBody,
  type CheckpointRef,
} from "../schemas/threads.js";
import { pageReply } from "./pagination.js";

/** A checkpoint reference from a body without its null members (they mean "not given"). */
const cleanCheckpoint = (c: CheckpointRef | undefined): { [K in keyof CheckpointRef]?: Exclude<CheckpointRef[K], null> } | undefined =>
  c && Object.fromEntries(Object.entries(c).filter(([, v]) => v !== null && v !== undefined));
/** A body whose `checkpoint` (a checkpoint reference) is cleaned. */
const withCleanCheckpoint = <B extends { checkpoint?: CheckpointRef }>({ checkpoint, ...rest }: B) => ({ ...rest, checkpoint: cleanCheckpoint(checkpoint) });

/** /threads: CRUD, search, copy, state and history. */
export const threadRoutes: RoutePlugin<ThreadRoutesDeps> = async (app, { threads, streams }) => {
  const tags = ["Threads"];

  app.post("/threads", { schema: { tags, body: threadCreateBody } }, async (req) => threads.create(req.ctx, req.body));

  app.post("/threads/search", { schema: { tags, body: threadSearchBody } }, async (req, reply) =>
    pageReply(reply, req.body, await threads.search(req.ctx, req.body)));

  app.post("/threads/count", { schema: { tags, body: threadCountBody } }, async (req) => threads.count(req.ctx, req.body));

  app.post("/threads/prune", { schema: { tags, body: threadPruneBody } }, async (req) => ({
    pruned_count: await threads.prune(req.ctx, req.body.thread_ids, req.body.strategy ?? "delete"),
  }));

  app.get("/threads/:thread_id", { schema: { tags, params: threadIdParams } }, async (req) => threads.get(req.ctx, req.params.thread_id));

  app.patch("/threads/:thread_id", { schema: { tags, params: threadIdParams, body: threadPatchBody } }, async (req) =>
    threads.patch(req.ctx, req.params.thread_id, req.body));

  app.delete("/threads/:thread_id", { schema: { tags, params: threadIdParams } }, async (req, reply) => {
    await threads.delete(req.ctx, req.params.thread_id);
    return reply.code(204).send();
  });

  app.post("/threads/:thread_id/copy", { schema: { tags, params: threadIdParams } }, async (req) => threads.copy(req.ctx, req.params.thread_id));

  app.get("/threads/:thread_id/state", { schema: { tags, params: threadIdParams, querystring: subgraphsQuery } }, async (req) =>
    threads.getState(req.ctx, req.params.thread_id, { subgraphs: asBool(req.query.subgraphs) }));

  app.post("/threads/:thread_id/state", { schema: { tags, params: threadIdParams, body: stateUpdateBody } }, async (req) => {
    const threadId = req.params.thread_id;
    const out = await threads.updateState(req.ctx, threadId, withCleanCheckpoint(req.body));
    // Thread streams announce the new state (read only when someone follows the thread).
    if (streams.hasThreadListeners(threadId)) {
      const state = await threads.getState(req.ctx, threadId);
      streams.stateUpdate(threadId, { values: state.values, checkpoint: out.checkpoint });
    }
    return out;
  });

  app.patch("/threads/:thread_id/state", { schema: { tags, params: threadIdParams, body: statePatchBody } }, async (req, reply) => {
    await threads.patchState(req.ctx, req.params.thread_id, req.body.metadata);
    return reply.code(204).send();
  });

  app.get("/threads/:thread_id/state/:checkpoint_id", { schema: { tags, params: checkpointParams, querystring: subgraphsQuery } }, async (req) =>
    threads.getState(req.ctx, req.params.thread_id, { checkpoint: { checkpoint_id: req.params.checkpoint_id }, subgraphs: asBool(req.query.subgraphs) }));

  app.post("/threads/:thread_id/state/checkpoint", { schema: { tags, params: threadIdParams, body: stateAtCheckpointBody } }, async (req) =>
    threads.getState(req.ctx, req.params.thread_id, { checkpoint: cleanCheckpoint(req.body.checkpoint), subgraphs: req.body.subgraphs }));

  app.get("/threads/:thread_id/history", { schema: { tags, params: threadIdParams, querystring: historyQuery } }, async (req) =>
    threads.history(req.ctx, req.params.thread_id, req.query));

  app.post("/threads/:thread_id/history", { schema: { tags, params: threadIdParams, body: historyBody } }, async (req) =>
    threads.history(req.ctx, req.params.thread_id, withCleanCheckpoint(req.body)));
};
