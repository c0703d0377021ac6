/**
 * Property-based fuzz: random sequences of SDK calls against a real lg-dev (persistent mode, with restarts by
 * SIGTERM or SIGKILL in the middle), checked against a simple model of what was acknowledged:
 * - no answer is ever a 5xx (4xx are allowed where the call may legitimately be refused);
 * - thread search and count agree with each other and with the model;
 * - what was deleted stays deleted (404), also after a restart;
 * - what was acknowledged (threads, metadata, runs, store items, assistants) survives the restart.
 *
 * The seed is printed; replay a failure with `FUZZ_SEED=<seed> npx vitest run test/fuzz` (and FUZZ_PATH=<path>
 * from the report to jump to the shrunk case). `FUZZ_RUNS=<n>` runs more sequences (default 12: about 25 s here).
 */
import { Client } from "@langchain/langgraph-sdk";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { copyFixture, startServer, type RunningServer } from "../helpers/spawn.js";

type Graph = "echo" | "slow";
interface ModelThread {
  metadata: Record<string, unknown>;
  runs: string[];
  /** Background runs not yet joined. */
  inflight: string[];
  graph?: Graph;
}
interface Model {
  threads: Map<string, ModelThread>;
  deletedThreads: Set<string>;
  store: Map<string, Record<string, unknown>>;
  assistants: Map<string, { name: string; metadata: Record<string, unknown> }>;
  deletedAssistants: Set<string>;
}
interface Real {
  server: RunningServer;
  client: Client;
  dir: string;
  restarts: number;
}

const TAGS = ["red", "green", "blue"] as const;
const NAMESPACE = ["fuzz"];

const servers: RunningServer[] = [];
const fixtures: Array<{ cleanup(): void }> = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  fixtures.forEach((f) => f.cleanup());
});

async function startReal(dir: string): Promise<{ server: RunningServer; client: Client }> {
  const server = await startServer(dir, { args: ["--no-reload", "--shutdown-grace", "2"] });
  servers.push(server);
  // No retries: a 5xx must surface, not be retried away.
  return { server, client: new Client({ apiUrl: server.url, callerOptions: { maxRetries: 0 } }) };
}

/** Run an SDK call; a 4xx (when `allow4xx`) resolves to undefined, anything 5xx or a network error fails the property. */
async function call<T>(what: string, fn: () => Promise<T>, allow4xx: number[] = []): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status !== undefined && allow4xx.includes(status)) return undefined;
    throw new Error(`${what} failed: ${status ?? ""} ${(err as Error).message}`);
  }
}

const live = (m: Model) => [...m.threads.keys()];
const pick = <T>(xs: T[], i: number): T => xs[i % xs.length]!;
const human = (text: string) => ({ messages: [{ role: "user", content: text }] });

/** Wait for a thread's background runs (so it is idle before a state update). */
async function settle(m: Model, r: Real, id: string) {
  const t = m.threads.get(id)!;
  for (const run of t.inflight.splice(0)) await call("runs.join", () => r.client.runs.join(id, run));
}

abstract class Cmd implements fc.AsyncCommand<Model, Real> {
  abstract run(m: Model, r: Real): Promise<void>;
  check(_m: Readonly<Model>): boolean {
    return true;
  }
  abstract toString(): string;
}

class CreateThread extends Cmd {
  constructor(readonly tag: string) {
    super();
  }
  async run(m: Model, r: Real) {
    const t = await call("threads.create", () => r.client.threads.create({ metadata: { tag: this.tag } }));
    m.threads.set(t!.thread_id, { metadata: { tag: this.tag }, runs: [], inflight: [] });
  }
  toString() {
    return `createThread(${this.tag})`;
  }
}

class UpdateThread extends Cmd {
  constructor(readonly i: number, readonly tag: string) {
    super();
  }
  override check(m: Readonly<Model>) {
    return m.threads.size > 0;
  }
  async run(m: Model, r: Real) {
    const id = pick(live(m), this.i);
    const t = await call("threads.update", () => r.client.threads.update(id, { metadata: { tag: this.tag, n: this.i } }));
    Object.assign(m.threads.get(id)!.metadata, { tag: this.tag, n: this.i });
    expect(t!.metadata).toMatchObject(m.threads.get(id)!.metadata);
  }
  toString() {
    return `updateThread(${this.i}, ${this.tag})`;
  }
}

