import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { SchemaCache } from "../../src/graphs/static-schema/cache.js";
import { runExtractionWorker } from "../../src/graphs/static-schema/run-worker.js";
import { createStaticSchemaService } from "../../src/graphs/static-schema/service.js";
import type { ExtractionResult, StaticGraphTarget } from "../../src/graphs/static-schema/types.js";
import { createLogger, type Logger } from "../../src/logger.js";
import { FIXTURES, makeTempDir } from "../helpers/spawn.js";

const temps: Array<{ cleanup(): void }> = [];
afterEach(() => {
  for (const t of temps.splice(0)) t.cleanup();
});
function tempDir() {
  const t = makeTempDir("lg-dev-schema-service-");
  temps.push(t);
  return t.dir;
}

/** A logger that keeps its warnings. */
function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const base = createLogger("silent");
  return { ...base, warnings, warn: (m: string) => void warnings.push(m) };
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const TARGETS: StaticGraphTarget[] = [{ graphId: "g", file: "/nowhere/graph.ts", exportName: "graph" }];
const resultWith = (title: string, files: Record<string, string> = {}): ExtractionResult => ({
  graphs: { g: { root: { state: { title } }, subgraphs: {} } },
  failures: {},
  manifest: { files, packages: {} },
});

describe("the static schema service", () => {
  test("get waits for the extraction under way, and answers from the newest one after an update", async () => {
    const runs = [deferred<ExtractionResult>(), deferred<ExtractionResult>()];
    const signals: AbortSignal[] = [];
    const service = createStaticSchemaService({
      logger: recordingLogger(),
      extract: (_t, signal) => (signals.push(signal), runs[signals.length - 1]!.promise),
    });
    service.update(TARGETS);
    let answered: unknown = "pending";
    const asked = service.get("g").then((r) => (answered = r));
    await new Promise((r) => setTimeout(r, 20));
    expect(answered).toBe("pending");

    service.update(TARGETS); // a reload: the first extraction is abandoned
    await new Promise((r) => setTimeout(r, 20));
    expect(signals).toHaveLength(2);
    expect(signals[0]!.aborted).toBe(true);
    runs[0]!.resolve(resultWith("old"));
    runs[1]!.resolve(resultWith("new"));
    await asked;
    expect(answered).toEqual({ root: { state: { title: "new" } }, subgraphs: {} });
    expect(await service.get("other")).toBeUndefined();
    expect(service.stats).toEqual({ extractions: 2, cacheHits: 0 });
  });

  test("nothing is extracted until schemas are asked for; from then on, each update extracts at once", async () => {
    const targets: StaticGraphTarget[][] = [];
    const service = createStaticSchemaService({ logger: recordingLogger(), extract: async (t) => (targets.push(t), resultWith(`run ${targets.length}`)) });
    service.update(TARGETS);
    service.update(TARGETS); // a reload before anyone asked
    await new Promise((r) => setTimeout(r, 20));
    expect(targets).toHaveLength(0);
    expect(service.stats.extractions).toBe(0);
    expect((await service.get("g"))?.root.state).toEqual({ title: "run 1" });
    expect(await service.get("g")).toBeDefined(); // answered from the same extraction
    expect(targets).toHaveLength(1);
    service.update(TARGETS); // a reload after schemas were asked for: read again without waiting for a request
    await new Promise((r) => setTimeout(r, 20));
    expect(targets).toHaveLength(2);
    expect((await service.get("g"))?.root.state).toEqual({ title: "run 2" });
    expect(targets).toHaveLength(2);
  });

  test("a failed extraction answers undefined (run-time schemas are used) and is logged once", async () => {
    const logger = recordingLogger();
    const service = createStaticSchemaService({ logger, extract: async () => Promise.reject(new Error("no TypeScript here\nstack…")) });
    service.update(TARGETS);
    expect(await service.get("g")).toBeUndefined();
    service.update(TARGETS);
    expect(await service.get("g")).toBeUndefined();
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toMatch(/could not read the graphs' TypeScript types .*\(no TypeScript here\)/);
  });

  test("a graph the extractor could not read is reported once, by id", async () => {
    const logger = recordingLogger();
    const result = { ...resultWith("x"), failures: { broken: "the type of export \"graph\" is unknown" } };
    const service = createStaticSchemaService({ logger, extract: async () => result });
    service.update(TARGETS);
    await service.get("g");
    service.update(TARGETS);
    await service.get("g");
    expect(logger.warnings).toEqual([expect.stringContaining('graph "broken": no schemas from its types')]);
  });

  test("a second start answers from the cache without extracting, until a file it read changes", async () => {
    const dir = tempDir();
    const source = join(dir, "graph.ts");
    writeFileSync(source, "export const graph = 1;");
    const cache = new SchemaCache(join(dir, "cache"), "test");
    let extractions = 0;
    const extract = async () => {
      extractions++;
      return resultWith(`run ${extractions}`, { [source]: sha(source) });
    };
    const first = createStaticSchemaService({ logger: recordingLogger(), cache, extract });
    first.update(TARGETS);
    expect((await first.get("g"))?.root.state).toEqual({ title: "run 1" });

    const second = createStaticSchemaService({ logger: recordingLogger(), cache, extract });
    second.update(TARGETS);
    expect((await second.get("g"))?.root.state).toEqual({ title: "run 1" });
    expect(second.stats).toEqual({ extractions: 0, cacheHits: 1 });

    writeFileSync(source, "export const graph = 2;");
    const third = createStaticSchemaService({ logger: recordingLogger(), cache, extract });
    third.update(TARGETS);
    expect((await third.get("g"))?.root.state).toEqual({ title: "run 2" });
    expect(third.stats).toEqual({ extractions: 1, cacheHits: 0 });
  });

  test("a changed package version also invalidates the cached result", async () => {
    const dir = tempDir();
    const pkg = join(dir, "node_modules", "dep");
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ version: "1.0.0" }));
    const cache = new SchemaCache(join(dir, "cache"), "test");
    await cache.store(TARGETS, { ...resultWith("cached"), manifest: { files: {}, packages: { [pkg]: "1.0.0" } } });
    expect(await cache.lookup(TARGETS)).toBeDefined();
    expect(await cache.lookup([{ ...TARGETS[0]!, exportName: "other" }])).toBeUndefined();
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ version: "1.0.1" }));
    expect(await cache.lookup(TARGETS)).toBeUndefined();
  });
});

