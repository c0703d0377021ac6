import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { openStorage } from "../../src/storage/embedded/durable.js";
import type { Mutation, MutationSink } from "../../src/storage/embedded/collection.js";
import { Storage } from "../../src/storage/embedded/storage.js";
import { applyOp } from "../fixtures/durability/ops.mjs";
import { FIXTURES, makeTempDir, REPO_ROOT } from "../helpers/spawn.js";
import { captureLogger, dump } from "./helpers.js";

// These tests run the compiled code (dist/) in a child process, as the real server would: `npm run build` first.
const WRITER = join(FIXTURES, "durability", "writer.mjs");
const cleanups: (() => void)[] = [];
const children = new Set<ChildProcess>();
afterEach(() => {
  for (const c of children) c.kill("SIGKILL");
  children.clear();
  for (const c of cleanups.splice(0)) c();
});

beforeAll(() => {
  if (!existsSync(join(REPO_ROOT, "dist", "storage", "embedded", "durable.js"))) throw new Error("dist/ is missing: run `npm run build` first");
});

/** The state after ops 1..n, computed in memory. */
function model(n: number) {
  const s = new Storage();
  for (let i = 1; i <= n; i++) applyOp(s, i);
  return dump(s, true);
}

/**
 * Every state a crash during op n+1 (not acknowledged) may leave: ops 1..n plus the first k journal records of
 * op n+1 — each single mutation or whole batch is one record, all or nothing.
 */
function modelsAround(n: number): string[] {
  // Record op n+1's journal records as it runs on the state after op n (a delete of a missing key writes nothing).
  const records: Mutation[][] = [];
  let recording = false;
  let group: Mutation[] | undefined;
  const sink: MutationSink = {
    write: (m) => {
      if (recording) (group ? group.push(m) : records.push([m]));
    },
    batch<T>(fn: () => T): T {
      group = [];
      try {
        return fn();
      } finally {
        if (recording) records.push(group);
        group = undefined;
      }
    },
  };
  const recorder = new Storage(sink);
  for (let i = 1; i <= n; i++) applyOp(recorder, i);
  recording = true;
  applyOp(recorder, n + 1);

  const s = new Storage();
  for (let i = 1; i <= n; i++) applyOp(s, i);
  const states = [JSON.stringify(dump(s, true))];
  for (const r of records) {
    for (const m of r) s.replay(m);
    states.push(JSON.stringify(dump(s, true)));
  }
  return states;
}

function startWriter(dir: string, start: number, mode: "loop" | "http", commit: "each" | "group") {
  const child = spawn(process.execPath, [WRITER, dir, String(start), mode, commit], { stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  // "close", not "exit": the acks still in the pipe must be read before counting them.
  const exited = new Promise<void>((r) => child.on("close", () => r()));
  return { child, out: () => out, err: () => err, exited };
}

async function reopen(dir: string) {
  const logger = captureLogger();
  const o = await openStorage({ dir, persist: true, logger });
  const state = dump(o.storage, true);
  await o.close();
  return { state, logger };
}

describe.each(["each", "group"] as const)("SIGKILL loses nothing acknowledged (commit: %s)", (commit) => {
  it("kill -9 at random moments of a write loop (with compactions under way): every acked op is there", async () => {
    const t = makeTempDir("lg-dev-sigkill-");
    cleanups.push(t.cleanup);
    const dir = join(t.dir, ".langgraph_api");
    let next = 1;
    for (let round = 0; round < 4; round++) {
      const w = startWriter(dir, next, "loop", commit);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`writer gave no ack: ${w.err()}`)), 15_000);
        w.child.stdout!.once("data", () => {
          clearTimeout(timer);
          setTimeout(resolve, 50 + Math.random() * 400);
        });
      });
      w.child.kill("SIGKILL");
      await w.exited;
      const acks = [...w.out().matchAll(/^ack (\d+)$/gm)];
      const last = Number(acks.at(-1)![1]);
      expect(last).toBeGreaterThanOrEqual(next);
      const { state, logger } = await reopen(dir);
      // Op last+1 was under way: any prefix of its records may be there, but all of ops 1..last must be.
      const candidates = modelsAround(last);
      if (!candidates.includes(JSON.stringify(state))) expect(state).toEqual(model(last));
      expect(logger.text()).not.toMatch(/damaged/);
      expect(w.err()).toBe("");
      next = last + 1;
    }
    expect(next).toBeGreaterThan(100);
  });

  it("a write acknowledged by an HTTP reply survives kill -9 sent the moment the reply arrives", async () => {
    const t = makeTempDir("lg-dev-sigkill-http-");
    cleanups.push(t.cleanup);
    const dir = join(t.dir, ".langgraph_api");
    const w = startWriter(dir, 1, "http", commit);
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no server: ${w.err()}`)), 15_000);
      const check = () => {
        const m = /listening (\d+)/.exec(w.out());
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      w.child.stdout!.on("data", check);
    });
    const n = 150 + Math.floor(Math.random() * 150);
    for (let i = 1; i <= n; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/op/${i}`, { method: "POST" });
      expect(await res.json()).toEqual({ ok: i });
    }
    w.child.kill("SIGKILL");
    await w.exited;
    const { state } = await reopen(dir);
    expect(state).toEqual(model(n));
  });
});