class DeleteThread extends Cmd {
  constructor(readonly i: number) {
    super();
  }
  override check(m: Readonly<Model>) {
    return m.threads.size > 0;
  }
  async run(m: Model, r: Real) {
    const id = pick(live(m), this.i);
    await call("threads.delete", () => r.client.threads.delete(id));
    m.threads.delete(id);
    m.deletedThreads.add(id);
    expect(await call("threads.get after delete", () => r.client.threads.get(id), [404])).toBeUndefined();
  }
  toString() {
    return `deleteThread(${this.i})`;
  }
}

class SearchThreads extends Cmd {
  constructor(readonly tag: string | undefined) {
    super();
  }
  async run(m: Model, r: Real) {
    const metadata = this.tag ? { tag: this.tag } : undefined;
    const found = await call("threads.search", () => r.client.threads.search({ metadata, limit: 1000 }));
    const counted = await call("threads.count", () => r.client.threads.count({ metadata }));
    const expected = [...m.threads].filter(([, t]) => !this.tag || t.metadata.tag === this.tag).map(([id]) => id).sort();
    expect(found!.map((t) => t.thread_id).sort()).toEqual(expected);
    expect(counted).toBe(expected.length);
  }
  toString() {
    return `searchThreads(${this.tag ?? "*"})`;
  }
}

class Run extends Cmd {
  constructor(readonly i: number, readonly how: "wait" | "background" | "stream", readonly graph: Graph) {
    super();
  }
  override check(m: Readonly<Model>) {
    return m.threads.size > 0;
  }
  async run(m: Model, r: Real) {
    const id = pick(live(m), this.i);
    const t = m.threads.get(id)!;
    // A thread keeps one graph (a state of another graph's shape would not fit).
    const graph = t.graph ?? this.graph;
    t.graph = graph;
    const input = graph === "echo" ? human(`hi ${this.i}`) : { ms: 20 };
    const opts = { input, multitaskStrategy: "enqueue" as const };
    if (this.how === "background") {
      const run = await call("runs.create", () => r.client.runs.create(id, graph, opts));
      t.runs.push(run!.run_id);
      t.inflight.push(run!.run_id);
    } else if (this.how === "wait") {
      let runId: string | undefined;
      const values = await call("runs.wait", () => r.client.runs.wait(id, graph, { ...opts, onRunCreated: ({ run_id }) => void (runId = run_id) }));
      expect(values).toBeTruthy();
      expect((values as Record<string, unknown>).__error__).toBeUndefined();
      if (runId) t.runs.push(runId);
    } else {
      const events: string[] = [];
      let runId: string | undefined;
      await call("runs.stream", async () => {
        for await (const e of r.client.runs.stream(id, graph, { ...opts, streamMode: "values" })) {
          events.push(e.event);
          if (e.event === "metadata") runId = (e.data as { run_id: string }).run_id;
        }
      });
      expect(events[0]).toBe("metadata");
      expect(events).not.toContain("error");
      t.runs.push(runId!);
    }
  }
  toString() {
    return `run(${this.i}, ${this.how}, ${this.graph})`;
  }
}

class Cancel extends Cmd {
  constructor(readonly i: number) {
    super();
  }
  override check(m: Readonly<Model>) {
    return [...m.threads.values()].some((t) => t.inflight.length > 0);
  }
  async run(m: Model, r: Real) {
    const busy = [...m.threads].filter(([, t]) => t.inflight.length > 0);
    const [id, t] = pick(busy, this.i);
    const run = t.inflight.at(-1)!;
    await call("runs.cancel", () => r.client.runs.cancel(id, run, true));
    const got = await call("runs.get", () => r.client.runs.get(id, run));
    expect(["success", "interrupted"]).toContain(got!.status);
  }
  toString() {
    return `cancel(${this.i})`;
  }
}