describe("the extraction worker", () => {
  const target: StaticGraphTarget = { graphId: "config", file: join(FIXTURES, "schemas", "src", "config.ts"), exportName: "secondArg" };

  test("runs off the main thread: requests are answered while it works", async () => {
    const server = createServer((_req, res) => res.end("ok"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      let done = false;
      const extraction = runExtractionWorker([target], { timeoutMs: 170_000 }).finally(() => (done = true));
      // The compiler takes seconds of CPU: were it on this thread, no request could be answered before it ended.
      const { port } = server.address() as AddressInfo;
      for (let i = 0; i < 3; i++) expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe("ok");
      expect(done).toBe(false);
      const result = await extraction;
      expect(Object.keys((result.graphs.config!.root.config!.properties as object) ?? {})).toEqual(["model", "temperature", "tone"]);
    } finally {
      server.close();
    }
  }, 180_000);

  test("is stopped when it takes longer than allowed, or when the caller gives up", async () => {
    await expect(runExtractionWorker([target], { timeoutMs: 1 })).rejects.toThrow(/timed out after 1 ms/);
    const controller = new AbortController();
    const running = runExtractionWorker([target], { timeoutMs: 60_000, signal: controller.signal });
    controller.abort();
    await expect(running).rejects.toThrow(/cancelled/);
  });
});

function sha(file: string): string {
  return createHash("sha256").update(readFileSync(file, "utf8")).digest("hex");
}
