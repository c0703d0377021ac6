import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { crc32 } from "node:zlib";
import type { CollectionName, Mutation } from "./collection.js";

/**
 * The line format shared by the journal and the snapshot: `<crc32 as 8 hex digits> <json>\n`.
 * JSON never contains a raw newline, so a line is a record; the CRC (over the JSON bytes) tells a torn or
 * corrupted record from a good one.
 */

const SPACE = 0x20;
const NEWLINE = 0x0a;
const HEADER = 9; // 8 hex digits and a space

/** Encode one record (any JSON value) as a complete line. */
export function encodeLine(json: string): Buffer {
  const len = Buffer.byteLength(json);
  const buf = Buffer.allocUnsafe(HEADER + len + 1);
  buf.write(json, HEADER, len, "utf8");
  const crc = crc32(buf.subarray(HEADER, HEADER + len));
  buf.write(crc.toString(16).padStart(8, "0"), 0, 8, "latin1");
  buf[8] = SPACE;
  buf[HEADER + len] = NEWLINE;
  return buf;
}

/** The JSON of a line (without its newline) when the CRC matches and it parses; undefined otherwise. */
export function decodeLine(line: Buffer): unknown {
  if (line.length < HEADER + 1 || line[8] !== SPACE) return undefined;
  const hex = line.toString("latin1", 0, 8);
  if (!/^[0-9a-f]{8}$/.test(hex)) return undefined;
  if (crc32(line.subarray(HEADER)) !== parseInt(hex, 16)) return undefined;
  try {
    return JSON.parse(line.toString("utf8", HEADER));
  } catch {
    return undefined;
  }
}

/** One line of a file: its bytes (without the newline), where it starts, and whether a newline ended it. */
export interface Line {
  bytes: Buffer;
  offset: number;
  terminated: boolean;
}

/** Read a file line by line in large blocks (files may exceed what one Buffer or string can hold). */
export function* readLines(path: string, blockSize = 16 * 1024 * 1024): Generator<Line> {
  const fd = openSync(path, "r");
  try {
    const total = fstatSync(fd).size;
    let position = 0;
    let size = blockSize;
    while (position < total) {
      // A fresh block per read, so lines can be views into it rather than copies.
      const block = Buffer.allocUnsafe(Math.min(size, total - position));
      const n = readSync(fd, block, 0, block.length, position);
      if (n === 0) break;
      const data = block.subarray(0, n);
      let start = 0;
      for (let nl = data.indexOf(NEWLINE); nl !== -1; nl = data.indexOf(NEWLINE, start)) {
        yield { bytes: data.subarray(start, nl), offset: position + start, terminated: true };
        start = nl + 1;
      }
      if (position + n >= total) {
        if (start < n) yield { bytes: data.subarray(start), offset: position + start, terminated: false };
        break;
      }
      // The next block starts at the unfinished line; a line longer than a whole block needs a bigger block.
      if (start === 0) size *= 2;
      position += start;
    }
  } finally {
    closeSync(fd);
  }
}

const COLLECTIONS = new Set<CollectionName>([
  "assistants",
  "assistant_versions",
  "threads",
  "runs",
  "checkpoints",
  "writes",
  "store",
  "crons",
]);

function isMutation(x: unknown): x is Mutation {
  if (typeof x !== "object" || x === null) return false;
  const m = x as Record<string, unknown>;
  if (!COLLECTIONS.has(m.c as CollectionName)) return false;
  if (m.t === "clear") return true;
  if (typeof m.k !== "string") return false;
  return m.t === "del" || (m.t === "put" && "v" in m);
}

/** The mutations of a journal record (one mutation, or a batch as an array); undefined if it is not one. */
export function asMutations(json: unknown): Mutation[] | undefined {
  if (Array.isArray(json)) return json.every(isMutation) ? (json as Mutation[]) : undefined;
  return isMutation(json) ? [json] : undefined;
}

/** A run of unusable bytes in a file. */
export interface BadRegion {
  /** Byte offset and 1-based line number where it starts. */
  offset: number;
  line: number;
  /** Lines it spans. */
  lines: number;
}

/** What scanning a record file found. */
export interface ScanResult {
  /** Records that passed the CRC and the caller's check, in order. */
  good: number;
  /** Bad stretches before the last good record (damage in the middle). */
  middle: BadRegion[];
  /** A single bad or unterminated line after the last good record (a torn write), if any. */
  tail?: BadRegion;
  /** Bad lines after the last good record when there are more than one (treated as damage, never truncated). */
  badTail?: BadRegion;
  /** Where the file should end to hold exactly the good records (the end of the last good line). */
  goodEnd: number;
  /** The last good line lacked its newline (complete record, torn only by the final byte). */
  missingNewline: boolean;
}

/**
 * Scan a record file, handing each valid record to `accept` (which returns false when the JSON is not a record
 * it understands, making the line bad). Damage is classified, never repaired here.
 */
export function scanRecords(path: string, accept: (json: unknown, line: Line) => boolean): ScanResult {
  const result: ScanResult = { good: 0, middle: [], goodEnd: 0, missingNewline: false };
  let open: BadRegion | undefined;
  let lineNo = 0;
  for (const line of readLines(path)) {
    lineNo++;
    const json = decodeLine(line.bytes);
    if (json !== undefined && accept(json, line)) {
      if (open) result.middle.push(open);
      open = undefined;
      result.good++;
      result.goodEnd = line.offset + line.bytes.length + (line.terminated ? 1 : 0);
      result.missingNewline = !line.terminated;
    } else if (open) {
      open.lines++;
    } else {
      open = { offset: line.offset, line: lineNo, lines: 1 };
    }
  }
  if (open) {
    if (open.lines === 1) result.tail = open;
    else result.badTail = open;
  }
  return result;
}
