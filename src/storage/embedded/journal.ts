import { closeSync, fdatasync, fdatasyncSync, fstatSync, ftruncateSync, openSync, writeSync } from "node:fs";
import type { Mutation, MutationSink } from "./collection.js";
import { encodeLine } from "./records.js";

/** Options of the journal writer. */
export interface JournalOptions {
  /** fdatasync the journal (power-loss durability), grouped: at most one call per `fsyncIntervalMs`. */
  fsync: boolean;
  fsyncIntervalMs?: number;
  /** Called (synchronously, after the write) when the current file has grown past `compactAfterBytes`. */
  onLarge?: () => void;
  compactAfterBytes?: number;
  /**
   * Group commit: collect records and write them in one call at `flushPending()` (which the server runs before
   * every reply) or at the next setImmediate. Off: every record is written before `write()` returns.
   */
  groupCommit?: boolean;
}

/**
 * The append-only journal as a MutationSink, with group commit. Records are encoded when they are made (so a value
 * that cannot be serialised fails its own call) and collected; `flushPending()` hands everything collected to the
 * kernel with one `write` on an O_APPEND fd. The server calls it before any byte of a reply leaves the process, so
 * a reply is never ahead of the data it acknowledges (a SIGKILL loses nothing acknowledged); a setImmediate
 * backstop flushes what no reply waits for (background runs). Mutations inside `batch()` become one record.
 */
export class JournalSink implements MutationSink {
  private fd: number | undefined;
  private path = "";
  private size = 0;
  private pending: string[] | undefined;
  private depth = 0;
  private dirty = false;
  private syncTimer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private closedReason: string | undefined = "the journal is not open yet";
  private largeReported = false;
  private collected: Buffer[] = [];
  private collectedBytes = 0;
  private backstop: NodeJS.Immediate | undefined;
  private waiters: Array<{ resolve(): void; reject(err: unknown): void }> = [];

  constructor(private readonly opts: JournalOptions) {}

  /** Bytes in the current journal file. */
  get bytes(): number {
    return this.size;
  }

  get file(): string {
    return this.path;
  }

  /** Start appending to `path` (created if missing); a previous file is closed first. */
  open(path: string): void {
    // What was collected belongs to the file it was made under (a snapshot taken now already includes it).
    this.flushPending();
    if (this.fd !== undefined) this.closeFile();
    this.fd = openSync(path, "a");
    this.path = path;
    this.size = fstatSync(this.fd).size;
    this.closedReason = undefined;
    this.largeReported = false;
  }

  write(m: Mutation): void {
    // Serialise now even inside a batch: the record must hold the value as it was at this call.
    const json = JSON.stringify(m);
    if (this.pending) this.pending.push(json);
    else this.collect(json);
  }

  batch<T>(fn: () => T): T {
    if (this.depth++ === 0) this.pending = [];
    try {
      return fn();
    } finally {
      if (--this.depth === 0) {
        const records = this.pending!;
        this.pending = undefined;
        // Memory already holds these changes (even if fn threw halfway): they must reach the journal.
        if (records.length === 1) this.collect(records[0]!);
        else if (records.length > 1) this.collect(`[${records.join(",")}]`);
      }
    }
  }

  /** Write everything collected so far to the kernel, in one call. Cheap when nothing is pending. */
  flushPending(): void {
    if (this.backstop) {
      clearImmediate(this.backstop);
      this.backstop = undefined;
    }
    if (this.collected.length === 0) return;
    const buf = this.collected.length === 1 ? this.collected[0]! : Buffer.concat(this.collected, this.collectedBytes);
    this.collected = [];
    this.collectedBytes = 0;
    const waiters = this.waiters;
    this.waiters = [];
    try {
      this.append(buf);
    } catch (err) {
      for (const w of waiters) w.reject(err);
      throw err;
    }
    for (const w of waiters) w.resolve();
  }

  /** True when records are collected but not written yet. */
  get hasPending(): boolean {
    return this.collected.length > 0;
  }

  /**
   * Resolves once what is collected now has been written — at the end of this turn of the event loop, together with
   * everything else collected in it. Replies wait on this, so concurrent requests share one write.
   */
  whenFlushed(): Promise<void> {
    if (this.collected.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Wait until everything written so far is on stable storage. */
  async flush(): Promise<void> {
    this.flushPending();
    if (this.fd === undefined) return;
    while (this.syncing) await this.syncing;
    if (this.dirty) await this.syncNow();
  }

  /** Stop accepting writes (later writes throw `reason`) and close the file, syncing it first when fsync is on. */
  close(reason = "storage is closed"): void {
    if (this.fd !== undefined) this.flushPending();
    this.closeFile();
    this.closedReason = reason;
  }

  private collect(json: string): void {
    if (this.fd === undefined) throw new Error(`lg-dev storage: ${this.closedReason}`);
    const line = encodeLine(json);
    if (!this.opts.groupCommit) {
      this.append(line);
      return;
    }
    this.collected.push(line);
    this.collectedBytes += line.length;
    this.backstop ??= setImmediate(() => {
      this.backstop = undefined;
      try {
        this.flushPending();
      } catch {
        // the waiters got the error; a background change is retried with the next write
      }
    });
  }

  private append(buf: Buffer): void {
    if (this.fd === undefined) throw new Error(`lg-dev storage: ${this.closedReason}`);
    let done = 0;
    try {
      while (done < buf.length) done += writeSync(this.fd, buf, done, buf.length - done);
    } catch (err) {
      // A short write (disk full) would leave half a record that later appends bury in the middle: cut it off.
      if (done > 0) {
        try {
          ftruncateSync(this.fd, this.size);
        } catch {
          /* the next start-up will find a torn record and drop it */
        }
      }
      throw err;
    }
    this.size += buf.length;
    if (this.opts.fsync) this.scheduleSync();
    if (!this.largeReported && this.opts.onLarge && this.size > (this.opts.compactAfterBytes ?? Infinity)) {
      this.largeReported = true;
      this.opts.onLarge();
    }
  }

  private scheduleSync(): void {
    this.dirty = true;
    if (this.syncTimer || this.syncing) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      void this.syncNow();
    }, this.opts.fsyncIntervalMs ?? 10);
  }

  private syncNow(): Promise<void> {
    const fd = this.fd;
    if (fd === undefined) return Promise.resolve();
    this.dirty = false;
    this.syncing = new Promise<void>((resolve) => {
      // In the thread pool: the event loop keeps serving while the disk catches up.
      fdatasync(fd, () => {
        this.syncing = undefined;
        if (this.dirty) this.scheduleSync();
        resolve();
      });
    });
    return this.syncing;
  }

  private closeFile(): void {
    if (this.fd === undefined) return;
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    if (this.opts.fsync) fdatasyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
    this.dirty = false;
  }
}
