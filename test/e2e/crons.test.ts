/** Crons end to end: bin/lg-dev on the echo fixture, every `client.crons` method, runs firing each second. */
import { describe, expect, it } from "vitest";
import { serveFixture } from "../helpers/serve-fixture.js";

/** Poll `check` until it holds (bounded); crons fire on a timer, so this waits on wall-clock seconds. */
async function until<T>(check: () => Promise<T | undefined | false>, ms = 6000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("crons (SDK client)", () => {
  const served = serveFixture("echo");

  it("a thread cron fires every second; its runs appear in the runs API; update and delete stop it", async () => {
    const thread = await served.client.threads.create();
    const cron = await served.client.crons.createForThread(thread.thread_id, "echo", {
      schedule: "* * * * * *",
      input: { messages: [{ role: "user", content: "tick" }] },
      metadata: { purpose: "e2e" },
      multitaskStrategy: "enqueue",
    });
    expect(cron).toMatchObject({ thread_id: thread.thread_id, schedule: "* * * * * *", enabled: true, metadata: { purpose: "e2e" } });
    expect(Date.parse(cron.next_run_date!) - Date.now()).toBeLessThanOrEqual(1000);

    const runs = await until(async () => {
      const list = await served.client.runs.list(thread.thread_id, { limit: 100 });
      return list.filter((r) => r.status === "success").length >= 2 && list;
    });
    expect(runs.every((r) => r.metadata?.cron_id === cron.cron_id)).toBe(true);
    const state = await served.client.threads.getState<{ messages: Array<{ content: string }> }>(thread.thread_id);
    expect(state.values.messages.filter((m) => m.content === "echo: tick").length).toBeGreaterThanOrEqual(2);

    const updated = await served.client.crons.update(cron.cron_id, { enabled: false, metadata: { paused: true } });
    expect(updated).toMatchObject({ enabled: false, metadata: { purpose: "e2e", paused: true } });
    await until(async () => (await served.client.runs.list(thread.thread_id, { limit: 100 })).every((r) => r.status !== "pending" && r.status !== "running"));
    const count = (await served.client.runs.list(thread.thread_id, { limit: 100 })).length;
    await new Promise((r) => setTimeout(r, 1300));
    expect((await served.client.runs.list(thread.thread_id, { limit: 100 })).length).toBe(count);

    await served.client.crons.delete(cron.cron_id);
    expect(await served.client.crons.count({ threadId: thread.thread_id })).toBe(0);
    await expect(served.client.crons.update(cron.cron_id, { enabled: true })).rejects.toThrow(/404/);
  });

  it("a stateless cron runs each time on a new thread, kept with onRunCompleted: keep", async () => {
    const cron = await served.client.crons.create("echo", {
      schedule: "* * * * * *",
      input: { messages: [{ role: "user", content: "stateless" }] },
      onRunCompleted: "keep",
    });
    expect(cron).toMatchObject({ thread_id: null, on_run_completed: "keep" });
    const threads = await until(async () => {
      const found = await served.client.threads.search({ metadata: { cron_id: cron.cron_id } });
      return found.length >= 1 && found;
    });
    const done = await until(async () => {
      const [run] = await served.client.runs.list(threads[0]!.thread_id);
      return run?.status === "success" && run;
    });
    expect(done.assistant_id).toBe(cron.assistant_id);
    await served.client.crons.delete(cron.cron_id);
  });

  it("end_time stops the cron", async () => {
    const thread = await served.client.threads.create();
    const endTime = new Date(Date.now() + 1500).toISOString();
    const cron = await served.client.crons.createForThread(thread.thread_id, "echo", { schedule: "* * * * * *", endTime, input: { messages: [] }, multitaskStrategy: "enqueue" });
    expect(cron.end_time).toBe(endTime);
    await until(async () => ((await served.client.crons.search({ threadId: thread.thread_id }))[0]!.next_run_date === null), 5000);
    const runs = await served.client.runs.list(thread.thread_id, { limit: 100 });
    // 1.5 s hold one or two whole seconds: never a third run.
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(runs.length).toBeLessThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await served.client.runs.list(thread.thread_id, { limit: 100 })).length).toBe(runs.length);
    await served.client.crons.delete(cron.cron_id);
  });

  it("search and count: filters, paging, sorting, select", async () => {
    const thread = await served.client.threads.create();
    const a = await served.client.crons.create("echo", { schedule: "0 0 1 1 *", metadata: { batch: "s" } });
    const b = await served.client.crons.create("fail", { schedule: "0 0 2 1 *", metadata: { batch: "s" } });
    const c = await served.client.crons.createForThread(thread.thread_id, "echo", { schedule: "0 0 3 1 *", timezone: "Europe/Paris" });
    expect((c as { timezone?: string }).timezone).toBe("Europe/Paris");
    expect(c.next_run_date).toMatch(/T23:00:00/);

    expect(await served.client.crons.count()).toBe(3);
    expect(await served.client.crons.count({ assistantId: "echo" })).toBe(2);
    expect(await served.client.crons.count({ threadId: thread.thread_id })).toBe(1);
    expect(await served.client.crons.count({ metadata: { batch: "s" } })).toBe(2);

    const byNext = await served.client.crons.search({ sortBy: "next_run_date", sortOrder: "asc" });
    expect(byNext.map((x) => x.cron_id)).toEqual([a.cron_id, b.cron_id, c.cron_id]);
    const page = await served.client.crons.search({ sortBy: "created_at", sortOrder: "asc", limit: 1, offset: 1 });
    expect(page.map((x) => x.cron_id)).toEqual([b.cron_id]);
    const selected = await served.client.crons.search({ assistantId: "fail", select: ["cron_id", "schedule"] });
    expect(selected).toEqual([{ cron_id: b.cron_id, schedule: "0 0 2 1 *" }]);
    const res = await fetch(`${served.server.url}/runs/crons/search`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ limit: 1 }) });
    expect(res.headers.get("x-pagination-total")).toBe("3");

    for (const x of [a, b, c]) await served.client.crons.delete(x.cron_id);
    expect(await served.client.crons.search()).toEqual([]);
  });

  it("rejects a bad schedule with a 422 naming the field", async () => {
    await expect(served.client.crons.create("echo", { schedule: "every day at noon" })).rejects.toThrow(/422.*body\/schedule/);
    await expect(served.client.crons.create("echo", { schedule: "0 12 * * *", timezone: "Atlantis/Capital" })).rejects.toThrow(/422.*body\/timezone/);
  });
});
