/** Refusals stop paying for stack traces after a run of them; any other error turns traces back on. */
import { Auth, HTTPException } from "@langchain/langgraph-sdk/auth";
import { describe, expect, it } from "vitest";
import { createAuthService } from "../../src/auth/index.js";
import { runAuthenticate } from "../../src/auth/authenticate.js";
import { AuthenticateTraces } from "../../src/auth/traceless-refusals.js";
import { UnauthorizedError } from "../../src/errors.js";

const info = { method: "post", url: "http://127.0.0.1:2024/threads", headers: {}, peerIsLoopback: true };
const FILE = "src/security/auth.ts";
const hasFrames = (err: unknown) => err instanceof Error && (err.stack ?? "").includes("\n    at ");

/** An authenticate function whose behaviour the test switches, keeping every error it created. */
function userFunction() {
  const created: Error[] = [];
  let mode: "refuse" | "bug" | "bug-after-await" | "accept" = "refuse";
  const fn = async (request: Request) => {
    if (mode === "accept") return { identity: "user1" };
    if (mode === "bug-after-await") {
      await Promise.resolve();
      const err = new TypeError("boom later");
      created.push(err);
      throw err;
    }
    const err = mode === "bug" ? new TypeError("boom") : new HTTPException(401, { message: `no token for ${request.method}` });
    created.push(err);
    throw err;
  };
  return { fn, created, set: (m: typeof mode) => (mode = m), last: () => created.at(-1)! };
}

async function outcome(p: Promise<unknown>): Promise<unknown> {
  try {
    return await p;
  } catch (err) {
    return err;
  }
}

describe("stack traces of the user's authenticate function", () => {
  it("are captured until a run of refusals, then left out of refusals, which still answer 401 with their message", async () => {
    const u = userFunction();
    const traces = new AuthenticateTraces(3);
    for (let i = 0; i < 3; i++) {
      const err = await outcome(runAuthenticate(u.fn as never, info, FILE, { traces }));
      expect(err).toBeInstanceOf(UnauthorizedError);
      expect(hasFrames(u.last())).toBe(true);
    }
    expect(traces.quiet).toBe(true);
    const err = await outcome(runAuthenticate(u.fn as never, info, FILE, { traces }));
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect((err as UnauthorizedError).status).toBe(401);
    expect((err as Error).message).toBe("no token for POST");
    expect(hasFrames(u.last())).toBe(false);
    expect(Error.stackTraceLimit).toBe(10);
  });

  it("come back after any other error, whose message says its own trace was not captured", async () => {
    const u = userFunction();
    const traces = new AuthenticateTraces(2);
    for (let i = 0; i < 2; i++) await outcome(runAuthenticate(u.fn as never, info, FILE, { traces }));
    u.set("bug");
    const first = (await outcome(runAuthenticate(u.fn as never, info, FILE, { traces }))) as Error;
    expect(first.message).toMatch(/^The authenticate function of src\/security\/auth\.ts threw: boom \(thrown before the function's first await while stack traces were off/);
    expect(hasFrames(first.cause)).toBe(false);
    expect(traces.quiet).toBe(false);
    const second = (await outcome(runAuthenticate(u.fn as never, info, FILE, { traces }))) as Error;
    expect(second.message).toBe("The authenticate function of src/security/auth.ts threw: boom");
    expect(hasFrames(second.cause)).toBe(true);
    expect(String((second.cause as Error).stack)).toContain("traces.test.ts");
  });

  it("are kept for errors thrown after the first await, and answers are unaffected", async () => {
    const u = userFunction();
    const traces = new AuthenticateTraces(1);
    await outcome(runAuthenticate(u.fn as never, info, FILE, { traces }));
    expect(traces.quiet).toBe(true);
    u.set("accept");
    const ctx = await runAuthenticate(u.fn as never, info, FILE, { traces });
    expect(ctx.user.identity).toBe("user1");
    expect(traces.quiet).toBe(true);
    u.set("bug-after-await");
    const err = (await outcome(runAuthenticate(u.fn as never, info, FILE, { traces }))) as Error;
    expect(err.message).toBe("The authenticate function of src/security/auth.ts threw: boom later");
    expect(hasFrames(err.cause)).toBe(true);
    expect(Error.stackTraceLimit).toBe(10);
  });

  it("are always captured without a traces state (one-off calls)", async () => {
    const u = userFunction();
    for (let i = 0; i < 100; i++) await outcome(runAuthenticate(u.fn as never, info, FILE));
    expect(hasFrames(u.last())).toBe(true);
  });
});

describe("LG_DEV_NO_TRACELESS_REFUSALS=1", () => {
  it("an auth service keeps the trace of every refusal, however many come in a row", async () => {
    for (const [env, tracedAtTheEnd] of [[{}, false], [{ LG_DEV_NO_TRACELESS_REFUSALS: "1" }, true]] as const) {
      const u = userFunction();
      const service = createAuthService({ module: { file: FILE, exportName: "auth", auth: new Auth().authenticate(u.fn as never) }, env });
      for (let i = 0; i < 100; i++) expect(await outcome(service.authenticate(info))).toBeInstanceOf(UnauthorizedError);
      expect(hasFrames(u.last())).toBe(tracedAtTheEnd);
    }
  });
});
