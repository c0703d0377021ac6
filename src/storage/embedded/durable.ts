import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Logger } from "../../logger.js";
import type { CollectionName } from "./collection.js";
import { ensureGitignored } from "./gitignore.js";
import { JournalSink } from "./journal.js";
import { acquireLock } from "./lock.js";
import { journalName, listJournals, LOCK, recover, SNAPSHOT, type Recovery } from "./recover.js";
import { writeSnapshot } from "./snapshot.js";
import { Storage } from "./storage.js";

/** Options of `openStorage`. */
export interface OpenStorageOptions {
  /** The data directory, normally `<configDir>/.langgraph_api`. */
  dir: string;
  /** false: memory only, nothing is read or written (CI smoke tests). */
  persist: boolean;
  logger: Logger;
  /** Also fdatasync the journal (power-loss durability), grouped into at most one call per 10 ms. */
  fsync?: boolean;
  /**
   * Group commit (the server turns it on): records are written in one call per reply via `storage.flushPending()`,
   * which the caller must run before acknowledging anything; off, each record is written as it is made.
   */
  groupCommit?: boolean;
  /** Write a snapshot and start a new journal once the journal is this big (default 64 MiB). */
  compactAfterBytes?: number;
  /** Add the folder to `<dir>/../.gitignore` when this call creates it (default true). */
  gitignore?: boolean;
}

/** What start-up recovered. */
export interface StorageStats {
  persisted: boolean;
  dir?: string;
  /** Records loaded from the snapshot and journal records replayed. */
  snapshotRecords: number;
  journalRecords: number;
  /** Records per collection after loading. */
  counts: Record<CollectionName, number>;
  loadMs: number;
  /** Bytes of torn last records that were dropped. */
  droppedTailBytes: number;
  /** Where damaged files were moved aside. */
  damaged: string[];
}

/** Storage opened by `openStorage`. */
export interface OpenedStorage {
  storage: Storage;
  stats: StorageStats;
  /** Write a snapshot now and start a new journal. */
  compact(): Promise<void>;
  /** Wait until every write so far is on stable storage (fsync). */
  flush(): Promise<void>;
  /**
   * Snapshot when the journal is at least a quarter of the snapshot's size, close the journal, release the lock.
   * Later writes throw.
   */
  close(): Promise<void>;
}

const DEFAULT_COMPACT_BYTES = 64 * 1024 * 1024;

function countsOf(storage: Storage): Record<CollectionName, number> {
  const counts = {} as Record<CollectionName, number>;
  for (const [name, c] of storage.collections()) counts[name] = c.size;
  return counts;
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* not supported on every platform; the rename is still atomic */
  }
}

/**
 * Open the server's storage. With `persist`, load the snapshot, replay the journals (dropping a torn last record,
 * keeping damaged files aside) and journal every later change before it is acknowledged.
 */
export async function openStorage(opts: OpenStorageOptions): Promise<OpenedStorage> {
  const started = performance.now();
  if (!opts.persist) {
    const storage = new Storage();
    const stats: StorageStats = {
      persisted: false,
      snapshotRecords: 0,
      journalRecords: 0,
      counts: countsOf(storage),
      loadMs: 0,
      droppedTailBytes: 0,
      damaged: [],
    };
    return { storage, stats, compact: async () => {}, flush: async () => {}, close: async () => {} };
  }

  const { logger } = opts;
  const dir = resolve(opts.dir);
  const created = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  if (created && opts.gitignore !== false) ensureGitignored(dirname(dir), logger);
  const lock = await acquireLock(join(dir, LOCK), dir);
  if (lock.tookOver !== undefined) logger.debug(`took over the lock of a stopped lg-dev process (pid ${lock.tookOver})`);

  const compactAfterBytes = opts.compactAfterBytes ?? DEFAULT_COMPACT_BYTES;
  const snapshotPath = join(dir, SNAPSHOT);
  let compacting: Promise<void> | undefined;
  let closed: Promise<void> | undefined;
  const journal = new JournalSink({
    fsync: opts.fsync ?? false,
    groupCommit: opts.groupCommit ?? false,
    compactAfterBytes,
    onLarge: () => scheduleCompaction(),
  });
  // Not inside the write that crossed the threshold: that one belongs to a request still in progress.
  const scheduleCompaction = () => setImmediate(() => closed || void compact());
  const storage = new Storage(journal);
  let gen = 1;
  let snapshotBytes = 0;
  let snapshotRecords = 0;

  /** Rotate to a new journal, snapshot into it, then drop the journals the snapshot covers. */
  function compact(): Promise<void> {
    compacting ??= (async () => {
      const next = gen + 1;
      journal.open(join(dir, journalName(next)));
      if (opts.fsync) fsyncDir(dir); // the new journal's name must survive a power loss too
      gen = next;
      const t = performance.now();
      try {
        // writeSnapshot captures the state before its first await: exactly the state journal `next` starts from.
        const { records, bytes } = await writeSnapshot(storage, snapshotPath, next);
        fsyncDir(dir);
        snapshotBytes = bytes;
        snapshotRecords = records;
        for (const j of listJournals(dir)) if (j.gen < next) rmSync(j.path, { force: true });
        logger.debug(`snapshot of ${records} records (${(bytes / 1048576).toFixed(1)} MiB) in ${Math.round(performance.now() - t)} ms`);
      } catch (err) {
        // Nothing is lost: the journals stay until a snapshot covering them is in place.
        logger.error(`could not write a snapshot in ${dir}; the journal keeps every change`, err);
      }
    })().finally(() => {
      compacting = undefined;
      // The new journal may have outgrown the threshold while the snapshot was written (its report was absorbed).
      if (journal.bytes > compactAfterBytes) scheduleCompaction();
    });
    return compacting;
  }

  let recovered: Recovery;
  try {
    recovered = recover(storage, dir, logger);
    snapshotBytes = recovered.snapshotBytes;
    snapshotRecords = recovered.snapshotRecords;
    gen = recovered.gen;
    journal.open(join(dir, journalName(gen)));
    // A damaged file was kept aside: write what was recovered to a clean snapshot so it stops being read.
    if (recovered.damaged.length > 0) await compact();
    else if (journal.bytes > compactAfterBytes) void compact();
  } catch (err) {
    journal.close();
    await lock.release();
    throw err;
  }
  const stats: StorageStats = {
    persisted: true,
    dir,
    snapshotRecords: recovered.snapshotRecords,
    journalRecords: recovered.journalRecords,
    counts: countsOf(storage),
    loadMs: Math.round(performance.now() - started),
    droppedTailBytes: recovered.droppedTailBytes,
    damaged: recovered.damaged,
  };

  return {
    storage,
    stats,
    compact,
    flush: () => journal.flush(),
    close() {
      closed ??= (async () => {
        try {
          while (compacting) await compacting;
          // Rewriting a big snapshot for a few changes would slow every stop; replaying a small journal costs little.
          // But when most of what the snapshot holds was deleted since, a small journal of deletes would keep it all
          // on disk and make every start load it (bench/soak.mjs: 146 MB kept after deleting everything).
          const live = Object.values(countsOf(storage)).reduce((a, b) => a + b, 0);
          const changed = journal.bytes > 0 && (journal.bytes >= snapshotBytes / 4 || live < snapshotRecords / 2);
          if (changed || listJournals(dir).length > 1) await compact();
          await journal.flush();
        } finally {
          journal.close();
          await lock.release();
        }
      })();
      return closed;
    },
  };
}
