import { cpSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createLogger, type Logger } from "../../src/logger.js";
import type { Storage } from "../../src/storage/embedded/storage.js";
import { makeTempDir } from "../helpers/spawn.js";

/** A logger that keeps every line, for asserting on warnings. */
export function captureLogger(): Logger & { lines: string[]; text(): string } {
  const lines: string[] = [];
  const logger = createLogger("debug", { out: (s) => lines.push(s), err: (s) => lines.push(s) });
  return Object.assign(logger, { lines, text: () => lines.join("") });
}

/** Every collection's entries in order, as plain JSON (what a reopened storage must reproduce). */
export function dump(storage: Storage, sorted = false): Record<string, [string, unknown][]> {
  const out: Record<string, [string, unknown][]> = {};
  for (const [name, c] of storage.collections()) {
    const entries = [...c.entries()].map(([k, v]) => [k, JSON.parse(JSON.stringify(v))] as [string, unknown]);
    if (sorted) entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    out[name] = entries;
  }
  return out;
}

/**
 * The files of a data directory exactly as they are now, copied elsewhere without the lock: what a SIGKILL at
 * this instant would leave behind (every acknowledged write is already in the kernel).
 */
export function crashImage(dir: string, cleanups: (() => void)[]): string {
  const tmp = makeTempDir("lg-dev-crash-");
  cleanups.push(tmp.cleanup);
  const copy = join(tmp.dir, ".langgraph_api");
  cpSync(dir, copy, { recursive: true });
  rmSync(join(copy, "lg-dev.lock"), { force: true });
  return copy;
}
