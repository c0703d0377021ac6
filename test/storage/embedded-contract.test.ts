/** The storage backend contract (contract.ts) on the embedded backend: in memory, and journalled to a directory. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { memoryBackend, openEmbeddedBackend } from "../../src/storage/embedded/index.js";
import { makeTempDir } from "../helpers/spawn.js";
import { describeBackendContract } from "./contract.js";

describeBackendContract("embedded, in memory", async () => ({ backend: memoryBackend() }));

describeBackendContract("embedded, journalled (group commit)", async () => {
  const tmp = makeTempDir("lg-dev-contract-");
  const { backend } = await openEmbeddedBackend({
    dir: join(tmp.dir, ".langgraph_api"),
    persist: true,
    groupCommit: true,
    gitignore: false,
    logger: createLogger("silent"),
  });
  return { backend, cleanup: tmp.cleanup };
});

describe("embedded backend: what it acknowledged survives a reopen", () => {
  it("keeps a transaction's writes and the assistants, crons and store items written through the interface", async () => {
    const tmp = makeTempDir("lg-dev-contract-");
    try {
      const dir = join(tmp.dir, ".langgraph_api");
      const open = () => openEmbeddedBackend({ dir, persist: true, groupCommit: true, gitignore: false, logger: createLogger("silent") });
      const first = (await open()).backend;
      const now = new Date().toISOString();
      await first.transaction(async (tx) => {
        await tx.threads.put({ thread_id: "t1", created_at: now, updated_at: now, metadata: { a: 1 }, status: "busy", config: {}, values: null, interrupts: {} });
        await tx.runs.put({
          run_id: "r1",
          thread_id: "t1",
          assistant_id: "a",
          created_at: now,
          updated_at: now,
          status: "pending",
          metadata: {},
          kwargs: { config: { configurable: {} }, stream_mode: ["values"], stream_subgraphs: false, stream_resumable: false, temporary: false },
          multitask_strategy: "reject",
        });
      });
      await first.store.put({ namespace: ["n"], key: "k", value: { v: 1 }, created_at: now, updated_at: now });
      first.durability.flushPending();
      await first.close();
      const second = (await open()).backend;
      expect((await second.threads.get("t1"))?.status).toBe("busy");
      expect((await second.runs.get("r1"))?.status).toBe("pending");
      expect((await second.store.get(["n"], "k"))?.value).toEqual({ v: 1 });
      await second.close();
    } finally {
      tmp.cleanup();
    }
  });
});
