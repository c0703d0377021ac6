/**
 * Two `lg-dev serve` processes on one PostgreSQL database serving one project (issue 16, points 3 and 4): every
 * run executes exactly once whichever process it was sent to, and a process killed mid-run has its run ended as an
 * error, and its thread freed, by the other one within 10 s.
 *
 * The graph records every execution (its input's tag and the executing process's pid) in a file, and adds 1 to the
 * thread's `n`: a run executed twice would show as a repeated tag and as `n` too high.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { Client } from "@langchain/langgraph-sdk";
import pgDriver from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usePostgres } from "../helpers/postgres.js";
import { lgDevUnderTest, linkNodeModules, makeTempDir, writeFiles } from "../helpers/spawn.js";

const pg = usePostgres();
const children = new Set<ChildProcess>();
let project: { dir: string; cleanup(): void };
let recordFile: string;

const GRAPH = `
import { appendFileSync, existsSync } from "node:fs";
import { Annotation, StateGraph } from "@langchain/langgraph";

// Waits until the test opens the gate (creates the file RECORD_FILE.<name>.open), or the run is stopped.
const gate = (name: string, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const file = process.env.RECORD_FILE + "." + name + ".open";
    const t = setInterval(() => existsSync(file) && (clearInterval(t), resolve()), 25);
    signal?.addEventListener("abort", () => (clearInterval(t), reject(new Error("aborted"))));
  });

const State = Annotation.Root({
  tag: Annotation<string>,
  ms: Annotation<number>,
  gate: Annotation<string>,
  n: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }),
});

export const graph = new StateGraph(State)
  .addNode("work", async (s, config) => {
    appendFileSync(process.env.RECORD_FILE!, s.tag + " " + process.pid + "\\n");
    if (s.ms) {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, s.ms);
        config.signal?.addEventListener("abort", () => (clearTimeout(t), reject(new Error("aborted"))));
      });
    }
    if (s.gate) await gate(s.gate, config.signal);
    return { n: 1 };
  })
  .addEdge("__start__", "work")
  .compile();

// k steps of ms each, one values event per step: a stream long enough to be joined while it runs. With a gate, the
// step after step \`at\` waits for it.
const Steps = Annotation.Root({ tag: Annotation<string>, i: Annotation<number>, k: Annotation<number>, ms: Annotation<number>, gate: Annotation<string>, at: Annotation<number> });
export const steps = new StateGraph(Steps)
  .addNode("step", async (s, config) => {
    if (!s.i) appendFileSync(process.env.RECORD_FILE!, s.tag + " " + process.pid + "\\n");
    if (s.gate && (s.i ?? 0) === s.at) await gate(s.gate, config.signal);
    await new Promise((r) => setTimeout(r, s.ms));
    return { i: (s.i ?? 0) + 1 };
  })
  .addEdge("__start__", "step")
  .addConditionalEdges("step", (s) => (s.i >= s.k ? "__end__" : "step"))
  .compile();
`;

beforeAll(() => {
  project = makeTempDir("lg-dev-multi-");
  writeFiles(project.dir, { "langgraph.json": JSON.stringify({ graphs: { record: "./src/record.ts:graph", steps: "./src/record.ts:steps" } }), "src/record.ts": GRAPH });
  linkNodeModules(project.dir);
  recordFile = join(project.dir, "executions.txt");
});
afterAll(() => {
  for (const c of children) c.kill("SIGKILL");
  project?.cleanup();
});

interface Served {
  child: ChildProcess;
  url: string;
  client: Client;
  exited: Promise<number | null>;
  text(): string;
}

async function serve(args: string[] = []): Promise<Served> {
  const child = spawn(process.execPath, [lgDevUnderTest().bin, "serve", "--port", "0", "--host", "127.0.0.1", "--no-persist", ...args], {
    cwd: project.dir,
    env: { ...process.env, BROWSER: "none", NO_COLOR: "1", LG_DEV_STATIC_SCHEMAS: "0", PORT: undefined, POSTGRES_URI: pg.url, RECORD_FILE: recordFile },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((r) =>
    child.on("exit", (code) => {
      children.delete(child);
      r(code);
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lg-dev serve was not ready in time:\n${out}`)), 30_000);
    const check = () => {
      const m = /"msg":"lg-dev ready","url":"([^"]+)"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`lg-dev serve exited with ${code} before it was ready:\n${out}`));
    });
  });
  return { child, url, exited, text: () => out, client: new Client({ apiUrl: url, callerOptions: { maxRetries: 0 } }) };
}

async function stop(s: Served): Promise<number | null> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return s.child.exitCode;
  s.child.kill("SIGTERM");
  const timer = setTimeout(() => s.child.kill("SIGKILL"), 15_000);
  const code = await s.exited;
  clearTimeout(timer);
  return code;
}

/** The executions recorded so far: tag -> pids that executed it. */
function executions(): Map<string, number[]> {
  const seen = new Map<string, number[]>();
  if (!existsSync(recordFile)) return seen;
  for (const line of readFileSync(recordFile, "utf8").split("\n").filter(Boolean)) {
    const [tag, pid] = line.split(" ");
    seen.set(tag!, [...(seen.get(tag!) ?? []), Number(pid)]);
  }
  return seen;
}

