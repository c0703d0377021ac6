import type { FastifyReply, FastifyRequest } from "fastify";
import type { RunOutcome } from "../../runs/executor.js";
import type { RunEvent, ThreadEvent } from "../../runs/streams.js";
import { viewRun, type RunCreate } from "../../services/runs.js";
import type { RunRecord } from "../../storage/types.js";
import type { RoutePlugin, RunRoutesDeps } from "../deps.js";
import { asBool, threadIdParams, threadRunParams } from "../schemas/common.js";
import {
  cancelManyBody,
  cancelQuery,
  joinQuery,
  type JoinQuery,
  runBatchBody,
  runCreateBody,
  runIdParams,
  runListQuery,
  snakeCaseBatchItems,
  threadStreamQuery,
} from "../schemas/runs.js";
import { pickHeaders, type HeaderFilter } from "../header-patterns.js";
import { sendSse } from "../sse.js";

/** What wait and join answer: the final values, or `{__error__}` for a failed run. */
const outcomeBody = (o: RunOutcome) => (o.error ? { __error__: o.error } : (o.values ?? null));
const asList = (modes: string | string[] | undefined): string[] | undefined => (modes === undefined ? undefined : Array.isArray(modes) ? modes : [modes]);
/** The mode an event belongs to: `messages/partial` and `messages|ns` are `messages` events. */
const baseMode = (event: string) => event.split("|", 1)[0]!.split("/", 1)[0]!;
/** The events a requested mode names: `messages-tuple` streams `messages` events. */
const eventMode = (mode: string) => (mode === "messages-tuple" ? "messages" : mode);
/** Keep only the events of the requested modes (join streams' `stream_mode`); metadata and errors always pass. */
async function* onlyModes<E extends { event: string }>(events: AsyncIterable<E>, modes: string | string[] | undefined): AsyncGenerator<E> {
  const list = asList(modes);
  const wanted = list && new Set(list.map(eventMode));
  for await (const e of events) {
    const base = baseMode(e.event);
    if (!wanted || base === "metadata" || base === "error" || wanted.has(base)) yield e;
  }
}
/**
 * Which events a thread stream's `stream_mode` lets through: `run_modes` (the default) each run's events as the run
 * asked for them, `lifecycle` the start and end of runs, `state_update` changes of the thread's state; a run stream
 * mode by name keeps those events of the runs (with their metadata and errors).
 */
