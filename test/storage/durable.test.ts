import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openStorage, type OpenedStorage } from "../../src/storage/embedded/durable.js";
import type { Storage } from "../../src/storage/embedded/storage.js";
import { makeTempDir } from "../helpers/spawn.js";
import { captureLogger, crashImage, dump } from "./helpers.js";

const cleanups: (() => void)[] = [];
const opened: OpenedStorage[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close().catch(() => {});
  for (const c of cleanups.splice(0)) c();
});

const keysOf = (c: { entries(): IterableIterator<[string, unknown]> }) => [...c.entries()].map(([k]) => k);

function tempProject(): string {
  const t = makeTempDir("lg-dev-durable-");
  cleanups.push(t.cleanup);
  return t.dir;
}

async function open(dir: string, extra: { compactAfterBytes?: number; fsync?: boolean } = {}) {
  const logger = captureLogger();
  const o = await openStorage({ dir, persist: true, logger, ...extra });
  opened.push(o);
  return { ...o, logger };
}

async function closeIt(o: OpenedStorage) {
  await o.close();
  opened.splice(opened.indexOf(o), 1);
}

/** Some of everything: every collection, overwrites, deletes, a clear and a batch. */
function fillAll(s: Storage) {
  const x = (v: unknown) => v as never;
  s.assistants.set("a1", x({ assistant_id: "a1", name: "één ✓", config: { n: 1 } }));
  s.assistantVersions.set("a1:1", x({ assistant_id: "a1", version: 1 }));
  s.assistantVersions.set("a1:2", x({ assistant_id: "a1", version: 2 }));
  for (let i = 0; i < 20; i++) s.threads.set(`t${i}`, x({ thread_id: `t${i}`, metadata: { i }, values: { text: "line\nbreak \u2028 \"q\"" } }));
  s.threads.delete("t3");
  s.threads.set("t5", x({ thread_id: "t5", metadata: { updated: true } }));
  s.runs.set("r1", x({ run_id: "r1", thread_id: "t1", status: "pending" }));
  s.checkpoints.set("t1\u0000\u0000c1", x({ thread_id: "t1", checkpoint_ns: "", checkpoint_id: "c1", checkpoint: ["json", "{\"a\":1}"], enc: "utf8" }));
  s.writes.set("w1", x({ thread_id: "t1", checkpoint_ns: "", checkpoint_id: "c1", task_id: "k", idx: 0 }));
  s.store.set("ns\u0001k", x({ namespace: ["ns"], key: "k", value: { deep: [1, 2, { z: null }] } }));
  s.crons.set("c1", x({ cron_id: "c1" }));
  s.crons.clear();
  s.crons.set("c2", x({ cron_id: "c2" }));
  s.batch(() => {
    s.runs.set("r2", x({ run_id: "r2", thread_id: "t2", status: "running" }));
    s.threads.set("t2", x({ thread_id: "t2", status: "busy" }));
    s.runs.delete("r1");
  });
}

