import { describe, expect, it } from "vitest";
import { RunOutcomes } from "../../src/runs/outcomes.js";

const ok = (v: number) => ({ status: "success" as const, values: { v } });

describe("RunOutcomes", () => {
  it("forgets a thread's outcomes with the thread, and all of them on truncate", () => {
    const o = new RunOutcomes();
    o.remember("r1", "t1", ok(1));
    o.remember("r2", "t1", ok(2));
    o.remember("r3", "t2", ok(3));
    expect(o.get("r2")).toEqual(ok(2));
    o.forget("t1");
    expect(o.get("r1")).toBeUndefined();
    expect(o.get("r2")).toBeUndefined();
    expect(o.get("r3")).toEqual(ok(3));
    o.forget();
    expect(o.size).toBe(0);
  });

  it("stays bounded, dropping the oldest (and its thread entry)", () => {
    const o = new RunOutcomes(3);
    for (let i = 0; i < 10; i++) o.remember(`r${i}`, `t${i}`, ok(i));
    expect(o.size).toBe(3);
    expect(o.get("r6")).toBeUndefined();
    expect(o.get("r9")).toEqual(ok(9));
    o.forget("t9");
    o.forget("t8");
    o.forget("t7");
    expect(o.size).toBe(0);
    expect((o as unknown as { byThread: Map<string, unknown> }).byThread.size).toBe(0);
  });
});