type Ev = { id?: string; event: string; data: any };
async function collect(stream: AsyncIterable<unknown>): Promise<Ev[]> {
  const out: Ev[] = [];
  for await (const e of stream) out.push(e as Ev);
  return out;
}

async function until<T>(fn: () => Promise<T | undefined> | T | undefined, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("two lg-dev serve processes on one PostgreSQL database", () => {
  it("200 concurrent runs on 20 threads, sent to either process: each executes exactly once, in both processes", async () => {
    const [a, b] = [await serve(), await serve()];
    try {
      const clients = [a.client, b.client];
      const threads = await Promise.all(Array.from({ length: 20 }, (_, i) => clients[i % 2]!.threads.create()));
      const runs = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          clients[i % 2]!.runs.create(threads[i % 20]!.thread_id, "record", { input: { tag: `run-${i}`, ms: 0 }, multitaskStrategy: "enqueue" }),
        ),
      );
      // Joined from the other process than the one it was sent to.
      await Promise.all(runs.map((r, i) => clients[(i + 1) % 2]!.runs.join(r.thread_id, r.run_id)));
      const seen = executions();
      const twice = [...seen].filter(([, pids]) => pids.length > 1);
      expect(twice).toEqual([]);
      expect(seen.size).toBe(200);
      const pids = new Set([...seen.values()].flat());
      expect(pids).toEqual(new Set([a.child.pid, b.child.pid]));
      for (const t of threads) {
        const state = await clients[0]!.threads.getState(t.thread_id);
        expect((state.values as { n: number }).n).toBe(10);
        expect((await clients[1]!.threads.get(t.thread_id)).status).toBe("idle");
      }
      const statuses = await Promise.all(runs.map((r, i) => clients[i % 2]!.runs.get(r.thread_id, r.run_id)));
      expect(new Set(statuses.map((r) => r.status))).toEqual(new Set(["success"]));
    } finally {
      expect(await stop(a)).toBe(0);
      expect(await stop(b)).toBe(0);
    }
  }, 120_000);

  it("SIGKILL of the process executing a run: the other ends it as an error, frees the thread within 10 s and runs what was queued behind it", async () => {
    const [a, b] = [await serve(), await serve()];
    const servers = [a, b];
    try {
      const thread = await a.client.threads.create();
      const long = await a.client.runs.create(thread.thread_id, "record", { input: { tag: "long", ms: 120_000 } });
      const executor = await until(() => executions().get("long")?.[0], 15_000, "the long run to start");
      const queued = await b.client.runs.create(thread.thread_id, "record", { input: { tag: "queued", ms: 0 }, multitaskStrategy: "enqueue" });
      const victim = servers.find((s) => s.child.pid === executor)!;
      const survivor = servers.find((s) => s !== victim)!;
      // The run's waiter is on the survivor: its wait must end with the takeover.
      const waited = survivor.client.runs.join(thread.thread_id, long.run_id);
      const killedAt = Date.now();
      victim.child.kill("SIGKILL");
      await victim.exited;
      const ended = await until(
        async () => {
          const run = await survivor.client.runs.get(thread.thread_id, long.run_id);
          return run.status === "running" ? undefined : run;
        },
        15_000,
        "the killed process's run to end",
      );
      const takeoverMs = Date.now() - killedAt;
      expect(ended.status).toBe("error");
      expect(takeoverMs).toBeLessThan(10_000);
      await waited;
      // The run queued behind it ran once, on the survivor; the thread is free and takes new runs.
      await survivor.client.runs.join(thread.thread_id, queued.run_id);
      expect(executions().get("queued")).toEqual([survivor.child.pid]);
      expect((await survivor.client.runs.get(thread.thread_id, queued.run_id)).status).toBe("success");
      const after = await survivor.client.runs.wait(thread.thread_id, "record", { input: { tag: "after", ms: 0 } });
      expect((after as { n: number }).n).toBe(2);
      expect((await survivor.client.threads.get(thread.thread_id)).status).toBe("idle");
      expect(executions().get("long")).toEqual([executor]);
      process.stderr.write(`takeover of a SIGKILLed process's run: ${takeoverMs} ms\n`);
    } finally {
      for (const s of servers) await stop(s);
    }
  }, 120_000);

  it("cancel and multitask interrupt from the process that does not execute the run stop it where it runs", async () => {
    const [a, b] = [await serve(), await serve()];
    const servers = [a, b];
    try {
      const thread = await a.client.threads.create();
      const long = await a.client.runs.create(thread.thread_id, "record", { input: { tag: "to-cancel", ms: 120_000 } });
      const executor = await until(() => executions().get("to-cancel")?.[0], 15_000, "the run to start");
      const other = servers.find((s) => s.child.pid !== executor)!;
      const t0 = Date.now();
      await other.client.runs.cancel(thread.thread_id, long.run_id, true);
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect((await other.client.runs.get(thread.thread_id, long.run_id)).status).toBe("interrupted");

      const second = await a.client.runs.create(thread.thread_id, "record", { input: { tag: "interrupted-by-multitask", ms: 120_000 } });
      const runner = await until(() => executions().get("interrupted-by-multitask")?.[0], 15_000, "the second run to start");
      const elsewhere = servers.find((s) => s.child.pid !== runner)!;
      const out = await elsewhere.client.runs.wait(thread.thread_id, "record", { input: { tag: "after-interrupt", ms: 0 }, multitaskStrategy: "interrupt" });
      expect((out as { n: number }).n).toBeGreaterThanOrEqual(1);
      expect((await elsewhere.client.runs.get(thread.thread_id, second.run_id)).status).toBe("interrupted");
      expect((await elsewhere.client.threads.get(thread.thread_id)).status).toBe("idle");
    } finally {
      for (const s of servers) expect(await stop(s)).toBe(0);
    }
  }, 120_000);

  it("streams from any process: joins on the process that does not execute a run get every event, replay resumes there, runs.stream works wherever the run executes", async () => {
    const [a, b] = [await serve(), await serve()];
    const servers = [a, b];
    try {
      // A resumable run: joined with Last-Event-ID -1 on both processes while it runs, both get the same events.
      const thread = await a.client.threads.create();
      const run = await a.client.runs.create(thread.thread_id, "steps", { input: { tag: "resumable", i: 0, k: 8, ms: 150 }, streamMode: ["values", "updates"], streamResumable: true });
      const runner = await until(() => executions().get("resumable")?.[0], 15_000, "the resumable run to start");
      const here = servers.find((s) => s.child.pid === runner)!;
      const elsewhere = servers.find((s) => s !== here)!;
      const [local, remote] = await Promise.all([
        collect(here.client.runs.joinStream(thread.thread_id, run.run_id, { lastEventId: "-1" })),
        collect(elsewhere.client.runs.joinStream(thread.thread_id, run.run_id, { lastEventId: "-1" })),
      ]);
      expect(remote).toEqual(local);
      expect(remote.map((e) => e.id)).toEqual(remote.map((_, i) => String(i)));
      expect(remote[0]).toMatchObject({ event: "metadata", data: { run_id: run.run_id } });
      expect(remote.filter((e) => e.event === "values").map((e) => e.data.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
      expect(remote.filter((e) => e.event === "updates")).toHaveLength(8);
      // Resumable replay after the run ended, from either process: the tail after the named event.
      const tailElsewhere = await collect(elsewhere.client.runs.joinStream(thread.thread_id, run.run_id, { lastEventId: "5" }));
      expect(tailElsewhere).toEqual(local.slice(6));
      expect(await collect(here.client.runs.joinStream(null, run.run_id, { lastEventId: "5" }))).toEqual(local.slice(6));
      expect(await collect(elsewhere.client.runs.joinStream(thread.thread_id, run.run_id))).toEqual([]);

      // A background run nobody read: joined mid-run on the other process, the join gets all of it.
      const bg = await a.client.runs.create(thread.thread_id, "steps", { input: { tag: "background", i: 0, k: 6, ms: 150 }, streamMode: "values" });
      const bgRunner = await until(() => executions().get("background")?.[0], 15_000, "the background run to start");
      const other = servers.find((s) => s.child.pid !== bgRunner)!;
      const joined = await collect(other.client.runs.joinStream(thread.thread_id, bg.run_id));
      expect(joined.map((e) => e.event)).toEqual(["metadata", ...Array(7).fill("values")]);
      expect(joined.at(-1)!.data.i).toBe(6);

      // runs.stream sent to one process, executed by whichever claims it: every stream is complete.
      const threads = await Promise.all(Array.from({ length: 8 }, (_, i) => servers[i % 2]!.client.threads.create()));
      const streamed = await Promise.all(
        threads.map((t, i) => collect(servers[i % 2]!.client.runs.stream(t.thread_id, "steps", { input: { tag: `stream-${i}`, i: 0, k: 3, ms: 50 }, streamMode: "values" }))),
      );
      for (const events of streamed) expect(events.map((e) => e.event === "values" ? e.data.i : e.event)).toEqual(["metadata", 0, 1, 2, 3]);
      const streamPids = new Set(threads.map((_, i) => executions().get(`stream-${i}`)?.[0]));
      process.stderr.write(`runs.stream: ${streamed.length} streams executed by ${streamPids.size} process(es)\n`);
    } finally {
      for (const s of servers) expect(await stop(s)).toBe(0);
    }
  }, 120_000);

  it("SIGTERM of one process: it claims nothing more (the other runs what is queued, and what is created on it meanwhile), a run ending within the grace period finishes there, one still going is resumed by the other from its last checkpoint, exit 0", async () => {
    // A alone first, so that it executes both runs.
    const a = await serve(["--shutdown-grace", "3"]);
    const servers = [a];
    try {
      const [t1, t2, t3] = await Promise.all([a.client.threads.create(), a.client.threads.create(), a.client.threads.create()]);
      // Ends when the test opens its gate, after the signal.
      const short = await a.client.runs.create(t1.thread_id, "record", { input: { tag: "ends-in-grace", gate: "short" } });
      // Waits at its fourth step until the gate opens, after A has exited: still going when the 3 s grace period ends.
      const long = await a.client.runs.create(t2.thread_id, "steps", { input: { tag: "outlives-grace", i: 0, k: 8, ms: 50, gate: "long", at: 3 }, streamMode: ["values"], streamResumable: true });
      await until(() => (executions().has("ends-in-grace") && executions().has("outlives-grace") ? true : undefined), 15_000, "both runs to start on A");
      const b = await serve();
      servers.push(b);
      // Queued behind the short run, on A: A must leave it to B. Queued behind the long run, on B: it waits for the
      // long run's second attempt there.
      const queued = await a.client.runs.create(t1.thread_id, "record", { input: { tag: "queued-before-signal", ms: 0 }, multitaskStrategy: "enqueue" });
      const behindLong = await b.client.runs.create(t2.thread_id, "steps", { input: { tag: "behind-long", i: 0, k: 1, ms: 0 }, multitaskStrategy: "enqueue" });
      const signalled = Date.now();
      a.child.kill("SIGTERM");
      await until(() => (a.text().includes("SIGTERM: shutting down") ? true : undefined), 5_000, "A to hear the signal");
      // A still answers during its grace period: a run created there is executed by B, and a join on A returns.
      const created = await a.client.runs.create(t3.thread_id, "record", { input: { tag: "created-after-signal", ms: 0 } });
      const joinedOnA = (await a.client.runs.join(t3.thread_id, created.run_id)) as { n: number };
      expect(joinedOnA.n).toBe(1);
      const streamedOnA = await collect(a.client.runs.stream(t3.thread_id, "record", { input: { tag: "streamed-after-signal", ms: 0 }, streamMode: "values" }));
      expect(streamedOnA.map((e) => (e.event === "values" ? e.data.n : e.event))).toEqual(["metadata", 1, 2]);
      writeFileSync(`${recordFile}.short.open`, "");
      expect(await a.client.runs.join(t1.thread_id, short.run_id)).toMatchObject({ n: 1 });
      expect(Date.now() - signalled).toBeLessThan(3000);
      expect(await a.exited).toBe(0);
      const exitedAt = Date.now();
      writeFileSync(`${recordFile}.long.open`, "");

      const [pa, pb] = [a.child.pid, b.child.pid];
      expect(executions().get("ends-in-grace")).toEqual([pa]);
      expect((await b.client.runs.get(t1.thread_id, short.run_id)).status).toBe("success");
      await b.client.runs.join(t1.thread_id, queued.run_id);
      expect(executions().get("queued-before-signal")).toEqual([pb]);
      expect(executions().get("created-after-signal")).toEqual([pb]);
      expect(executions().get("streamed-after-signal")).toEqual([pb]);
      expect((await b.client.runs.get(t1.thread_id, queued.run_id)).status).toBe("success");
      expect(((await b.client.threads.getState(t1.thread_id)).values as { n: number }).n).toBe(2);

      // The long run went back to the queue: B resumes it from its last checkpoint (its first step, which records
      // the execution, is not run again) and it ends in success; its resumable stream holds both attempts.
      await b.client.runs.join(t2.thread_id, long.run_id);
      process.stderr.write(`a run handed back at shutdown: resumed and finished (5 steps of 50 ms left) ${Date.now() - exitedAt} ms after its process exited\n`);
      expect((await b.client.runs.get(t2.thread_id, long.run_id)).status).toBe("success");
      expect(executions().get("outlives-grace")).toEqual([pa]);
      const events = await collect(b.client.runs.joinStream(t2.thread_id, long.run_id, { lastEventId: "-1" }));
      expect(events.map((e) => e.id)).toEqual(events.map((_, i) => String(i)));
      expect(events.filter((e) => e.event === "metadata").map((e) => e.data.attempt)).toEqual([1, 2]);
      const seen = events.filter((e) => e.event === "values").map((e) => e.data.i as number);
      expect(seen[0]).toBe(0);
      expect(seen.at(-1)).toBe(8);
      expect(a.text()).toMatch(/1 run did not finish in time and went back to the queue/);
      await b.client.runs.join(t2.thread_id, behindLong.run_id);
      expect(executions().get("behind-long")).toEqual([pb]);
      expect((await b.client.runs.get(t2.thread_id, behindLong.run_id)).status).toBe("success");
      expect(((await b.client.threads.getState(t2.thread_id)).values as { i: number }).i).toBe(1);

      // Nothing is left running or busy.
      for (const t of [t1, t2, t3]) {
        expect((await b.client.threads.get(t.thread_id)).status).toBe("idle");
        const statuses = (await b.client.runs.list(t.thread_id)).map((r) => r.status);
        expect(statuses.filter((st) => st === "pending" || st === "running")).toEqual([]);
      }
    } finally {
      for (const s of servers) expect(await stop(s)).toBe(0);
    }
  }, 120_000);

  it("thread streams from any process: a follower gets the lifecycle and state_update events of runs executing in the other process, and of state updates made there", async () => {
    const [a, b] = [await serve(), await serve()];
    const servers = [a, b];
    const controller = new AbortController();
    try {
      const thread = await a.client.threads.create();
      // One follower on each process: whichever executes a run, one of them follows it from the other process.
      const followed = servers.map((s) => {
        const events: Ev[] = [];
        const done = (async () => {
          try {
            for await (const e of s.client.threads.joinStream(thread.thread_id, { streamMode: ["lifecycle", "state_update"], signal: controller.signal } as never)) events.push(e as Ev);
          } catch (err) {
            if (!controller.signal.aborted) throw err;
          }
        })();
        return { events, done };
      });
      await new Promise((r) => setTimeout(r, 500));
      // A run streaming `values` (its values events carry the states) and one streaming only `updates`.
      const withValues = await a.client.runs.create(thread.thread_id, "steps", { input: { tag: "thread-values", i: 0, k: 3, ms: 20 }, streamMode: "values" });
      await b.client.runs.join(thread.thread_id, withValues.run_id);
      const withUpdates = await b.client.runs.create(thread.thread_id, "steps", { input: { tag: "thread-updates", i: 0, k: 3, ms: 20 }, streamMode: "updates" });
      await a.client.runs.join(thread.thread_id, withUpdates.run_id);
      await b.client.threads.updateState(thread.thread_id, { values: { tag: "planted" } });
      const expected = [
        ...[0, 1, 2, 3].map((i) => ({ run_id: withValues.run_id, tag: "thread-values", i })),
        ...[0, 1, 2, 3].map((i) => ({ run_id: withUpdates.run_id, tag: "thread-updates", i })),
        { run_id: undefined, tag: "planted", i: 3 },
      ];
      const updatesOf = (events: Ev[]) => events.filter((e) => e.event === "state_update").map((e) => ({ run_id: e.data.run_id, tag: e.data.values.tag, i: e.data.values.i }));
      for (const f of followed) {
        await until(() => (updatesOf(f.events).length >= expected.length ? true : undefined), 10_000, "every state_update").catch(() => undefined);
        expect(updatesOf(f.events)).toEqual(expected);
        const lifecycle = f.events.filter((e) => e.event === "lifecycle").map((e) => `${e.data.run_id}:${e.data.event}`);
        expect(lifecycle).toEqual([`${withValues.run_id}:started`, `${withValues.run_id}:completed`, `${withUpdates.run_id}:started`, `${withUpdates.run_id}:completed`]);
      }
      const runners = new Set([executions().get("thread-values")?.[0], executions().get("thread-updates")?.[0]]);
      process.stderr.write(`thread streams: runs executed by ${runners.size} process(es)\n`);
    } finally {
      controller.abort();
      for (const s of servers) expect(await stop(s)).toBe(0);
    }
  }, 120_000);

  it("a cron every second with two processes: one run per schedule tick, none doubled, each executed once", async () => {
    const [a, b] = [await serve(), await serve()];
    const servers = [a, b];
    try {
      const thread = await a.client.threads.create();
      // Ends mid-second, about 5 s from now: the ticks are every whole second from the first to the end.
      const endMs = Math.floor(Date.now() / 1000) * 1000 + 5500;
      const cron = await a.client.crons.createForThread(thread.thread_id, "record", {
        schedule: "* * * * * *",
        input: { tag: "cron", ms: 0 },
        endTime: new Date(endMs).toISOString(),
        multitaskStrategy: "enqueue",
      } as never);
      const first = Date.parse((cron as { next_run_date: string }).next_run_date);
      const ticks = Math.floor((endMs - first) / 1000) + 1;
      expect(ticks).toBeGreaterThanOrEqual(4);
      // Both fire (whoever wins each tick's compare-and-set); halfway, the process that created the cron stops and
      // the other, which heard of the cron only through the notification, fires the rest alone.
      await new Promise((r) => setTimeout(r, first + 2200 - Date.now()));
      expect(await stop(a)).toBe(0);
      const stoppedAt = Date.now();
      // Past the end, and long enough for the last tick's run to finish.
      await new Promise((r) => setTimeout(r, endMs - Date.now() + 1500));
      const runs = await b.client.runs.list(thread.thread_id, { limit: 100 });
      expect(runs).toHaveLength(ticks);
      await Promise.all(runs.map((r) => b.client.runs.join(thread.thread_id, r.run_id)));
      expect(executions().get("cron")).toHaveLength(ticks);
      expect(((await b.client.threads.getState(thread.thread_id)).values as { n: number }).n).toBe(ticks);
      const afterStop = runs.filter((r) => Date.parse(r.created_at) > stoppedAt);
      expect(afterStop.length).toBeGreaterThanOrEqual(1);
      process.stderr.write(`cron: ${ticks} ticks, ${runs.length} runs, ${afterStop.length} fired by the remaining process\n`);
    } finally {
      for (const s of servers) expect(await stop(s)).toBe(0);
    }
  }, 60_000);

  it("the database restarts under two processes: 503 with a clear message while it is down, both reconnect by themselves, nothing acknowledged is lost, a new run executes once", async () => {
    const [a, b] = [await serve(), await serve()];
    const servers = [a, b];
    try {
      const thread = await a.client.threads.create({ metadata: { kept: "yes" } });
      await b.client.runs.wait(thread.thread_id, "record", { input: { tag: "before-restart", ms: 0 } });
      const other = await b.client.threads.create();
      await pg.cluster.stop();
      for (const s of servers) {
        const res = await fetch(`${s.url}/threads/${thread.thread_id}`);
        expect(res.status).toBe(503);
        expect(res.headers.get("retry-after")).toBe("1");
        expect(await res.text()).toMatch(/^The database is unavailable: .+ lg-dev reconnects by itself; retry shortly\.$/);
      }
      const down = await fetch(`${a.url}/threads`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(down.status).toBe(503);
      await pg.cluster.start();
      // Both come back by themselves (nobody restarts them).
      for (const s of servers) {
        await until(async () => ((await fetch(`${s.url}/threads/${thread.thread_id}`)).status === 200 ? true : undefined), 20_000, "the process to reconnect");
      }
      for (const s of servers) {
        const t = await s.client.threads.get(thread.thread_id);
        expect(t.metadata).toMatchObject({ kept: "yes" });
        expect(((await s.client.threads.getState(thread.thread_id)).values as { n: number }).n).toBe(1);
        expect((await s.client.runs.list(thread.thread_id)).map((r) => r.status)).toEqual(["success"]);
        expect((await s.client.threads.get(other.thread_id)).thread_id).toBe(other.thread_id);
      }
      // A run created after the restart (on either process) executes exactly once; joins from the other one end.
      const run = await a.client.runs.create(thread.thread_id, "record", { input: { tag: "after-restart", ms: 0 } });
      await b.client.runs.join(thread.thread_id, run.run_id);
      expect((await a.client.runs.get(thread.thread_id, run.run_id)).status).toBe("success");
      expect(executions().get("after-restart")).toHaveLength(1);
      expect(executions().get("before-restart")).toHaveLength(1);
      expect(((await b.client.threads.getState(thread.thread_id)).values as { n: number }).n).toBe(2);
      expect((await a.client.threads.get(thread.thread_id)).status).toBe("idle");
    } finally {
      for (const s of servers) expect(await stop(s)).toBe(0);
    }
  }, 90_000);

  it("runs in flight while the database restarts end and free their slots and threads; a pending run nobody announced is claimed; a thread left busy with no run is settled", async () => {
    // Two runs at once per process: a slot lost for good would show at once.
    const [a, b] = [await serve(["--n-jobs-per-worker", "2"]), await serve(["--n-jobs-per-worker", "2"])];
    const servers = [a, b];
    try {
      const threads = await Promise.all([0, 1, 2, 3].map(() => a.client.threads.create()));
      const runs = await Promise.all(threads.map((t, i) => (i % 2 ? b : a).client.runs.create(t.thread_id, "record", { input: { tag: `inflight-${i}`, gate: "dbdown" } })));
      await until(() => ([0, 1, 2, 3].every((i) => executions().has(`inflight-${i}`)) ? true : undefined), 20_000, "the four runs to start");
      // They end while the database is down: neither their checkpoint nor their end can be stored.
      await pg.cluster.stop();
      writeFileSync(`${recordFile}.dbdown.open`, "");
      await new Promise((r) => setTimeout(r, 500));
      await pg.cluster.start();
      for (const [i, t] of threads.entries()) {
        const run = await until(async () => {
          const r = await a.client.runs.get(t.thread_id, runs[i]!.run_id).catch(() => undefined);
          return r && r.status !== "pending" && r.status !== "running" ? r : undefined;
        }, 30_000, `in-flight run ${i} to end`);
        expect(["success", "error"]).toContain(run.status);
        await until(async () => ((await a.client.threads.get(t.thread_id).catch(() => undefined))?.status === "busy" ? undefined : true), 30_000, `thread ${i} to be free`);
      }
      expect(a.text() + b.text()).not.toMatch(/executor failure/);
      // Both processes still run two at once: eight runs on eight threads all execute.
      const more = await Promise.all([...Array(8)].map(() => b.client.threads.create()));
      const outs = await Promise.all(more.map((t, i) => (i % 2 ? a : b).client.runs.wait(t.thread_id, "record", { input: { tag: `after-db-${i}`, ms: 100 } })));
      expect(outs.map((o) => (o as { n: number }).n)).toEqual(Array(8).fill(1));

      const db = new pgDriver.Client({ connectionString: pg.url });
      await db.connect();
      try {
        // A pending run stored without its announcement (its process died in between): some process claims it.
        const target = await a.client.threads.create();
        const unheard = randomUUID();
        await db.query(
          `INSERT INTO lgdev_runs (run_id, thread_id, assistant_id, created_at, updated_at, status, metadata, kwargs, multitask_strategy)
           SELECT $2, $3, assistant_id, clock_timestamp(), clock_timestamp(), 'pending', metadata,
                  jsonb_set(jsonb_set(jsonb_set(jsonb_set(kwargs::jsonb || jsonb_build_object('input', jsonb_build_object('tag', 'unheard', 'ms', 0)),
                    '{config,configurable,run_id}', to_jsonb($2::text)), '{config,configurable,thread_id}', to_jsonb($3::text)),
                    '{config,metadata,run_id}', to_jsonb($2::text)), '{config,metadata,thread_id}', to_jsonb($3::text))::json, multitask_strategy
           FROM lgdev_runs WHERE run_id = $1`,
          [runs[0]!.run_id, unheard, target.thread_id],
        );
        await until(async () => ((await b.client.runs.get(target.thread_id, unheard)).status === "success" ? true : undefined), 15_000, "the unannounced run to execute");
        expect(executions().get("unheard")).toHaveLength(1);
        // A thread marked busy with no run pending or running (a process died between a run's end and the thread's
        // update): settled by a sweep.
        const idle = await a.client.threads.create();
        await db.query("UPDATE lgdev_threads SET status = 'busy', updated_at = now() - interval '1 minute' WHERE thread_id = $1", [idle.thread_id]);
        expect((await a.client.threads.get(idle.thread_id)).status).toBe("busy");
        await until(async () => ((await b.client.threads.get(idle.thread_id)).status === "idle" ? true : undefined), 30_000, "the busy thread to be settled");
      } finally {
        await db.end();
      }
    } finally {
      for (const s of servers) expect(await stop(s)).toBe(0);
    }
  }, 150_000);
});
