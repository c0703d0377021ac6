import { Client } from "@langchain/langgraph-sdk";
import { afterAll, describe, expect, it } from "vitest";
import { copyFixture, startServer, TEST_BACKEND, type RunningServer } from "../helpers/spawn.js";

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
    // 50 runs on 50 threads; 10 execute at a time (--n-jobs-per-worker). The first 10 take 3 x 1 s, so the other 40
    // (3 x 50 ms each) are still queued when SIGTERM comes right after they are created.
    const create = async (ms: number) => {
      const t = await first.client.threads.create();
      return { thread: t.thread_id, run: (await first.client.runs.create(t.thread_id, "slow", { input: { ms } })).run_id };
    };
    const runs = await Promise.all(Array.from({ length: 10 }, () => create(1000)));
    runs.push(...(await Promise.all(Array.from({ length: 40 }, () => create(50)))));
    const { code, ms } = await sigterm(first.server, 20_000);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(10_000);
    const out = first.server.output();
    expect(out).toMatch(/SIGTERM: shutting down/);
    expect(out).toMatch(/waiting up to 10 s for \d+ running runs? to finish/);
    expect(out).not.toMatch(/did not finish in time/);

    // After the restart: the queued runs are queued again, none was left `running` (which would be marked as errors).
    const second = await start(fx.dir);
    const requeued = /after restart: (\d+) pending runs queued again, 0 interrupted runs marked as errors/.exec(second.server.output());
    expect(requeued).not.toBeNull();
    expect(Number(requeued![1])).toBeGreaterThan(0);
    // The 10 long ones were let finish before the exit.
    for (const r of runs.slice(0, 10)) expect((await second.client.runs.get(r.thread, r.run)).status).toBe("success");
    // Every run ends in success; none was lost or left running.
    for (const r of runs) await second.client.runs.join(r.thread, r.run);
    const after = await Promise.all(runs.map((r) => second.client.runs.get(r.thread, r.run).then((x) => x.status)));
    expect(after).toEqual(runs.map(() => "success"));
    for (const r of runs.slice(0, 5)) {
      const state = await second.client.threads.getState(r.thread);
      expect((state.values as { ticks: number[] }).ticks).toEqual([1, 2, 3]);
    }
    expect(await second.server.stop()).toBe(0);
  }, 60_000);

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
    const second = await start(fx.dir);
    if (TEST_BACKEND === "postgres") {
      // Shared storage: the run goes back to the queue instead (another process, or this one after its restart,
      // resumes it); the restarted server takes it up again.
      expect(first.server.output()).toMatch(/1 run did not finish in time and went back to the queue/);
      expect(["pending", "running"]).toContain((await second.client.runs.get(thread.thread_id, long.run_id)).status);
      await second.client.runs.cancel(thread.thread_id, long.run_id, true);
    } else {
      expect(first.server.output()).toMatch(/1 run did not finish in time and ended as errors/);
      expect((await second.client.runs.get(thread.thread_id, long.run_id)).status).toBe("error");
    }
    await second.client.runs.join(thread.thread_id, queued.run_id);
    expect((await second.client.runs.get(thread.thread_id, queued.run_id)).status).toBe("success");
    expect(second.server.output()).toMatch(new RegExp(`${TEST_BACKEND === "postgres" ? 2 : 1} pending runs queued again, 0 interrupted runs marked as errors`));
    expect(await second.server.stop()).toBe(0);
  }, 60_000);
});
