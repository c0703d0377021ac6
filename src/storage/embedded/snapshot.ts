import { closeSync, fsync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { promisify } from "node:util";
import type { CollectionName } from "./collection.js";
import { encodeLine, scanRecords, type ScanResult } from "./records.js";
import type { Storage } from "./storage.js";

/**
 * A snapshot is a record file (see records.ts) holding every collection:
 *   line 1     {"lgdev":"snapshot","version":1,"gen":N,"created_at":...}   replay journals numbered >= N on top
 *   then       ["<collection>",[[key,value],...]]                          chunks of up to ~1 MiB
 *   last line  {"end":true,"records":<total>}                               a snapshot without it is incomplete
 * Large chunks keep loading to one JSON.parse per MiB; the CRC per line finds damage without trusting the rest less.
 */

export const SNAPSHOT_VERSION = 1;
const CHUNK_BYTES = 1024 * 1024;
/** Give the event loop a turn after this much output while writing a big snapshot. */
const YIELD_BYTES = 2 * 1024 * 1024;

const fsyncAsync = promisify(fsync);

interface Header {
  lgdev: "snapshot";
  version: number;
  gen: number;
  created_at: string;
}

/**
 * Write every collection to `path` atomically (a temp file, fsync, rename). The keys and value references are
 * captured synchronously (one quick pass, so the snapshot is the exact state and order at this instant, as journal
 * `gen` starts: call it in the same tick as the rotation); serialising them then yields to the event loop between
 * chunks so requests keep being served. Should a stored object be mutated in place meanwhile, the newer value lands
 * in the snapshot, which is harmless: the change that mattered is also in journal `gen`, replayed on top.
 */
export async function writeSnapshot(storage: Storage, path: string, gen: number): Promise<{ records: number; bytes: number }> {
  const captured = [...storage.collections()].map(([name, collection]) => {
    const keys: string[] = [];
    const values: unknown[] = [];
    for (const [k, v] of collection.entries()) {
      keys.push(k);
      values.push(v);
    }
    return { name, keys, values };
  });
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, "w");
  let records = 0;
  let bytes = 0;
  let sinceYield = 0;
  const put = (json: string) => {
    const line = encodeLine(json);
    let done = 0;
    while (done < line.length) done += writeSync(fd, line, done, line.length - done);
    bytes += line.length;
    sinceYield += line.length;
  };
  try {
    const header: Header = { lgdev: "snapshot", version: SNAPSHOT_VERSION, gen, created_at: new Date().toISOString() };
    put(JSON.stringify(header));
    for (const { name, keys, values } of captured) {
      const prefix = `[${JSON.stringify(name)},[`;
      let parts: string[] = [];
      let size = 0;
      const flushChunk = () => {
        if (parts.length === 0) return;
        put(`${prefix}${parts.join(",")}]]`);
        parts = [];
        size = 0;
      };
      for (let i = 0; i < keys.length; i++) {
        const entry = JSON.stringify([keys[i], values[i]]);
        parts.push(entry);
        size += entry.length;
        records++;
        if (size >= CHUNK_BYTES) flushChunk();
        if (sinceYield >= YIELD_BYTES) {
          sinceYield = 0;
          await yieldToLoop();
        }
      }
      flushChunk();
    }
    put(JSON.stringify({ end: true, records }));
    await fsyncAsync(fd);
    closeSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  renameSync(tmp, path);
  return { records, bytes };
}

/** What loading a snapshot found. */
export interface LoadedSnapshot {
  /** First journal generation to replay on top; undefined when the header was unreadable. */
  gen: number | undefined;
  records: number;
  /** The end marker was present and every line was good. */
  complete: boolean;
  scan: ScanResult;
}

/** Load a snapshot into `storage` (replaying its records, so no journal writes). Throws for a newer format. */
export function loadSnapshot(storage: Storage, path: string): LoadedSnapshot {
  let gen: number | undefined;
  let records = 0;
  let ended = false;
  let first = true;
  const scan = scanRecords(path, (json) => {
    const isFirst = first;
    first = false;
    if (Array.isArray(json)) {
      const [name, entries] = json as [CollectionName, [string, unknown][]];
      if (typeof name !== "string" || !Array.isArray(entries)) return false;
      try {
        for (const [k, v] of entries) storage.replay({ t: "put", c: name, k, v });
      } catch {
        return false; // an unknown collection: keep the line for the damaged copy
      }
      records += entries.length;
      return true;
    }
    const obj = json as Record<string, unknown> | null;
    if (isFirst && obj?.lgdev === "snapshot") {
      const version = Number(obj.version);
      if (version > SNAPSHOT_VERSION) {
        throw new Error(`${path} was written by a newer lg-dev (snapshot format ${version}); upgrade lg-dev to open it`);
      }
      gen = Number(obj.gen);
      return Number.isInteger(gen);
    }
    if (obj?.end === true) {
      ended = true;
      return true;
    }
    return false;
  });
  const complete = ended && scan.middle.length === 0 && !scan.tail && !scan.badTail && gen !== undefined;
  return { gen, records, complete, scan };
}
