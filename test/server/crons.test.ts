/** Crons through the routes (inject): validation, search/count/update/delete, auth filters, and the scheduler firing. */
import { randomUUID } from "node:crypto";
import { Auth, HTTPException } from "@langchain/langgraph-sdk/auth";
import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { createAuthService } from "../../src/auth/index.js";
import { nextRunDate, parseSchedule } from "../../src/runs/cron-scheduler.js";
import type { Services } from "../../src/services/index.js";
import { makeTestApp } from "../helpers/app.js";
import type { Storage } from "../../src/storage/embedded/storage.js";

let open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.map((a) => a.close()));
  open = [];
});

async function setup(auth?: Parameters<typeof makeTestApp>[0]) {
  const t = await makeTestApp(auth);
  open.push(t);
  return t;
}

const post = (app: FastifyInstance, url: string, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: "POST", url, payload: payload as object, headers });

/** Wait until `check` holds, checking when the event loop is idle; bounded. */
async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("schedules", () => {
  it("parses 5-, 6- and 7-field crons and rejects nonsense", () => {
    expect(() => parseSchedule("*/5 * * * *")).not.toThrow();
    expect(() => parseSchedule("*/2 * * * * *")).not.toThrow();
    expect(() => parseSchedule("0 0 0 1 1 * 2099")).not.toThrow();
    expect(() => parseSchedule("every minute")).toThrow(/five, six, or seven/);
    expect(() => parseSchedule("61 * * * *")).toThrow();
    expect(() => parseSchedule("* * * * *", "Mars/Olympus")).toThrow(/timezone/i);
  });

  it("computes the next run strictly after a date, in the timezone, and none past the end time", () => {
    const after = new Date("2030-01-01T10:00:00Z");
    expect(nextRunDate("0 12 * * *", { after })).toBe("2030-01-01T12:00:00.000Z");
    expect(nextRunDate("0 12 * * *", { after, timezone: "America/New_York" })).toBe("2030-01-01T17:00:00.000Z");
    expect(nextRunDate("0 12 * * *", { after, endTime: "2030-01-01T11:00:00Z" })).toBeNull();
  });
});