describe("durable storage", () => {
  it("round-trips every collection, deletes, clears and batches through close and reopen", async () => {
    const dir = join(tempProject(), ".langgraph_api");
    const a = await open(dir);
    fillAll(a.storage);
    const before = dump(a.storage);
    await closeIt(a);
    const b = await open(dir);
    expect(dump(b.storage)).toEqual(before);
    expect(b.storage.runs.valuesBy("thread", "t2")).toHaveLength(1); // indexes rebuilt
    expect(b.stats.counts.threads).toBe(19);
    expect(b.logger.text()).not.toMatch(/warn/);
  });

  it("recovers from the journal alone, as a SIGKILL would leave it", async () => {
    const dir = join(tempProject(), ".langgraph_api");
    const a = await open(dir);
    fillAll(a.storage);
    const b = await open(crashImage(dir, cleanups));
    expect(dump(b.storage)).toEqual(dump(a.storage));
    expect(b.stats.snapshotRecords).toBe(0);
    expect(b.stats.journalRecords).toBeGreaterThan(0);
  });

  it("drops a torn last record with a warning and truncates the journal to the last good record", async () => {
    const dir = join(tempProject(), ".langgraph_api");
    const a = await open(dir);
    for (let i = 0; i < 10; i++) a.storage.threads.set(`t${i}`, { i } as never);
    const image = crashImage(dir, cleanups);
    const journal = join(image, "journal.1.jsonl");
    const goodSize = statSync(journal).size;
    appendFileSync(journal, '1234abcd {"t":"put","c":"threads","k":"t10","v":{"i":'); // half a record

    const b = await open(image);
    expect(b.storage.threads.size).toBe(10);
    expect(b.stats.droppedTailBytes).toBeGreaterThan(0);
    expect(b.logger.text()).toMatch(/warn .*dropped an incomplete last record in .*journal\.1\.jsonl \(line 11/);
    expect(statSync(journal).size).toBe(goodSize);
    expect(readdirSync(image).filter((f) => f.endsWith(".damaged"))).toEqual([]);
    // Appending continues after the last good record.
    b.storage.threads.set("t10", { i: 10 } as never);
    await closeIt(b);
    const c = await open(image);
    expect(c.storage.threads.size).toBe(11);
    expect(c.logger.text()).not.toMatch(/warn/);
  });

  it("drops a complete last line whose CRC does not match", async () => {
    const dir = join(tempProject(), ".langgraph_api");
    const a = await open(dir);
    for (let i = 0; i < 3; i++) a.storage.threads.set(`t${i}`, { i } as never);
    const image = crashImage(dir, cleanups);
    const journal = join(image, "journal.1.jsonl");
    const text = readFileSync(journal, "utf8");
    writeFileSync(journal, text.replace(/"i":2/, '"i":7')); // last record altered, CRC now wrong
    const b = await open(image);
    expect(keysOf(b.storage.threads)).toEqual(["t0", "t1"]);
    expect(b.logger.text()).toMatch(/dropped an incomplete last record/);
  });

  it("keeps every valid record around a damaged middle, moves the damaged file aside and says where", async () => {
    const dir = join(tempProject(), ".langgraph_api");
    const a = await open(dir);
    for (let i = 0; i < 10; i++) a.storage.threads.set(`t${i}`, { i } as never);
    const image = crashImage(dir, cleanups);
    const journal = join(image, "journal.1.jsonl");
    const damagedBytes = readFileSync(journal, "utf8").replace('"k":"t4"', '"k":"tX"');
    writeFileSync(journal, damagedBytes);

    const b = await open(image);
    expect(keysOf(b.storage.threads)).toEqual(["t0", "t1", "t2", "t3", "t5", "t6", "t7", "t8", "t9"]);
    const aside = readdirSync(image).filter((f) => f.endsWith(".damaged"));
    expect(aside).toHaveLength(1);
    expect(aside[0]).toMatch(/^journal\.1\..*\.damaged$/);
    expect(readFileSync(join(image, aside[0]!), "utf8")).toBe(damagedBytes); // byte for byte what was found
    expect(b.stats.damaged).toEqual([join(image, aside[0]!)]);
    const warnings = b.logger.lines.filter((l) => l.includes("warn"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`the damaged file is preserved at ${join(image, aside[0]!)}`);
    expect(warnings[0]).toMatch(/line 5 \(byte \d+\)/);
    // What was recovered is now in a clean snapshot: the next start reads no damage.
    await closeIt(b);
    const c = await open(image);
    expect(c.storage.threads.size).toBe(9);
    expect(c.logger.text()).not.toMatch(/warn/);
    expect(readdirSync(image).filter((f) => f.endsWith(".damaged"))).toHaveLength(1);
  });

  it("compacts into a snapshot past the threshold and reloads snapshot + journal", async () => {
    const dir = join(tempProject(), ".langgraph_api");
    const a = await open(dir, { compactAfterBytes: 4096 });
    for (let i = 0; i < 300; i++) {
      a.storage.threads.set(`t${i}`, { i, pad: "x".repeat(50) } as never);
      if (i % 3 === 0) a.storage.threads.delete(`t${i - 1}`);
      if (i % 50 === 0) a.storage.store.clear();
      a.storage.store.set(`s${i}`, { i } as never);
      if (i % 20 === 0) await new Promise((r) => setImmediate(r)); // let scheduled compactions run
    }
    const journalsNow = () => readdirSync(dir).filter((f) => /^journal\.\d+\.jsonl$/.test(f));
    // The last scheduled compaction may still be writing; once done, one journal is left.
    for (let i = 0; i < 200 && journalsNow().length > 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(readdirSync(dir)).toContain("snapshot.jsonl");
    const journals = journalsNow();
    expect(journals).toHaveLength(1);
    expect(Number(/\d+/.exec(journals[0]!)![0])).toBeGreaterThan(2);
    a.storage.threads.set("after", { last: true } as never); // in the journal only

    const b = await open(crashImage(dir, cleanups));
    expect(b.stats.snapshotRecords).toBeGreaterThan(0);
    expect(b.stats.journalRecords).toBeGreaterThan(0);
    expect(dump(b.storage)).toEqual(dump(a.storage));
  });

  it("stays exact when writes continue while a large snapshot is being written", async () => {
    const dir = join(tempProject(), ".langgraph_api");
    const a = await open(dir);
    const big = "b".repeat(8000);
    for (let i = 0; i < 3000; i++) a.storage.threads.set(`t${i}`, { i, big } as never); // ~24 MB: the writer yields
    for (let i = 0; i < 50; i++) a.storage.store.set(`s${i}`, { i } as never);
    const compaction = a.compact();
    let image: string | undefined;
    let atImage: unknown;
    let n = 0;
    let done = false;
    void compaction.then(() => (done = true));
    while (!done) {
      // Interleave updates, deletes, re-inserts, new keys and a clear with the snapshot's progress.
      a.storage.threads.set(`t${n * 7 % 3000}`, { i: -n } as never);
      a.storage.threads.delete(`t${(n * 13 + 1) % 3000}`);
      a.storage.threads.set(`new${n}`, { n } as never);
      if (n === 3) a.storage.store.clear();
      a.storage.store.set(`s${n}`, { n } as never);
      if (n === 1) {
        image = crashImage(dir, cleanups); // what a crash in the middle of the snapshot leaves
        atImage = dump(a.storage);
        expect(readdirSync(image)).toContain("snapshot.jsonl.tmp");
      }
      n++;
      await new Promise((r) => setImmediate(r));
    }
    expect(n).toBeGreaterThan(2);
    const expected = dump(a.storage);
    const b = await open(crashImage(dir, cleanups));
    expect(dump(b.storage)).toEqual(expected); // same records, same order
    // A crash image from the middle of the snapshot (journals N and N+1, a .tmp) loads too, without warnings.
    const mid = await open(image!);
    expect(mid.logger.text()).not.toMatch(/warn/);
    expect(dump(mid.storage)).toEqual(atImage);
  });

  it("ignores journals a snapshot already covers (a compaction interrupted before it removed them)", async () => {
    const dir = join(tempProject(), ".langgraph_api");
    const a = await open(dir);
    fillAll(a.storage);
    const oldJournal = readFileSync(join(dir, "journal.1.jsonl"));
    await a.compact();
    a.storage.threads.delete("t7");
    a.storage.threads.set("t3", { back: true } as never);
    const image = crashImage(dir, cleanups);
    writeFileSync(join(image, "journal.1.jsonl"), oldJournal); // as if the crash came before its removal
    const b = await open(image);
    expect(dump(b.storage)).toEqual(dump(a.storage));
    expect(existsSync(join(image, "journal.1.jsonl"))).toBe(false);
  });

  it("keeps a damaged snapshot aside and keeps its valid chunks", async () => {
    const dir = join(tempProject(), ".langgraph_api");
    const a = await open(dir);
    fillAll(a.storage);
    await closeIt(a);
    const snap = join(dir, "snapshot.jsonl");
    const lines = readFileSync(snap, "utf8").split("\n");
    const threadsLine = lines.findIndex((l) => l.includes('["threads"'));
    lines[threadsLine] = lines[threadsLine]!.replace('"t1"', '"tZ"');
    writeFileSync(snap, lines.join("\n"));
    const b = await open(dir);
    expect(b.storage.threads.size).toBe(0); // the one damaged chunk held every thread
    expect(b.storage.assistants.size).toBe(1);
    expect(b.stats.damaged[0]).toMatch(/snapshot\..*\.damaged$/);
    expect(b.logger.text()).toContain(`the damaged file is preserved at ${b.stats.damaged[0]}`);
    expect(existsSync(b.stats.damaged[0]!)).toBe(true);
  });

  it("refuses a snapshot written by a newer format and leaves it untouched", async () => {
    const dir = join(tempProject(), ".langgraph_api");
    const a = await open(dir);
    fillAll(a.storage);
    await closeIt(a);
    const { encodeLine } = await import("../../src/storage/embedded/records.js");
    const snap = join(dir, "snapshot.jsonl");
    const rest = readFileSync(snap, "utf8").split("\n").slice(1).join("\n");
    const future = Buffer.concat([encodeLine(JSON.stringify({ lgdev: "snapshot", version: 99, gen: 2 })), Buffer.from(rest)]);
    writeFileSync(snap, future);
    await expect(openStorage({ dir, persist: true, logger: captureLogger() })).rejects.toThrow(/newer lg-dev/);
    expect(readFileSync(snap)).toEqual(future);
    expect(existsSync(join(dir, "lg-dev.lock"))).toBe(false); // released on failure
  });

  it("rejects writes after close instead of losing them silently", async () => {
    const dir = join(tempProject(), ".langgraph_api");
    const a = await open(dir);
    await closeIt(a);
    expect(() => a.storage.threads.set("late", {} as never)).toThrow(/closed/);
    expect(a.storage.threads.has("late")).toBe(false);
  });

  it("journals before changing memory: a value that cannot be written is not applied either", async () => {
    const dir = join(tempProject(), ".langgraph_api");
    const a = await open(dir);
    a.storage.threads.set("t1", { ok: 1 } as never);
    expect(() => a.storage.threads.set("t1", { n: 1n } as never)).toThrow(/BigInt/);
    expect(a.storage.threads.get("t1")).toEqual({ ok: 1 });
    const b = await open(crashImage(dir, cleanups));
    expect(b.storage.threads.get("t1")).toEqual({ ok: 1 });
  });

  it("with fsync on, flush waits for the grouped fdatasync", async () => {
    const dir = join(tempProject(), ".langgraph_api");
    const a = await open(dir, { fsync: true });
    for (let i = 0; i < 100; i++) a.storage.threads.set(`t${i}`, { i } as never);
    await a.flush();
    const b = await open(crashImage(dir, cleanups));
    expect(b.storage.threads.size).toBe(100);
  });

  it("memory-only mode touches no file", async () => {
    const project = tempProject();
    writeFileSync(join(project, ".gitignore"), "node_modules\n");
    const o = await openStorage({ dir: join(project, ".langgraph_api"), persist: false, logger: captureLogger() });
    fillAll(o.storage);
    await o.compact();
    await o.close();
    expect(readdirSync(project)).toEqual([".gitignore"]);
    expect(readFileSync(join(project, ".gitignore"), "utf8")).toBe("node_modules\n");
    expect(o.stats.persisted).toBe(false);
  });
});

describe("group commit", () => {
  it("collects records until flushPending (or the next turn of the event loop) and writes them in one call", async () => {
    const { makeTempDir } = await import("../helpers/spawn.js");
    const { openStorage } = await import("../../src/storage/embedded/durable.js");
    const { createLogger } = await import("../../src/logger.js");
    const { readdirSync, readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const t = makeTempDir("lg-dev-group-");
    try {
      const dir = join(t.dir, ".langgraph_api");
      const o = await openStorage({ dir, persist: true, logger: createLogger("silent"), groupCommit: true, gitignore: false });
      const journal = () => readdirSync(dir).filter((f) => f.startsWith("journal.")).map((f) => readFileSync(join(dir, f), "utf8")).join("");
      const before = journal().length;
      o.storage.store.set("a", { namespace: ["n"], key: "a", value: { v: 1 }, created_at: "x", updated_at: "x" });
      o.storage.store.set("b", { namespace: ["n"], key: "b", value: { v: 2 }, created_at: "x", updated_at: "x" });
      expect(journal().length).toBe(before); // not yet written
      o.storage.flushPending();
      const lines = journal().slice(before).trim().split("\n");
      expect(lines).toHaveLength(2);
      o.storage.store.delete("a");
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      expect(journal().slice(before).trim().split("\n")).toHaveLength(3); // the backstop wrote it
      await o.close();
      const again = await openStorage({ dir, persist: true, logger: createLogger("silent"), gitignore: false });
      expect([...again.storage.store.values()].map((i) => i.key)).toEqual(["b"]);
      await again.close();
    } finally {
      t.cleanup();
    }
  });
});