function threadModes(modes: string[] | undefined): (e: ThreadEvent) => boolean {
  const wanted = new Set((modes ?? ["run_modes"]).map(eventMode));
  const runEvents = [...wanted].some((m) => m !== "lifecycle" && m !== "state_update");
  return (e) => {
    if (e.event === "lifecycle" || e.event === "state_update") return wanted.has(e.event);
    const base = baseMode(e.event);
    return wanted.has("run_modes") || wanted.has(base) || (runEvents && (base === "metadata" || base === "error"));
  };
}
/** The request's headers `filter` takes (http.configurable_headers), added to the run's `config.configurable`. */
function addHeaders(body: RunCreate, headers: FastifyRequest["headers"], filter: HeaderFilter): RunCreate {
  const fromHeaders = pickHeaders(headers, filter);
  if (Object.keys(fromHeaders).length === 0) return body;
  return { ...body, config: { ...body.config, configurable: { ...body.config?.configurable, ...fromHeaders } } };
}
const lastEventId = (req: FastifyRequest): number | undefined => {
  const raw = req.headers["last-event-id"];
  const n = typeof raw === "string" ? Number.parseInt(raw, 10) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

/** Runs on threads, stateless runs, and their streams. */
export const runRoutes: RoutePlugin<RunRoutesDeps> = async (app, { runs, threads, streams, keepAliveMs, configurableHeaders, mountPrefix }) => {
  const tags = ["Runs"];
  /** Where a run is, as its Content-Location says (under the mount prefix: the SDK follows it). */
  const location = (run: RunRecord) => `${mountPrefix}/threads/${run.thread_id}/runs/${run.run_id}`;
  const withHeaders = (body: RunCreate, headers: FastifyRequest["headers"]) => addHeaders(body, headers, configurableHeaders);

  /** Stream a run this request created. A stateless run's events carry no ids, as on the official server. */
  const streamNew = (req: FastifyRequest, reply: FastifyReply, run: RunRecord, stateless = false) =>
    sendSse(req, reply, (signal) => (stateless ? withoutIds(runs.streamOf(run.run_id, signal)) : runs.streamOf(run.run_id, signal)), {
      headers: { "Content-Location": location(run), Location: `${location(run)}/stream` },
      keepAliveMs,
      onDisconnect: () => {
        if (run.kwargs.on_disconnect === "cancel") void runs.cancelUnchecked(run.run_id);
      },
    });

  const waitNew = async (reply: FastifyReply, run: RunRecord) => {
    const outcome = await runs.waitFor(run.run_id);
    reply.header("Content-Location", location(run));
    return outcomeBody(outcome);
  };

  // --- on a thread ---
  const onThread = { tags, params: threadIdParams, body: runCreateBody };
  app.post("/threads/:thread_id/runs", { schema: onThread }, async (req, reply) => {
    const run = await runs.create(req.ctx, req.params.thread_id, withHeaders(req.body, req.headers));
    reply.header("Content-Location", location(run));
    return viewRun(run);
  });

  app.post("/threads/:thread_id/runs/stream", { schema: onThread }, async (req, reply) => {
    const run = await runs.create(req.ctx, req.params.thread_id, withHeaders(req.body, req.headers));
    await streamNew(req, reply, run);
  });

  app.post("/threads/:thread_id/runs/wait", { schema: onThread }, async (req, reply) => {
    const run = await runs.create(req.ctx, req.params.thread_id, withHeaders(req.body, req.headers));
    return waitNew(reply, run);
  });

  app.get("/threads/:thread_id/runs", { schema: { tags, params: threadIdParams, querystring: runListQuery } }, async (req) => {
    const { select } = req.query;
    return runs.list(req.ctx, req.params.thread_id, { ...req.query, select: typeof select === "string" ? [select] : select });
  });

  app.get("/threads/:thread_id/runs/:run_id", { schema: { tags, params: threadRunParams } }, async (req) =>
    viewRun(await runs.get(req.ctx, req.params.thread_id, req.params.run_id)));

  app.delete("/threads/:thread_id/runs/:run_id", { schema: { tags, params: threadRunParams } }, async (req, reply) => {
    await runs.delete(req.ctx, req.params.thread_id, req.params.run_id);
    return reply.code(204).send();
  });

  app.get("/threads/:thread_id/runs/:run_id/join", { schema: { tags, params: threadRunParams } }, async (req) =>
    outcomeBody(await runs.join(req.ctx, req.params.thread_id, req.params.run_id)));

  /** `threadId` undefined: the run is named by its id alone (GET /runs/{run_id}/stream). */
  const joinStream = async (req: FastifyRequest, reply: FastifyReply, q: JoinQuery, threadId: string | undefined, runId: string) => {
    const abort = new AbortController();
    const opts = { lastEventId: lastEventId(req), signal: abort.signal };
    const { events, followed } = threadId === undefined ? await runs.joinStreamByRun(req.ctx, runId, opts) : await runs.joinStream(req.ctx, threadId, runId, opts);
    await sendSse(req, reply, () => onlyModes(events, q.stream_mode), {
      keepAliveMs,
      onDisconnect: () => {
        abort.abort();
        if (followed && asBool(q.cancel_on_disconnect)) void runs.cancelUnchecked(runId);
      },
    });
  };
  app.get("/threads/:thread_id/runs/:run_id/stream", { schema: { tags, params: threadRunParams, querystring: joinQuery } }, async (req, reply) => {
    await joinStream(req, reply, req.query, req.params.thread_id, req.params.run_id);
  });
  app.get("/runs/:run_id/stream", { schema: { tags, params: runIdParams, querystring: joinQuery } }, async (req, reply) => {
    await joinStream(req, reply, req.query, undefined, req.params.run_id);
  });

  app.post("/threads/:thread_id/runs/:run_id/cancel", { schema: { tags, params: threadRunParams, querystring: cancelQuery } }, async (req, reply) => {
    const wait = asBool(req.query.wait);
    await runs.cancel(req.ctx, req.params.thread_id, req.params.run_id, { wait, action: req.query.action });
    return reply.code(wait ? 204 : 202).send();
  });

  app.get("/threads/:thread_id/stream", { schema: { tags, params: threadIdParams, querystring: threadStreamQuery } }, async (req, reply) => {
    const threadId = req.params.thread_id;
    await threads.getFor(req.ctx, threadId, "read");
    const pass = threadModes(asList(req.query.stream_mode ?? req.query.stream_modes));
    const from = req.headers["last-event-id"];
    await sendSse(
      req,
      reply,
      async function* (signal) {
        for await (const e of streams.subscribeThread(threadId, signal, typeof from === "string" ? from : undefined)) if (pass(e)) yield e;
      },
      { keepAliveMs },
    );
  });

  // --- stateless ---
  app.post("/runs", { schema: { tags, body: runCreateBody } }, async (req, reply) => {
    const run = await runs.create(req.ctx, undefined, withHeaders(req.body, req.headers));
    reply.header("Content-Location", location(run));
    return viewRun(run);
  });

  app.post("/runs/stream", { schema: { tags, body: runCreateBody } }, async (req, reply) => {
    const run = await runs.create(req.ctx, undefined, withHeaders(req.body, req.headers));
    await streamNew(req, reply, run, true);
  });

  app.post("/runs/wait", { schema: { tags, body: runCreateBody } }, async (req, reply) => {
    const run = await runs.create(req.ctx, undefined, withHeaders(req.body, req.headers));
    return waitNew(reply, run);
  });

  app.post("/runs/batch", { schema: { tags, body: runBatchBody }, preValidation: async (req) => void (req.body = snakeCaseBatchItems(req.body)) }, async (req) => {
    const out = [];
    for (const body of req.body) out.push(viewRun(await runs.create(req.ctx, undefined, withHeaders(body, req.headers))));
    return out;
  });

  app.post("/runs/cancel", { schema: { tags, body: cancelManyBody, querystring: cancelQuery } }, async (req, reply) => {
    await runs.cancelMany(req.ctx, { ...req.body, action: req.query.action });
    return reply.code(204).send();
  });
};

async function* withoutIds(events: AsyncIterable<RunEvent>): AsyncGenerator<Omit<RunEvent, "id">> {
  for await (const { event, data } of events) yield { event, data };
}
