import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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

/** SIGKILL, and wait until the process is gone. */
async function kill9(server: RunningServer) {
  const gone = new Promise((r) => server.process.once("exit", r));
  server.process.kill("SIGKILL");
  await gone;
}

describe("durable state in .langgraph_api", () => {
  it("everything acknowledged survives kill -9 and a restart", async () => {
    const fx = copyFixture("echo");
    fixtures.push(fx);
    const first = await start(fx.dir);
    const { client } = first;
    const assistant = await client.assistants.create({ graphId: "echo", name: "kept", metadata: { team: "a" } });
    const patched = await client.assistants.update(assistant.assistant_id, { name: "kept-v2" });
    const thread = await client.threads.create({ metadata: { who: "ada" } });
    await client.runs.wait(thread.thread_id, assistant.assistant_id, { input: { messages: [{ role: "user", content: "remember me" }] } });
    const doomed = await client.threads.create();
    await client.threads.delete(doomed.thread_id);
    await client.store.putItem(["users", "ada"], "prefs", { color: "green" });
    // The last acknowledged write, then kill -9 at once.
    await client.threads.update(thread.thread_id, { metadata: { who: "ada", last: "write" } });
    await kill9(first.server);

    const second = await start(fx.dir);
    const c2 = second.client;
    const a = await c2.assistants.get(assistant.assistant_id);
    expect(a.name).toBe("kept-v2");
    expect(a.version).toBe(patched.version);
    expect((await c2.assistants.getVersions(assistant.assistant_id)).map((v) => v.version)).toEqual([2, 1]);
    const t = await c2.threads.get(thread.thread_id);
    expect(t.metadata).toMatchObject({ who: "ada", last: "write" });
    expect(t.status).toBe("idle");
    const state = await c2.threads.getState(thread.thread_id);
    expect((state.values as { messages: Array<{ content: string }> }).messages.map((m) => m.content)).toEqual(["remember me", "echo: remember me"]);
    expect((await c2.threads.getHistory(thread.thread_id)).length).toBeGreaterThanOrEqual(2);
    const runs = await c2.runs.list(thread.thread_id);
    expect(runs.map((r) => r.status)).toEqual(["success"]);
    await expect(c2.threads.get(doomed.thread_id)).rejects.toThrow(/404/);
    expect((await c2.store.getItem(["users", "ada"], "prefs"))?.value).toEqual({ color: "green" });
    // The conversation carries on from the restored checkpoint.
    const more = (await c2.runs.wait(thread.thread_id, assistant.assistant_id, { input: { messages: [{ role: "user", content: "again" }] } })) as {
      messages: unknown[];
    };
    expect(more.messages).toHaveLength(4);
    expect(await second.server.stop()).toBe(0);

    // A clean stop (snapshot) and a third start: still all there.
    const third = await start(fx.dir);
    expect(((await third.client.threads.getState(thread.thread_id)).values as { messages: unknown[] }).messages).toHaveLength(4);
    expect(await third.server.stop()).toBe(0);
  });

  // Embedded: the restart ends the killed process's runs at once (its lock died with it). PostgreSQL: the restarted
  // process is a new worker, and another worker's run is ended only once its lease has passed (5 s, swept every 2 s),
  // as when another process takes over (multi-process.test.ts): until then the run still shows as running.
  it("a run cut off by kill -9 ends as an error after restart (PostgreSQL: once its lease has passed); its thread is not left busy", async () => {
    const fx = copyFixture("echo");
    fixtures.push(fx);
    const first = await start(fx.dir);
    const thread = await first.client.threads.create();
    const run = await first.client.runs.create(thread.thread_id, "slow", { input: { ms: 5000 } });
    // Wait until it is running (the first tick has not finished: 5 s per tick).
    for (let i = 0; i < 100 && (await first.client.runs.get(thread.thread_id, run.run_id)).status !== "running"; i += 1) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await kill9(first.server);
    const killedAt = Date.now();
    const second = await start(fx.dir);
    let after = await second.client.runs.get(thread.thread_id, run.run_id);
    if (TEST_BACKEND === "postgres") {
      while (after.status === "running" && Date.now() - killedAt < 15_000) {
        await new Promise((r) => setTimeout(r, 100));
        after = await second.client.runs.get(thread.thread_id, run.run_id);
      }
      expect(Date.now() - killedAt).toBeLessThan(10_000);
    }
    expect(after.status).toBe("error");
    expect((await second.client.threads.get(thread.thread_id)).status).toBe("error");
    // The thread takes new runs.
    const next = await second.client.runs.wait(thread.thread_id, "slow", { input: { ms: 1 } });
    expect((next as { ticks: number[] }).ticks.length).toBeGreaterThan(0);
    expect(await second.server.stop()).toBe(0);
  });

  // .langgraph_api/ is the embedded store's: on PostgreSQL the data is in the database (tests of the layer and
  // backend: test/storage/postgres/).
  it.skipIf(TEST_BACKEND === "postgres")("--no-persist writes nothing; the first persisted start adds .langgraph_api/ to an existing .gitignore once", async () => {
    const fx = copyFixture("echo");
    fixtures.push(fx);
    writeFileSync(join(fx.dir, ".gitignore"), "node_modules/\n");
    const mem = await start(fx.dir, ["--no-persist"]);
    await mem.client.threads.create();
    expect(await mem.server.stop()).toBe(0);
    expect(existsSync(join(fx.dir, ".langgraph_api"))).toBe(false);
    expect(readFileSync(join(fx.dir, ".gitignore"), "utf8")).toBe("node_modules/\n");

    const disk = await start(fx.dir);
    expect(disk.server.output()).toMatch(/\.gitignore/);
    expect(await disk.server.stop()).toBe(0);
    expect(readFileSync(join(fx.dir, ".gitignore"), "utf8")).toMatch(/^\.langgraph_api\/?$/m);
    const again = await start(fx.dir);
    expect(await again.server.stop()).toBe(0);
    expect(readFileSync(join(fx.dir, ".gitignore"), "utf8").match(/\.langgraph_api/g)).toHaveLength(1);
  });

  // The embedded store's directory lock. On PostgreSQL several processes on one database is the supported way to
  // scale out (test/e2e/multi-process.test.ts: each run executes once, SIGKILL takeover, SIGTERM hand-back).
  it.skipIf(TEST_BACKEND === "postgres")("a second lg-dev on the same project is refused with one clear line", async () => {
    const fx = copyFixture("echo");
    fixtures.push(fx);
    const first = await start(fx.dir);
    await expect(startServer(fx.dir, { args: ["--no-reload"], timeoutMs: 10_000 })).rejects.toThrow(/in use by another lg-dev process \(pid \d+\)/);
    expect(await first.server.stop()).toBe(0);
  });
});