describe("cron routes", () => {
  it("create validates the schedule, the timezone, the end time and the assistant", async () => {
    const { app } = await setup();
    const bad = await post(app, "/runs/crons", { assistant_id: "echo", schedule: "not a cron" });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toMatch(/^body\/schedule is not a valid cron schedule/);
    const tz = await post(app, "/runs/crons", { assistant_id: "echo", schedule: "* * * * *", timezone: "Nowhere/Land" });
    expect(tz.statusCode).toBe(422);
    expect(tz.body).toMatch(/^body\/timezone/);
    const end = await post(app, "/runs/crons", { assistant_id: "echo", schedule: "* * * * *", end_time: "tomorrow-ish" });
    expect(end.statusCode).toBe(422);
    expect(end.body).toMatch(/^body\/end_time/);
    const missing = await post(app, "/runs/crons", { assistant_id: "echo" });
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toMatch(/schedule/);
    const unknown = await post(app, "/runs/crons", { assistant_id: "nope", schedule: "* * * * *" });
    expect(unknown.statusCode).toBe(404);
    const noThread = await post(app, `/threads/${randomUUID()}/runs/crons`, { assistant_id: "echo", schedule: "* * * * *" });
    expect(noThread.statusCode).toBe(404);
  });

  it("create, search (filters, paging, sort, select), count, update and delete", async () => {
    const { app } = await setup();
    const thread = (await post(app, "/threads", {})).json() as { thread_id: string };
    const a = (await post(app, "/runs/crons", { assistant_id: "echo", schedule: "0 3 * * *", metadata: { n: 1 }, input: { messages: [] } })).json();
    expect(a).toMatchObject({ assistant_id: expect.any(String), thread_id: null, schedule: "0 3 * * *", enabled: true, on_run_completed: "delete", metadata: { n: 1 } });
    expect(a.payload).toMatchObject({ input: { messages: [] } });
    expect(Date.parse(a.next_run_date)).toBeGreaterThan(Date.now());
    expect(a).not.toHaveProperty("auth");
    const b = (await post(app, `/threads/${thread.thread_id}/runs/crons`, { assistant_id: "ask", schedule: "0 4 * * *", metadata: { n: 2 } })).json();
    expect(b).toMatchObject({ thread_id: thread.thread_id, on_run_completed: null });

    const all = await post(app, "/runs/crons/search", { sort_by: "created_at", sort_order: "asc" });
    expect(all.json().map((c: { cron_id: string }) => c.cron_id)).toEqual([a.cron_id, b.cron_id]);
    expect(all.headers["x-pagination-total"]).toBe("2");
    const paged = await post(app, "/runs/crons/search", { limit: 1, offset: 1, sort_by: "created_at", sort_order: "asc" });
    expect(paged.json().map((c: { cron_id: string }) => c.cron_id)).toEqual([b.cron_id]);
    expect((await post(app, "/runs/crons/search", { thread_id: thread.thread_id })).json()).toHaveLength(1);
    expect((await post(app, "/runs/crons/search", { assistant_id: "echo" })).json().map((c: { cron_id: string }) => c.cron_id)).toEqual([a.cron_id]);
    expect((await post(app, "/runs/crons/search", { metadata: { n: 2 } })).json()).toHaveLength(1);
    const selected = (await post(app, "/runs/crons/search", { select: ["cron_id", "schedule"] })).json();
    expect(Object.keys(selected[0]).sort()).toEqual(["cron_id", "schedule"]);
    expect((await post(app, "/runs/crons/search", { select: ["nope"] })).statusCode).toBe(422);
    expect((await post(app, "/runs/crons/count", {})).json()).toBe(2);
    expect((await post(app, "/runs/crons/count", { assistant_id: "ask" })).json()).toBe(1);

    const patched = await app.inject({ method: "PATCH", url: `/runs/crons/${a.cron_id}`, payload: { schedule: "30 5 * * *", enabled: false, metadata: { m: true }, end_time: "2099-01-01T00:00:00Z" } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ schedule: "30 5 * * *", enabled: false, metadata: { n: 1, m: true }, end_time: "2099-01-01T00:00:00.000Z" });
    expect(new Date(patched.json().next_run_date).getUTCMinutes()).toBe(30);
    expect((await post(app, "/runs/crons/search", { enabled: false })).json()).toHaveLength(1);
    const cleared = await app.inject({ method: "PATCH", url: `/runs/crons/${a.cron_id}`, payload: { end_time: null } });
    expect(cleared.json().end_time).toBeNull();
    const badPatch = await app.inject({ method: "PATCH", url: `/runs/crons/${a.cron_id}`, payload: { schedule: "* *" } });
    expect(badPatch.statusCode).toBe(422);

    expect((await app.inject({ method: "DELETE", url: `/runs/crons/${a.cron_id}` })).statusCode).toBe(204);
    expect((await app.inject({ method: "DELETE", url: `/runs/crons/${a.cron_id}` })).statusCode).toBe(404);
    expect((await app.inject({ method: "PATCH", url: `/runs/crons/${a.cron_id}`, payload: {} })).statusCode).toBe(404);
    expect((await app.inject({ method: "DELETE", url: "/runs/crons/not-a-uuid" })).statusCode).toBe(422);
    expect((await post(app, "/runs/crons/count", {})).json()).toBe(1);
  });

  it("fires on schedule while the server runs: each second, on a thread and stateless", async () => {
    const t = await setup();
    const { app, services, storage } = t;
    const thread = (await post(app, "/threads", {})).json() as { thread_id: string };
    const onThread = (await post(app, `/threads/${thread.thread_id}/runs/crons`, {
      assistant_id: "echo",
      schedule: "* * * * * *",
      input: { messages: [{ role: "user", content: "tick" }] },
      multitask_strategy: "enqueue",
    })).json();
    const stateless = (await post(app, "/runs/crons", { assistant_id: "echo", schedule: "* * * * * *", on_run_completed: "keep", input: { messages: [] } })).json();

    const runsOf = async () => (await app.inject({ method: "GET", url: `/threads/${thread.thread_id}/runs?limit=100` })).json() as Array<{ status: string; metadata: Record<string, unknown> }>;
    await until(async () => (await runsOf()).filter((r) => r.status === "success").length >= 2, 6000);
    const runs = await runsOf();
    expect(runs.every((r) => r.metadata.cron_id === onThread.cron_id)).toBe(true);
    const state = (await app.inject({ method: "GET", url: `/threads/${thread.thread_id}/state` })).json();
    expect(state.values.messages.filter((m: { content: string }) => m.content === "tick").length).toBeGreaterThanOrEqual(2);

    const keptThreads = async () => (await post(app, "/threads/search", { metadata: { cron_id: stateless.cron_id }, limit: 100 })).json() as unknown[];
    await until(async () => (await keptThreads()).length >= 1, 4000);

    // Disable one, delete the other: nothing fires any more.
    await app.inject({ method: "PATCH", url: `/runs/crons/${onThread.cron_id}`, payload: { enabled: false } });
    await app.inject({ method: "DELETE", url: `/runs/crons/${stateless.cron_id}` });
    await settle(t);
    const before = [(await runsOf()).length, (await keptThreads()).length];
    await new Promise((r) => setTimeout(r, 1300));
    expect([(await runsOf()).length, (await keptThreads()).length]).toEqual(before);
  });

  it("honours end_time: no run after it, and the next run date becomes null", async () => {
    const t = await setup();
    const { app, services, storage } = t;
    const thread = (await post(app, "/threads", {})).json() as { thread_id: string };
    const end = new Date(Date.now() + 1200).toISOString();
    const cron = (await post(app, `/threads/${thread.thread_id}/runs/crons`, { assistant_id: "echo", schedule: "* * * * * *", end_time: end, input: { messages: [] }, multitask_strategy: "enqueue" })).json();
    await until(async () => ((await post(app, "/runs/crons/search", {})).json()[0].next_run_date === null), 4000);
    await settle(t);
    const runsNow = async () => ((await app.inject({ method: "GET", url: `/threads/${thread.thread_id}/runs?limit=100` })).json() as unknown[]).length;
    // 1.2 s hold one or two whole seconds: never a third run, and none later.
    const count = await runsNow();
    expect(count).toBeGreaterThanOrEqual(1);
    expect(count).toBeLessThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await runsNow()).toBe(count);
    expect(cron.end_time).toBe(end);
  });

  it("runs a cron as its creator and filters crons by the owner stamped on their metadata", async () => {
    const seen: string[] = [];
    const auth = new Auth()
      .authenticate(async (request: Request) => {
        const user = request.headers.get("x-user");
        if (!user) throw new HTTPException(401, { message: "who are you?" });
        return { identity: user, permissions: ["cron:write"] };
      })
      .on("crons", ({ action, value, user }) => {
        seen.push(`${user.identity}:${action}`);
        if (action === "create") {
          const v = value as { metadata?: Record<string, unknown> };
          v.metadata ??= {};
          v.metadata.owner = user.identity;
        }
        return { owner: user.identity };
      })
      .on("threads:create_run", ({ value, user }) => {
        const v = value as { metadata?: Record<string, unknown> };
        v.metadata ??= {};
        v.metadata.run_by = user.identity;
      });
    const { app } = await setup({ auth: createAuthService({ module: { file: "/t/auth.ts", exportName: "auth", auth: auth as never } }) });
    const as = (user: string) => ({ "x-user": user });

    expect((await post(app, "/runs/crons", { assistant_id: "echo", schedule: "* * * * *" })).statusCode).toBe(401);
    const mine = (await post(app, "/runs/crons", { assistant_id: "echo", schedule: "* * * * * *", on_run_completed: "keep", input: { messages: [] } }, as("alice"))).json();
    expect(mine.metadata).toEqual({ owner: "alice" });
    expect(mine.user_id).toBe("alice");

    expect((await post(app, "/runs/crons/search", {}, as("bob"))).json()).toEqual([]);
    expect((await post(app, "/runs/crons/count", {}, as("bob"))).json()).toBe(0);
    expect((await app.inject({ method: "PATCH", url: `/runs/crons/${mine.cron_id}`, payload: { enabled: false }, headers: as("bob") })).statusCode).toBe(404);
    expect((await app.inject({ method: "DELETE", url: `/runs/crons/${mine.cron_id}`, headers: as("bob") })).statusCode).toBe(404);
    expect((await post(app, "/runs/crons/search", {}, as("alice"))).json()).toHaveLength(1);

    // The scheduled run was created as alice: her create_run handler stamped the thread.
    await until(async () => (await post(app, "/threads/search", { metadata: { cron_id: mine.cron_id } }, as("alice"))).json().length >= 1, 4000);
    const [thread] = (await post(app, "/threads/search", { metadata: { cron_id: mine.cron_id } }, as("alice"))).json();
    expect(thread.metadata).toMatchObject({ run_by: "alice" });
    expect((await app.inject({ method: "DELETE", url: `/runs/crons/${mine.cron_id}`, headers: as("alice") })).statusCode).toBe(204);
    expect(seen).toEqual(expect.arrayContaining(["alice:create", "bob:search", "bob:update", "bob:delete", "alice:delete"]));
  });

  it("a cron whose thread was deleted is deleted when it comes due", async () => {
    const t = await setup();
    const { app, services, storage } = t;
    const thread = (await post(app, "/threads", {})).json() as { thread_id: string };
    await post(app, `/threads/${thread.thread_id}/runs/crons`, { assistant_id: "echo", schedule: "* * * * * *" });
    await app.inject({ method: "DELETE", url: `/threads/${thread.thread_id}` });
    await until(async () => (await post(app, "/runs/crons/count", {})).json() === 0, 3000);
    expect(storage.threads.has(thread.thread_id)).toBe(false);
  });

  it("the cron routes are in /openapi.json", async () => {
    const { app } = await setup();
    const doc = (await app.inject({ method: "GET", url: "/openapi.json" })).json() as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/runs/crons", "/runs/crons/search", "/runs/crons/count", "/runs/crons/{cron_id}", "/threads/{thread_id}/runs/crons"]));
    expect(Object.keys(doc.paths["/runs/crons/{cron_id}"]!).sort()).toEqual(["delete", "get", "patch"]);
  });

  it("truncate with runs removes crons", async () => {
    const { app } = await setup();
    await post(app, "/runs/crons", { assistant_id: "echo", schedule: "0 0 * * *" });
    expect((await post(app, "/internal/truncate", { runs: true })).statusCode).toBe(204);
    expect((await post(app, "/runs/crons/count", {})).json()).toBe(0);
  });
});

/** Let in-flight runs finish. */
async function settle({ services, storage }: { services: Services; storage: Storage }): Promise<void> {
  for (const r of storage.runs.values()) if (r.status === "pending" || r.status === "running") await services.executor.wait(r.run_id);
}
