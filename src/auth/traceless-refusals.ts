/**
 * Refusals without stack traces: a speed trick, switched off by `LG_DEV_NO_TRACELESS_REFUSALS=1`. Refusing a
 * request means the user's authenticate function throws an `HTTPException`, and V8 captures a stack trace for every
 * error it creates, which nobody reads (a refusal becomes a 4xx answer, never a log line). Two things keep that
 * cheap: the function runs from a fresh microtask, on a shallow stack (`callShallow`), and after a run of calls that
 * all ended as an answer or a refusal, the synchronous part of each call runs with `Error.stackTraceLimit = 0`
 * (`AuthenticateTraces`). Switched off, every error keeps its stack trace (still taken from the shallow stack).
 */

/** Set to `1` to keep the stack traces of every call of authenticate (to compare, or to rule this trick out). */
export const NO_TRACELESS_REFUSALS = "LG_DEV_NO_TRACELESS_REFUSALS";

/** The trace policy of one auth service: none (traces always kept) when the environment switches the trick off. */
export function authenticateTraces(env: NodeJS.ProcessEnv = process.env): AuthenticateTraces | undefined {
  return env[NO_TRACELESS_REFUSALS] === "1" ? undefined : new AuthenticateTraces();
}

/**
 * Whether the user's authenticate function may run without stack traces. Refusing a request means it throws an
 * `HTTPException`, and V8 captures a stack trace for every error created: on this 2-core server ~6 µs of a ~25 µs
 * refusal, for a trace nobody reads (a refusal becomes a 4xx answer, never a log line). So after a run of calls that
 * all ended as an answer or a refusal, the synchronous part of each call (up to its first `await`, where a refusal
 * is usually thrown) runs with `Error.stackTraceLimit = 0`. Any other error turns traces back on, and the message of
 * such an error caught without its trace says so: the next one carries it. One per auth service, so a reload of the
 * auth module starts with traces on.
 */
export class AuthenticateTraces {
  /** Calls in a row that ended as an answer or an HTTPException. */
  private clean = 0;
  /** Calls in a row needed before traces are left out. */
  constructor(readonly quietAfter = 64) {}

  get quiet(): boolean {
    return this.clean >= this.quietAfter;
  }

  expected(): void {
    this.clean += 1;
  }

  unexpected(): void {
    this.clean = 0;
  }
}

/**
 * Call `fn(arg)` from a fresh microtask, so that it runs on a shallow stack. Refusing a request means the user's
 * function throws (an `HTTPException`), and V8 captures up to 10 stack frames for every error it creates: here
 * those would be Fastify's hook chain and ours, which say nothing to the user and cost ~4.5 µs per refusal on a
 * 2-core server (a seventh of all the work of a 401), against ~2.5 µs from a fresh microtask. `withoutTraces`: its
 * synchronous part runs with `Error.stackTraceLimit = 0` (see AuthenticateTraces).
 */
export function callShallow<A>(fn: (arg: A) => unknown, arg: A, withoutTraces: boolean): Promise<unknown> {
  return new Promise((resolve, reject) => {
    queueMicrotask(() => {
      const limit = Error.stackTraceLimit;
      if (withoutTraces) Error.stackTraceLimit = 0;
      try {
        resolve(fn(arg));
      } catch (err) {
        reject(err);
      } finally {
        if (withoutTraces) Error.stackTraceLimit = limit;
      }
    });
  });
}

/** What the message of an unexpected error says when its trace was left out (the next one carries it). */
export function lostTraceNote(err: unknown, quiet: boolean): string {
  const lost = quiet && err instanceof Error && !err.stack?.includes("\n    at ");
  return lost ? " (thrown before the function's first await while stack traces were off after a run of refusals; they are on again for the next call)" : "";
}