class UpdateState extends Cmd {
  constructor(readonly i: number) {
    super();
  }
  override check(m: Readonly<Model>) {
    return m.threads.size > 0;
  }
  async run(m: Model, r: Real) {
    const id = pick(live(m), this.i);
    await settle(m, r, id);
    const graph = m.threads.get(id)!.graph;
    const values = graph === "slow" ? { ms: 5 } : human(`state ${this.i}`);
    // A thread that never ran has no graph to validate the values against: a 4xx is a fair answer then.
    await call("threads.updateState", () => r.client.threads.updateState(id, { values }), graph ? [] : [400, 404, 409, 422]);
    if (graph) await call("threads.getState", () => r.client.threads.getState(id));
  }
  toString() {
    return `updateState(${this.i})`;
  }
}

class StorePut extends Cmd {
  constructor(readonly key: string, readonly n: number) {
    super();
  }
  async run(m: Model, r: Real) {
    await call("store.put", () => r.client.store.putItem(NAMESPACE, this.key, { n: this.n }));
    m.store.set(this.key, { n: this.n });
  }
  toString() {
    return `storePut(${this.key}, ${this.n})`;
  }
}

class StoreDelete extends Cmd {
  constructor(readonly key: string) {
    super();
  }
  async run(m: Model, r: Real) {
    await call("store.delete", () => r.client.store.deleteItem(NAMESPACE, this.key));
    m.store.delete(this.key);
  }
  toString() {
    return `storeDelete(${this.key})`;
  }
}

class StoreRead extends Cmd {
  constructor(readonly key: string) {
    super();
  }
  async run(m: Model, r: Real) {
    const item = await call("store.get", () => r.client.store.getItem(NAMESPACE, this.key));
    expect(item?.value ?? null).toEqual(m.store.get(this.key) ?? null);
    const found = await call("store.search", () => r.client.store.searchItems(NAMESPACE, { limit: 100 }));
    expect(Object.fromEntries(found!.items.map((i) => [i.key, i.value]))).toEqual(Object.fromEntries(m.store));
  }
  toString() {
    return `storeRead(${this.key})`;
  }
}

class CreateAssistant extends Cmd {
  constructor(readonly name: string) {
    super();
  }
  async run(m: Model, r: Real) {
    const a = await call("assistants.create", () => r.client.assistants.create({ graphId: "echo", name: this.name, metadata: { fuzz: true } }));
    m.assistants.set(a!.assistant_id, { name: this.name, metadata: { fuzz: true } });
  }
  toString() {
    return `createAssistant(${this.name})`;
  }
}

class UpdateAssistant extends Cmd {
  constructor(readonly i: number, readonly name: string) {
    super();
  }
  override check(m: Readonly<Model>) {
    return m.assistants.size > 0;
  }
  async run(m: Model, r: Real) {
    const id = pick([...m.assistants.keys()], this.i);
    await call("assistants.update", () => r.client.assistants.update(id, { name: this.name }));
    m.assistants.get(id)!.name = this.name;
  }
  toString() {
    return `updateAssistant(${this.i}, ${this.name})`;
  }
}

class DeleteAssistant extends Cmd {
  constructor(readonly i: number) {
    super();
  }
  override check(m: Readonly<Model>) {
    return m.assistants.size > 0;
  }
  async run(m: Model, r: Real) {
    const id = pick([...m.assistants.keys()], this.i);
    await call("assistants.delete", () => r.client.assistants.delete(id));
    m.assistants.delete(id);
    m.deletedAssistants.add(id);
  }
  toString() {
    return `deleteAssistant(${this.i})`;
  }
}

class Restart extends Cmd {
  constructor(readonly signal: "SIGTERM" | "SIGKILL") {
    super();
  }
  async run(m: Model, r: Real) {
    const exited = new Promise<number | null>((res) => r.server.process.once("exit", (code) => res(code)));
    r.server.process.kill(this.signal);
    const code = await exited;
    if (this.signal === "SIGTERM") expect(code).toBe(0);
    Object.assign(r, await startReal(r.dir));
    r.restarts += 1;
    // Runs that were in flight: finished, or ended by the restart. Either way they are not waited on any more.
    for (const t of m.threads.values()) t.inflight = [];
    await verify(m, r);
  }
  toString() {
    return `restart(${this.signal})`;
  }
}

