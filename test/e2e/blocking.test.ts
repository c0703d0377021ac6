import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@langchain/langgraph-sdk";
import { afterAll, describe, expect, it } from "vitest";
import { copyFixture, startServer, type RunningServer } from "../helpers/spawn.js";

const fixtures: Array<{ cleanup(): void }> = [];
const servers: RunningServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  fixtures.forEach((f) => f.cleanup());
});

const WARNING = /blocked the event loop|event loop was blocked/g;
const count = (s: RunningServer, re: RegExp = WARNING) => s.output().match(new RegExp(re.source, "g"))?.length ?? 0;

/** Poll the server output until `n` warnings matching `re` are there (or 2 s pass). */
async function warnings(s: RunningServer, n: number, re: RegExp = WARNING): Promise<number> {
  for (let i = 0; i < 100 && count(s, re) < n; i++) await new Promise((r) => setTimeout(r, 20));
  // A little longer, to catch a warning that should not come.
  await new Promise((r) => setTimeout(r, 100));
  return count(s, re);
}

describe("warnings about graph code that blocks the event loop", () => {
  it("one warning per node naming graph, node and duration; not again for the same node; again after a reload", async () => {
    const fx = copyFixture("blocking");
    fixtures.push(fx);
    const s = await startServer(fx.dir, { args: ["--no-persist"] });
    servers.push(s);
    const client = new Client({ apiUrl: s.url });

    // Many awaits and timers, several runs at once: no warning.
    await Promise.all([1, 2, 3].map(() => client.runs.wait(null, "awaits", { input: { n: 0 } })));
    expect(await warnings(s, 1)).toBe(0);

    await client.runs.wait(null, "blocker", { input: { ms: 400 } });
    expect(await warnings(s, 1)).toBe(1);
    const line = s.output().split("\n").find((l) => WARNING.test(l))!;
    expect(line).toMatch(/warn/);
    expect(line).toMatch(/graph "blocker" node "spin" blocked the event loop for (\d+) ms/);
    const ms = Number(/for (\d+) ms/.exec(line)![1]);
    expect(ms).toBeGreaterThanOrEqual(300);
    expect(line).toContain("--allow-blocking");

    // The same node again: no second warning.
    await client.runs.wait(null, "blocker", { input: { ms: 400 } });
    expect(await warnings(s, 2)).toBe(1);

    // Blocking after an await is seen as event-loop lag, blamed on the one node in progress.
    await client.runs.wait(null, "late", { input: { done: false } });
    expect(await warnings(s, 2)).toBe(2);
    expect(s.output()).toMatch(/the event loop was blocked for about \d+ ms while graph "late" node "after_await" was running/);

    // execSync: no CPU used while it waits, but the loop is stuck all the same.
    await client.runs.wait(null, "shell", { input: { out: "" } });
    expect(await warnings(s, 3)).toBe(3);
    expect(s.output()).toMatch(/graph "shell" node "exec" blocked the event loop for \d+ ms/);

    // After a reload of the graph, it may warn again.
    appendFileSync(join(fx.dir, "src", "blocker.ts"), "\n// edited\n");
    for (let i = 0; i < 250 && !/reloaded graphs? [^\n]*blocker/.test(s.output()); i++) await new Promise((r) => setTimeout(r, 20));
    expect(s.output()).toMatch(/reloaded graphs? [^\n]*blocker/);
    await client.runs.wait(null, "blocker", { input: { ms: 400 } });
    expect(await warnings(s, 4)).toBe(4);
    expect(count(s, /graph "blocker" node "spin" blocked/)).toBe(2);
  }, 60_000);

  it("--allow-blocking: no warning", async () => {
    const fx = copyFixture("blocking");
    fixtures.push(fx);
    const s = await startServer(fx.dir, { args: ["--no-persist", "--no-reload", "--allow-blocking"] });
    servers.push(s);
    const client = new Client({ apiUrl: s.url });
    await client.runs.wait(null, "blocker", { input: { ms: 400 } });
    await client.runs.wait(null, "late", { input: { done: false } });
    expect(await warnings(s, 1)).toBe(0);
  });
});
