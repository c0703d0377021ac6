import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { RunOutcome } from "../../runs/executor.js";
import type { RunCreate } from "../../services/runs.js";
import { viewRun } from "../../services/runs.js";
import type { RunRecord } from "../../storage/types.js";
import type { AppDeps } from "../app.js";
import { cancelManyBody, cancelQuery, runBatchBody, runCreateBody, runListQuery, snakeCaseBatchItems } from "../schemas/runs.js";
import { asBool, qbool, qModes, threadIdParams, threadRunParams, uuid } from "../schemas/common.js";
import type { RunEvent } from "../../runs/streams.js";
import { sendSse } from "../sse.js";

type P = { thread_id: string };
type PR = { thread_id: string; run_id: string };

const location = (run: RunRecord) => `/threads/${run.thread_id}/runs/${run.run_id}`;
/** What wait and join answer: the final values, or `{__error__}` for a failed run. */
const outcomeBody = (o: RunOutcome) => (o.error ? { __error__: o.error } : (o.values ?? null));
/** Keep only the events of the requested modes (join streams' `stream_mode`); metadata and errors always pass. */
async function* onlyModes(events: AsyncIterable<RunEvent>, modes: string | string[] | undefined): AsyncGenerator<RunEvent> {
  const wanted = modes === undefined ? undefined : new Set((Array.isArray(modes) ? modes : [modes]).map((m) => (m === "messages-tuple" ? "messages" : m)));
  // A thread stream's "run_modes" (the SDK's ThreadStreamMode) means: each run's events as that run asked for them.
  const all = !wanted || wanted.has("run_modes");
  for await (const e of events) {
    const base = e.event.split("|", 1)[0]!.split("/", 1)[0]!;
    if (all || base === "metadata" || base === "error" || wanted.has(base)) yield e;
  }
}
const joinQuery = { type: "object", properties: { cancel_on_disconnect: qbool, stream_mode: qModes } } as const;
type JoinQuery = { cancel_on_disconnect?: unknown; stream_mode?: string | string[] };
const lastEventId = (req: FastifyRequest): number | undefined => {
  const raw = req.headers["last-event-id"];
  const n = typeof raw === "string" ? Number.parseInt(raw, 10) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

/** Runs on threads, stateless runs, and their streams. */
export async function runRoutes(app: FastifyInstance, { services }: AppDeps): Promise<void> {
  const { runs } = services;
  const tags = ["Runs"];

  const streamNew = (req: FastifyRequest, reply: FastifyReply, run: RunRecord) =>
    sendSse(req, reply, (signal) => runs.streamOf(run.run_id, signal), {
      headers: { "Content-Location": location(run), Location: `${location(run)}/stream` },
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
  app.post("/threads/:thread_id/runs", { schema: { tags, params: threadIdParams, body: runCreateBody } }, async (req, reply) => {
    const run = await runs.create(req.ctx, (req.params as P).thread_id, req.body as RunCreate);
    reply.header("Content-Location", location(run));
    return viewRun(run);
  });

  app.post("/threads/:thread_id/runs/stream", { schema: { tags, params: threadIdParams, body: runCreateBody } }, async (req, reply) => {
    const run = await runs.create(req.ctx, (req.params as P).thread_id, req.body as RunCreate);
    await streamNew(req, reply, run);
  });

  app.post("/threads/:thread_id/runs/wait", { schema: { tags, params: threadIdParams, body: runCreateBody } }, async (req, reply) => {
    const run = await runs.create(req.ctx, (req.params as P).thread_id, req.body as RunCreate);
    return waitNew(reply, run);
  });

  app.get("/threads/:thread_id/runs", { schema: { tags, params: threadIdParams, querystring: runListQuery } }, async (req) =>
    runs.list(req.ctx, (req.params as P).thread_id, req.query as never));

  app.get("/threads/:thread_id/runs/:run_id", { schema: { tags, params: threadRunParams } }, async (req) => {
    const p = req.params as PR;
    return viewRun(await runs.get(req.ctx, p.thread_id, p.run_id));
  });

  app.delete("/threads/:thread_id/runs/:run_id", { schema: { tags, params: threadRunParams } }, async (req, reply) => {
    const p = req.params as PR;
    await runs.delete(req.ctx, p.thread_id, p.run_id);
    return reply.code(204).send();
  });

  app.get("/threads/:thread_id/runs/:run_id/join", { schema: { tags, params: threadRunParams } }, async (req) => {
    const p = req.params as PR;
    return outcomeBody(await runs.join(req.ctx, p.thread_id, p.run_id));
  });

  /** `threadId` undefined: the run is named by its id alone (GET /runs/{run_id}/stream). */
  const joinStream = async (req: FastifyRequest, reply: FastifyReply, threadId: string | undefined, runId: string) => {
    const q = req.query as JoinQuery;
    const opts = { lastEventId: lastEventId(req) };
    const events = threadId === undefined ? await runs.joinStreamByRun(req.ctx, runId, opts) : await runs.joinStream(req.ctx, threadId, runId, opts);
    await sendSse(req, reply, () => onlyModes(events, q.stream_mode), {
      onDisconnect: () => {
        if (asBool(q.cancel_on_disconnect)) void runs.cancelUnchecked(runId);
      },
    });
  };
  app.get("/threads/:thread_id/runs/:run_id/stream", { schema: { tags, params: threadRunParams, querystring: joinQuery } }, async (req, reply) => {
    const p = req.params as PR;
    await joinStream(req, reply, p.thread_id, p.run_id);
  });
  app.get("/runs/:run_id/stream", {
    schema: { tags, params: { type: "object", required: ["run_id"], properties: { run_id: uuid } }, querystring: joinQuery },
  }, async (req, reply) => {
    const runId = (req.params as { run_id: string }).run_id;
    await joinStream(req, reply, undefined, runId);
  });

  app.post("/threads/:thread_id/runs/:run_id/cancel", { schema: { tags, params: threadRunParams, querystring: cancelQuery } }, async (req, reply) => {
    const p = req.params as PR;
    const q = req.query as { wait?: unknown; action?: "interrupt" | "rollback" };
    await runs.cancel(req.ctx, p.thread_id, p.run_id, { wait: asBool(q.wait), action: q.action });
    return reply.code(asBool(q.wait) ? 204 : 202).send();
  });

  app.get("/threads/:thread_id/stream", { schema: { tags, params: threadIdParams, querystring: { type: "object", properties: { stream_mode: qModes } } } }, async (req, reply) => {
    const threadId = (req.params as P).thread_id;
    await services.threads.getFor(req.ctx, threadId, "read");
    const modes = (req.query as JoinQuery).stream_mode;
    await sendSse(req, reply, async function* (signal) {
      let n = 0;
      // A thread stream spans runs: number its events itself so ids stay increasing.
      const all = async function* () {
        for await (const { e } of services.streams.subscribeThread(threadId, signal)) yield { ...e, id: ++n };
      };
      yield* onlyModes(all(), modes);
    });
  });

  // --- stateless ---
  app.post("/runs", { schema: { tags, body: runCreateBody } }, async (req, reply) => {
    const run = await runs.create(req.ctx, undefined, req.body as RunCreate);
    reply.header("Content-Location", location(run));
    return viewRun(run);
  });

  app.post("/runs/stream", { schema: { tags, body: runCreateBody } }, async (req, reply) => {
    const run = await runs.create(req.ctx, undefined, req.body as RunCreate);
    await streamNew(req, reply, run);
  });

  app.post("/runs/wait", { schema: { tags, body: runCreateBody } }, async (req, reply) => {
    const run = await runs.create(req.ctx, undefined, req.body as RunCreate);
    return waitNew(reply, run);
  });

  app.post("/runs/batch", { schema: { tags, body: runBatchBody }, preValidation: async (req) => void (req.body = snakeCaseBatchItems(req.body)) }, async (req) => {
    const out = [];
    for (const body of req.body as RunCreate[]) out.push(viewRun(await runs.create(req.ctx, undefined, body)));
    return out;
  });

  app.post("/runs/cancel", { schema: { tags, body: cancelManyBody, querystring: cancelQuery } }, async (req, reply) => {
    await runs.cancelMany(req.ctx, { ...(req.body as object), action: (req.query as { action?: "interrupt" | "rollback" }).action });
    return reply.code(204).send();
  });
}