/** The whole model against the server: everything acknowledged is there, everything deleted is gone. */
async function verify(m: Model, r: Real) {
  await new SearchThreads(undefined).run(m, r);
  for (const [id, t] of m.threads) {
    const got = await call("threads.get", () => r.client.threads.get(id));
    expect(got!.metadata).toMatchObject(t.metadata);
    const runs = await call("runs.list", () => r.client.runs.list(id, { limit: 100 }));
    expect(runs!.map((x) => x.run_id).sort()).toEqual([...t.runs].sort());
  }
  for (const id of m.deletedThreads) expect(await call("deleted thread", () => r.client.threads.get(id), [404])).toBeUndefined();
  await new StoreRead("k0").run(m, r);
  const assistants = await call("assistants.search", () => r.client.assistants.search({ metadata: { fuzz: true }, limit: 1000 }));
  expect(Object.fromEntries(assistants!.map((a) => [a.assistant_id, a.name]))).toEqual(Object.fromEntries([...m.assistants].map(([id, a]) => [id, a.name])));
  for (const id of m.deletedAssistants) expect(await call("deleted assistant", () => r.client.assistants.get(id), [404])).toBeUndefined();
}

const tag = fc.constantFrom(...TAGS);
const index = fc.nat({ max: 1000 });
const key = fc.constantFrom("k0", "k1", "k2", "k3");
const commands = [
  tag.map((t) => new CreateThread(t)),
  fc.tuple(index, tag).map(([i, t]) => new UpdateThread(i, t)),
  index.map((i) => new DeleteThread(i)),
  fc.option(tag, { nil: undefined }).map((t) => new SearchThreads(t)),
  fc.tuple(index, fc.constantFrom("wait", "background", "stream") as fc.Arbitrary<"wait" | "background" | "stream">, fc.constantFrom<Graph>("echo", "slow")).map(([i, h, g]) => new Run(i, h, g)),
  fc.tuple(index, fc.constantFrom("background") as fc.Arbitrary<"background">, fc.constantFrom<Graph>("slow")).map(([i, h, g]) => new Run(i, h, g)),
  index.map((i) => new Cancel(i)),
  index.map((i) => new UpdateState(i)),
  fc.tuple(key, fc.integer()).map(([k, n]) => new StorePut(k, n)),
  key.map((k) => new StoreDelete(k)),
  key.map((k) => new StoreRead(k)),
  fc.string({ maxLength: 12 }).map((n) => new CreateAssistant(n)),
  fc.tuple(index, fc.string({ maxLength: 12 })).map(([i, n]) => new UpdateAssistant(i, n)),
  index.map((i) => new DeleteAssistant(i)),
  fc.constantFrom<"SIGTERM" | "SIGKILL">("SIGTERM", "SIGKILL").map((s) => new Restart(s)),
];

describe("fuzz: random SDK call sequences against a model", () => {
  it("no 5xx, search and count agree, deletes stay deleted, acknowledged data survives restarts", async () => {
    const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() ^ (Math.random() * 0x7fffffff);
    const numRuns = Number(process.env.FUZZ_RUNS ?? 12);
    console.log(`fuzz seed ${seed} (${numRuns} sequences): replay with FUZZ_SEED=${seed} npx vitest run test/fuzz`);
    const fx = copyFixture("echo");
    fixtures.push(fx);
    const real: Real = { ...(await startReal(fx.dir)), dir: fx.dir, restarts: 0 };
    let executed = 0;

    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 40, size: "max" }), async (cmds) => {
        // Each sequence starts from an empty server (system assistants stay).
        await call("truncate", async () => {
          const res = await fetch(`${real.server.url}/internal/truncate`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ threads: true, runs: true, assistants: true, store: true, checkpoint: true }),
          });
          if (res.status !== 204) throw Object.assign(new Error(await res.text()), { status: res.status });
        });
        const model: Model = { threads: new Map(), deletedThreads: new Set(), store: new Map(), assistants: new Map(), deletedAssistants: new Set() };
        await fc.asyncModelRun(() => ({ model, real }), cmds);
        executed += [...cmds].length;
        await verify(model, real);
      }),
      {
        seed,
        numRuns,
        ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}),
        // Shrinking restarts real servers many times: opt in with FUZZ_SHRINK=1.
        endOnFailure: !process.env.FUZZ_SHRINK,
      },
    );
    console.log(`fuzz: ${numRuns} sequences passed (${executed} commands, ${real.restarts} restarts)`);
  }, 600_000);
});
