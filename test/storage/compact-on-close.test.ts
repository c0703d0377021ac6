import { statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStorage } from "../../src/storage/embedded/durable.js";
import { makeTempDir } from "../helpers/spawn.js";
import { captureLogger } from "./helpers.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A data dir whose snapshot holds `n` store items of about 1 KB each. */
async function withSnapshotOf(n: number) {
  const t = makeTempDir("lg-dev-compact-");
  cleanups.push(t.cleanup);
  const dir = join(t.dir, ".langgraph_api");
  const o = await openStorage({ dir, persist: true, logger: captureLogger() });
  for (let i = 0; i < n; i++) o.storage.store.set(`k${i}`, { namespace: ["n"], key: `k${i}`, value: { pad: "x".repeat(1000) } } as never);
  await o.compact();
  return { dir, o, size: () => statSync(join(dir, "snapshot.jsonl")).size };
}

describe("compaction at close", () => {
  it("rewrites the snapshot when most of what it holds was deleted, even after a small journal of deletes", async () => {
    const { o, size } = await withSnapshotOf(1000);
    const before = size();
    for (let i = 0; i < 900; i++) o.storage.store.delete(`k${i}`);
    await o.close();
    expect(size()).toBeLessThan(before / 5);
  });

  it("leaves a big snapshot alone for a few changes (a journal is cheap to replay)", async () => {
    const { o, size } = await withSnapshotOf(1000);
    const before = size();
    for (let i = 0; i < 10; i++) o.storage.store.delete(`k${i}`);
    await o.close();
    expect(size()).toBe(before);
  });
});
