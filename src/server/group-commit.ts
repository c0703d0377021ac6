/**
 * Group commit: the journal gets everything a reply acknowledges before the reply leaves, and replies made in the
 * same turn of the event loop share one journal write instead of one each.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from "fastify";
import fp from "fastify-plugin";
import type { Journal } from "./deps.js";

/** Flush the journal before any response is sent; `app.flushJournal()` for streams that write the response themselves. */
export const groupCommit = fp(async (app: FastifyInstance, { journal }: { journal: Journal }) => {
  app.decorate("flushJournal", () => journal.flushPending());
  // Synchronous on purpose: an async onSend would let Fastify send twice for handlers (ours or a user's http.app
  // plugin) that call reply.send() without returning the reply. And this runs on every response.
  app.addHook("onSend", (_req, _reply, payload, done) => {
    try {
      journal.flushPending();
    } catch (err) {
      done(err as Error);
      return;
    }
    done(null, payload);
  });
});

/**
 * Wrap an API handler so that, when it leaves changes waiting for the journal, its reply waits for the end of the
 * turn: every request handled in that turn then shares one journal write (group commit), instead of one each.
 * Handlers that send the reply themselves are covered by the synchronous flush in onSend. Use as an `onRoute` hook.
 */
export function shareJournalWrites(route: RouteOptions, journal: Journal): void {
  const handler = route.handler as (this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) => unknown;
  route.handler = async function (this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) {
    const out = await handler.call(this, req, reply);
    if (journal.hasPending && !reply.sent) await journal.whenFlushed();
    return out;
  };
}
