import { Client } from "@langchain/langgraph-sdk";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFixture, makeTempDir, startServer, type RunningServer } from "../helpers/spawn.js";

/**
 * Schemas read from TypeScript types, end to end: bin/lg-dev on a copy of the schema corpus (a few of its graphs),
 * asked through the SDK as the Studio asks. Extraction runs in a worker thread and takes seconds; bounds are
 * generous (the machine is shared) and waits are polls, never sleeps.
 */
const GRAPHS = {
  annotation: "./src/annotation.ts:graph",
  subgraphs: "./src/subgraphs.ts:graph",
  reactAgent: "./langchain/react-agent/graph.ts:graph",
  zod4: "./src/zod.ts:zod4",
};
const EXTRACTION_BOUND_MS = 150_000;

type Schema = { properties?: Record<string, Record<string, unknown>>; definitions?: Record<string, unknown> };
const props = (schema: unknown) => ((schema as Schema | null)?.properties ?? {}) as Record<string, Record<string, unknown>>;

function project(): { dir: string; cleanup(): void } {
  const copy = copyFixture("schemas");
  writeFileSync(join(copy.dir, "langgraph.json"), JSON.stringify({ node_version: "20", graphs: GRAPHS }));
  return copy;
}

async function start(dir: string, cacheDir: string, args: string[] = ["--no-reload"]): Promise<{ server: RunningServer; client: Client }> {
  const server = await startServer(dir, { args: ["--no-persist", "--log-level", "debug", ...args], env: { LG_DEV_STATIC_SCHEMAS: "1", LG_DEV_CACHE_DIR: cacheDir } });
  return { server, client: new Client({ apiUrl: server.url }) };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, boundMs: number): Promise<T> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("schemas from TypeScript types (lg-dev with static schemas on)", () => {
  let fixture: { dir: string; cleanup(): void };
  let cache: { dir: string; cleanup(): void };
  let first: { server: RunningServer; client: Client } | undefined;

  beforeAll(() => {
    fixture = project();
    cache = makeTempDir("lg-dev-schema-cache-");
  });
  afterAll(async () => {
    await first?.server.stop();
    fixture?.cleanup();
    cache?.cleanup();
  });

  it("start-up, other requests and runs do not wait for the extraction; /schemas does, then answers typed schemas", async () => {
    first = await start(fixture.dir, cache.dir);
    const { client } = first;
    let schemasAnswered = false;
    const schemas = client.assistants.getSchemas("annotation").finally(() => (schemasAnswered = true));
    // While the worker reads the types (seconds of CPU), the server keeps serving: a run, a search, a thread.
    const run = (await client.runs.wait(null, "annotation", { input: { notes: ["a"] } })) as { notes: string[]; attempts: number };
    expect(run).toMatchObject({ notes: ["a", "worked"], attempts: 1 });
    expect((await client.assistants.search({ graphId: "annotation" })).length).toBe(1);
    await client.threads.create();
    expect(schemasAnswered).toBe(false);

    const answer = await schemas;
    const state = props(answer.state_schema);
    expect(state.notes).toEqual({ description: "Free-form notes.", type: "array", items: { type: "string" } });
    expect(state.status).toEqual({ enum: ["done", "draft", "review"], type: "string" });
    expect((state.messages!.items as { $ref: string }).$ref).toMatch(/^#\/definitions\/BaseMessage\b/);
    expect(answer.config_schema).toEqual({ type: "object", $schema: "http://json-schema.org/draft-07/schema#" });
    expect(answer.context_schema).toEqual(answer.config_schema);
    expect(first.server.output()).toMatch(/schemas of 4 graph\(s\) read from their types/);
  }, EXTRACTION_BOUND_MS);

  it("types config schemas (LangChain's react-agent) and leaves Zod graphs to their run-time schemas", async () => {
    const { client } = first!;
    const react = await client.assistants.getSchemas("reactAgent");
    expect(Object.keys(props(react.config_schema))).toEqual(["systemPromptTemplate", "model"]);
    expect(props(react.input_schema).messages).toMatchObject({ type: "array" });
    const zod = await client.assistants.getSchemas("zod4");
    expect(props(zod.input_schema).question).toEqual({ type: "string", description: "What to ask" });
    expect((zod.state_schema as { $schema?: string }).$schema).toBe("https://json-schema.org/draft/2020-12/schema");
  });

  it("subgraphs answer {state, input, output, config} by namespace, typed", async () => {
    const { client } = first!;
    const subgraphs = (await client.assistants.getSubgraphs("subgraphs", { recurse: true })) as unknown as Record<string, Record<string, unknown>>;
    expect(Object.keys(subgraphs)).toEqual(["child", "child|grandchild"]);
    expect(Object.keys(subgraphs.child!)).toEqual(["state", "input", "output", "config"]);
    expect(props(subgraphs.child!.state).steps).toEqual({ type: "array", items: { type: "string" } });
    expect(props(subgraphs["child|grandchild"]!.input)).toEqual({ text: { type: "string" }, depth: { type: "number" } });
    const one = (await client.assistants.getSubgraphs("subgraphs", { namespace: "child" })) as unknown as Record<string, unknown>;
    expect(Object.keys(one)).toEqual(["child"]);
  });

  it("a restart answers from the disk cache, without extracting again", async () => {
    const before = await first!.client.assistants.getSchemas("annotation");
    expect(await first!.server.stop()).toBe(0);
    first = await start(fixture.dir, cache.dir);
    const after = await first.client.assistants.getSchemas("annotation");
    expect(after).toEqual(before);
    const output = first.server.output();
    expect(output).toMatch(/schemas of 4 graph\(s\) from the cache/);
    expect(output).not.toMatch(/read from their types/);
  }, EXTRACTION_BOUND_MS);
});

describe("schemas after hot reload", () => {
  let fixture: { dir: string; cleanup(): void };
  let cache: { dir: string; cleanup(): void };
  let served: { server: RunningServer; client: Client } | undefined;

  beforeAll(() => {
    fixture = project();
    cache = makeTempDir("lg-dev-schema-cache-");
  });
  afterAll(async () => {
    const code = await served?.server.stop();
    fixture?.cleanup();
    cache?.cleanup();
    expect(code).toBe(0);
  });

  it("changing a state type changes the schema", async () => {
    served = await start(fixture.dir, cache.dir, []);
    const { client, server } = served;
    const notes = async () => props((await client.assistants.getSchemas("annotation")).state_schema).notes;
    expect(await notes()).toMatchObject({ items: { type: "string" } });
    await until("the watcher", async () => (/ for changes/.test(server.output()) ? true : undefined), 30_000);

    const file = join(fixture.dir, "src", "annotation.ts");
    writeFileSync(file, readFileSync(file, "utf8").replace("notes: Annotation<string[]>,", "notes: Annotation<number[]>,").replace(`"worked"`, "1"));
    await until("the reload", async () => (/reloaded/.test(server.output()) ? true : undefined), 30_000);
    await until("notes: number[]", async () => ((await notes())?.items as { type?: string } | undefined)?.type === "number" || undefined, EXTRACTION_BOUND_MS);
    expect(server.output().match(/read from their types/g)).toHaveLength(2);
  }, EXTRACTION_BOUND_MS * 2);
});
