import { Client } from "@langchain/langgraph-sdk";
import { afterAll, describe, expect, it } from "vitest";
import { copyFixture, startServer, type RunningServer } from "../helpers/spawn.js";

const fixtures: Array<{ cleanup(): void }> = [];
const servers: RunningServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  fixtures.forEach((f) => f.cleanup());
});

async function start(dir: string, args: string[] = []) {
  const s = await startServer(dir, { args: ["--no-reload", ...args] });
  servers.push(s);
  return { server: s, client: new Client({ apiUrl: s.url }) };
}

/** SIGTERM; resolves with the exit code and how long the exit took. */
async function sigterm(server: RunningServer, timeoutMs: number): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  const exited = new Promise<number | null>((r) => server.process.once("exit", (code) => r(code)));
  server.process.kill("SIGTERM");
  const timer = setTimeout(() => server.process.kill("SIGKILL"), timeoutMs);
  const code = await exited;
  clearTimeout(timer);
  return { code, ms: Date.now() - t0 };
}

describe("SIGTERM under load", () => {
  it("with 50 runs in flight: running ones finish, pending ones stay pending and run after the restart, exit 0", async () => {
    const fx = copyFixture("echo");
    fixtures.push(fx);
    const first = await start(fx.dir);
    // 50 runs of 3 x 100 ms on 50 threads, created at once: 10 execute at a time (--n-jobs-per-worker), the rest queue.
    const threads = await Promise.all(Array.from({ length: 50 }, () => first.client.threads.create()));
    const runs = await Promise.all(
      threads.map(async (t) => ({ thread: t.thread_id, run: (await first.client.runs.create(t.thread_id, "slow", { input: { ms: 100 } })).run_id })),
    );
    const { code, ms } = await sigterm(first.server, 15_000);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(10_000);
    const out = first.server.output();
    expect(out).toMatch(/SIGTERM: shutting down/);
    expect(out).not.toMatch(/did not finish in time/);

    // Right after the restart, nothing is `running` from before: each run either finished or is still queued.
    const second = await start(fx.dir);
    const statuses = await Promise.all(runs.map((r) => second.client.runs.get(r.thread, r.run).then((x) => x.status)));
    const finishedBefore = statuses.filter((s) => s === "success").length;
    expect(finishedBefore).toBeGreaterThan(0); // the ones running at SIGTERM were let finish
    expect(finishedBefore).toBeLessThan(50); // and the queued ones were kept for later
    for (const s of statuses) expect(["success", "pending", "running"]).toContain(s);
    // Every run ends in success; none was lost or left running.
    for (const r of runs) await second.client.runs.join(r.thread, r.run);
    const after = await Promise.all(runs.map((r) => second.client.runs.get(r.thread, r.run).then((x) => x.status)));
    expect(after).toEqual(runs.map(() => "success"));
    for (const r of runs.slice(0, 5)) {
      const state = await second.client.threads.getState(r.thread);
      expect((state.values as { ticks: number[] }).ticks).toEqual([1, 2, 3]);
    }
    expect(await second.server.stop()).toBe(0);
  });

  it("a run still running when the grace period ends is recorded as an error; the one queued behind it runs after restart", async () => {
    const fx = copyFixture("echo");
    fixtures.push(fx);
    const first = await start(fx.dir, ["--shutdown-grace", "0.5"]);
    const thread = await first.client.threads.create();
    const long = await first.client.runs.create(thread.thread_id, "slow", { input: { ms: 20_000 } });
    const queued = await first.client.runs.create(thread.thread_id, "slow", { input: { ms: 1 }, multitaskStrategy: "enqueue" });
    // Wait until the long one is running.
    for (let i = 0; i < 100 && (await first.client.runs.get(thread.thread_id, long.run_id)).status !== "running"; i++) await new Promise((r) => setTimeout(r, 20));
    const { code, ms } = await sigterm(first.server, 10_000);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(4_000);
    expect(first.server.output()).toMatch(/1 run did not finish in time and ended as errors/);

    const second = await start(fx.dir);
    const ended = await second.client.runs.get(thread.thread_id, long.run_id);
    expect(ended.status).toBe("error");
    await second.client.runs.join(thread.thread_id, queued.run_id);
    expect((await second.client.runs.get(thread.thread_id, queued.run_id)).status).toBe("success");
    expect(second.server.output()).toMatch(/1 pending runs queued again, 0 interrupted runs marked as errors/);
    expect(await second.server.stop()).toBe(0);
  });
});
