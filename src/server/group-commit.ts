/**
 * Group commit: the journal gets everything a reply acknowledges before the reply leaves, and replies made in the
 * same turn of the event loop share one journal write instead of one each.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from "fastify";
import fp from "fastify-plugin";
import type { ReplyStep } from "./before-reply.js";
import type { Journal } from "./deps.js";

/** Decorates `app.flushJournal()`, for streams that write the response themselves (before their first byte). */
export const groupCommit = fp(async (app: FastifyInstance, { journal }: { journal: Journal }) => {
  app.decorate("flushJournal", () => journal.flushPending());
});

/** The journal gets everything a reply acknowledges before the reply leaves. A reply step. */
export const flushJournalStep = (journal: Journal): ReplyStep => () => journal.flushPending();

/**
 * Wrap an API handler so that, when it leaves changes waiting for the journal, its reply waits for the end of the
 * turn: every request handled in that turn then shares one journal write (group commit), instead of one each.
 * Handlers that send the reply themselves are covered by the flush step before every reply. Use as an `onRoute` hook.
 */
export function shareJournalWrites(route: RouteOptions, journal: Journal): void {
  const handler = route.handler as (this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) => unknown;
  route.handler = async function (this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) {
    const out = await handler.call(this, req, reply);
    if (journal.hasPending && !reply.sent) await journal.whenFlushed();
    return out;
  };
}
