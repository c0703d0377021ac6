import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { decodeLine, encodeLine, readLines, scanRecords } from "../../src/storage/embedded/records.js";
import { makeTempDir } from "../helpers/spawn.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const body = (b: Buffer) => b.subarray(0, b.length - 1); // without the newline

describe("record lines", () => {
  it("encodes JSON with a CRC and decodes it back; any altered byte is detected", () => {
    const json = JSON.stringify({ t: "put", c: "threads", k: "ünï\n", v: { s: "\u2028 \"x\"" } });
    const line = encodeLine(json);
    expect(line.at(-1)).toBe(0x0a);
    expect(line.toString("utf8", 0, 9)).toMatch(/^[0-9a-f]{8} $/);
    expect(decodeLine(body(line))).toEqual(JSON.parse(json));
    for (let i = 0; i < line.length - 1; i++) {
      const bad = Buffer.from(body(line));
      bad[i] = bad[i]! ^ 0x04;
      expect(decodeLine(bad), `byte ${i}`).toBeUndefined();
    }
  });

  it("reads lines across block boundaries, including lines longer than a block", () => {
    const t = makeTempDir();
    cleanups.push(t.cleanup);
    const file = join(t.dir, "f");
    const lines = ["a", "bb", "c".repeat(50), "", "d".repeat(7), "tail-without-newline"];
    writeFileSync(file, lines.join("\n"));
    for (const block of [1, 3, 8, 64, 1024]) {
      const got = [...readLines(file, block)];
      expect(got.map((l) => l.bytes.toString())).toEqual(lines);
      expect(got.map((l) => l.terminated)).toEqual([true, true, true, true, true, false]);
      expect(got[2]!.offset).toBe(5);
    }
  });

  it("classifies a torn tail, a damaged middle and several bad lines at the end", () => {
    const t = makeTempDir();
    cleanups.push(t.cleanup);
    const file = join(t.dir, "f");
    const good = (i: number) => encodeLine(JSON.stringify({ i }));
    const accept = () => true;

    writeFileSync(file, Buffer.concat([good(1), good(2), good(3).subarray(0, 5)]));
    let r = scanRecords(file, accept);
    expect(r).toMatchObject({ good: 2, middle: [], tail: { line: 3, lines: 1 }, goodEnd: good(1).length * 2 });

    writeFileSync(file, Buffer.concat([good(1), Buffer.from("garbage\n"), good(3)]));
    r = scanRecords(file, accept);
    expect(r).toMatchObject({ good: 2, middle: [{ line: 2, lines: 1, offset: good(1).length }] });
    expect(r.tail).toBeUndefined();

    writeFileSync(file, Buffer.concat([good(1), Buffer.from("x\ny\n")]));
    r = scanRecords(file, accept);
    expect(r.badTail).toMatchObject({ line: 2, lines: 2 });
    expect(r.tail).toBeUndefined();

    writeFileSync(file, Buffer.concat([good(1), body(good(2))]));
    r = scanRecords(file, accept);
    expect(r).toMatchObject({ good: 2, missingNewline: true });
  });
});
