/** The embedded backend: what the composition root opens (or tests build in memory). */
import { EmbeddedBackend } from "./backend.js";
import { openStorage, type OpenStorageOptions, type StorageStats } from "./durable.js";
import { Storage } from "./storage.js";

export { EmbeddedBackend } from "./backend.js";
export { StorageLockedError } from "./lock.js";
export type { OpenStorageOptions, StorageStats } from "./durable.js";

/** An opened embedded backend with what only the embedded store has: its load statistics and compaction. */
export interface OpenedEmbedded {
  backend: EmbeddedBackend;
  stats: StorageStats;
  /** Write a snapshot now and start a new journal. */
  compact(): Promise<void>;
}

/** Open the embedded backend on a data directory (or in memory with `persist: false`); see durable.ts openStorage. */
export async function openEmbeddedBackend(opts: OpenStorageOptions): Promise<OpenedEmbedded> {
  const opened = await openStorage(opts);
  return { backend: new EmbeddedBackend(opened.storage, { flush: opened.flush, close: opened.close }), stats: opened.stats, compact: opened.compact };
}

/** A memory-only embedded backend (tests, tools). */
export function memoryBackend(storage: Storage = new Storage()): EmbeddedBackend {
  return new EmbeddedBackend(storage);
}
