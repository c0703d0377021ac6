import { execFile } from "node:child_process";
import { cpSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client } from "@langchain/langgraph-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES, REPO_ROOT, lgDevUnderTest, makeTempDir, startServer, type RunningServer } from "../helpers/spawn.js";

/**
 * Project files importing real npm packages of each module shape (test/fixtures/module-shapes/README.md): lg-dev
 * must hand them what Node's ES loader with tsx (the official server's loader) hands them. The packages come from
 * the npm registry (the cache first), into a temp copy of the fixture.
 */
const run = promisify(execFile);
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const TSX = join(REPO_ROOT, "node_modules", "tsx", "dist", "loader.mjs");

describe("packages of every module shape, imported from project files", () => {
  const temp = makeTempDir("lg-dev-module-shapes-");
  const dir = join(temp.dir, "project");
  let server: RunningServer | undefined;
  let client: Client;

  beforeAll(async () => {
    cpSync(join(FIXTURES, "module-shapes"), dir, { recursive: true });
    await run(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, timeout: 180_000 });
    // The project's LangGraph is lg-dev's (one copy in the process, as in a real install).
    symlinkSync(join(lgDevUnderTest().nodeModules, "@langchain"), join(dir, "node_modules", "@langchain"), "dir");
    server = await startServer(dir, { args: ["--no-reload", "--no-persist"], timeoutMs: 60_000 });
    client = new Client({ apiUrl: server.url, callerOptions: { maxRetries: 0 } });
  }, 240_000);
  afterAll(async () => {
    const code = await server?.stop();
    temp.cleanup();
    expect(code).toBe(0);
  }, 120_000);

  it("every import gives what it gives under Node + tsx, and imports run in Node's order", async () => {
    writeFileSync(join(dir, "probe.mjs"), 'const m = await import("./src/probe.ts");\nconsole.log(JSON.stringify(await m.observe()));\n');
    const node = await run(process.execPath, ["--import", TSX, "probe.mjs"], { cwd: dir, timeout: 60_000 });
    const expected = JSON.parse(node.stdout) as Record<string, unknown>;
    const { observed } = (await client.runs.wait(null, "shapes", { input: {} })) as { observed: Record<string, unknown> };
    expect(observed).toEqual(expected);
    // And what that is, so the comparison cannot pass with both sides wrong the same way.
    expect(observed).toMatchObject({
      // a project file's side effects come before a package imported after it; import() runs the file only then
      order: { before: "undefined", after: "function", order: ["first", "last"], orderAfterLazy: ["lazy-only"] },
      // TypeScript-compiled CommonJS (__esModule): default import is the whole module.exports, names work
      mongodb: { defaultKind: "object", defaultHasClient: true, client: "function", markers: ["__esModule", "default"], lazySameClient: true },
      pinecone: { index: "function", nsDefaultHasPinecone: true },
      cjsMarkedEsModule: { defaultKind: "object", named: "function" },
      exportStarFromCjs: { objectId: true, dedent: true },
      json: { data: 7, noAttribute: 8, pkg: "uuid", pkgNoAttribute: "ms", lazy: 7 },
      missing: "ERR_MODULE_NOT_FOUND",
    });
  });

  it("LangChain's retrieval template shape: two graphs sharing a module that imports mongodb and pinecone", async () => {
    const ids = (await client.assistants.search({ limit: 10 })).map((a) => a.graph_id).sort();
    expect(ids).toEqual(["indexer", "retrieval_graph", "shapes"]);
    const thread = await client.threads.create();
    const events: string[] = [];
    for await (const chunk of client.runs.stream(thread.thread_id, "retrieval_graph", {
      input: { query: "what is lg-dev?" },
      config: { configurable: { retrieverProvider: "mongodb", userId: "alice" } },
      streamMode: ["values", "updates"],
    })) {
      events.push(chunk.event);
    }
    expect(events).toContain("updates");
    expect(events).not.toContain("error");
    const state = await client.threads.getState<{ retrieved: string }>(thread.thread_id);
    expect(state.values.retrieved).toBe("mongodb:alice for what is lg-dev?");
    const indexed = (await client.runs.wait(null, "indexer", { input: { docs: [] }, config: { configurable: { retrieverProvider: "pinecone" } } })) as {
      indexedWith: string;
    };
    expect(indexed.indexedWith).toBe("pinecone:function");
  });
});
