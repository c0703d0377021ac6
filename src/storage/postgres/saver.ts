/**
 * The official PostgresSaver with channel versions no two branches of a thread share, and each write in one round trip.
 *
 * Versions (`withUniqueVersions`): PostgresSaver (1.0.x) keeps BaseCheckpointSaver's versions 1, 2, 3… but stores
 * channel values as blobs keyed by (thread, namespace, channel, version), inserted with ON CONFLICT DO NOTHING. Two
 * branches of one thread (a state update at a past checkpoint — Studio's Fork — and then a run from it) reach the
 * same integer versions, so the later branch's blob is dropped and it reads the earlier branch's value: after a fork,
 * `next` was empty and the fork's interrupts never came (the embedded store keeps values per checkpoint and had none
 * of this). Here the next version is the integer after the current one plus a random fraction (as the Python saver's
 * "<int>.<random>" strings): still numbers, still increasing along a branch, and existing integer versions still
 * compare with them. Upstream: langchain-ai/langgraphjs#1812.
 *
 * `PostgresSaver.put` (1.0.x) sends BEGIN, one INSERT per changed channel's blob, the checkpoint's INSERT and COMMIT:
 * four to six statements, each waiting for the one before, for every step of every run. `putWrites` sends BEGIN,
 * one INSERT per write and COMMIT. Here each is one statement (a data-modifying WITH for put, a multi-row INSERT for
 * putWrites): a single statement is its own transaction, so what commits is the same rows, all or nothing, in the
 * same tables with the same values (the saver's own `_dump*` methods serialise them). Everything else — reads, list,
 * deleteThread, setup — is the official code.
 *
 * The subclass is made only when the class has the shape this was written against (its `_dump*` methods, `pool`,
 * `options.schema`); otherwise the official class is used as it is. `LG_DEV_PG_SAVER_ONE_TRIP=0` turns it off.
 */
import type { RunnableConfig } from "@langchain/core/runnables";
import type { ChannelVersions, Checkpoint, CheckpointMetadata, PendingWrite } from "@langchain/langgraph-checkpoint";
import type { OfficialPostgres, PostgresCheckpointer } from "./official.js";
import { named } from "./sql.js";

type Row = unknown[];
type SaverClass = OfficialPostgres["PostgresSaver"];

/** The parts of PostgresSaver 1.0.x this relies on (protected in its types). */
interface SaverInternals {
  pool: { query(q: { name?: string; text: string; values: unknown[] }): Promise<unknown> };
  options: { schema: string };
  _dumpBlobs(threadId: string, ns: string, values: Record<string, unknown>, versions: Record<string, unknown>): Promise<Row[]>;
  _dumpCheckpoint(checkpoint: Record<string, unknown>): Record<string, unknown>;
  _dumpMetadata(metadata: unknown): Promise<unknown>;
  _dumpWrites(threadId: unknown, ns: unknown, checkpointId: unknown, taskId: string, writes: unknown[]): Promise<Row[]>;
}

/** The two methods replaced here, as PostgresSaver implements them. */
interface WriteMethods {
  put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig>;
  putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void>;
}

/** Channels whose writes the official saver upserts (a task's error, interrupt, resume and scheduled write). */
const SPECIAL_CHANNELS = new Set(["__error__", "__scheduled__", "__interrupt__", "__resume__"]);

/** Statements with up to this many rows are named (parsed once per connection); larger ones are sent unnamed. */
const MAX_NAMED_ROWS = 16;

/** `($first, …), (…)`: `rows` tuples of `columns` numbered parameters; `casts[c]` is appended to column c's. */
function valuesList(rows: number, columns: number, first: number, casts: readonly string[] = []): string {
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    const ps: string[] = [];
    for (let c = 0; c < columns; c++) ps.push(`$${first + r * columns + c}${casts[c] ?? ""}`);
    out.push(`(${ps.join(", ")})`);
  }
  return out.join(", ");
}

function statement(text: string, rows: number): { name?: string; text: string } {
  return rows <= MAX_NAMED_ROWS ? named(text) : { text };
}

/**
 * Whether `Saver` mints versions 1, 2, 3… (BaseCheckpointSaver's, which collide across branches): a saver whose own
 * getNextVersion returns anything else (a future PostgresSaver with unique versions) is kept as it is.
 */
export function mintsIntegerVersions(Saver: SaverClass): boolean {
  const next = (Saver.prototype as unknown as { getNextVersion?: (current: unknown) => unknown }).getNextVersion;
  if (typeof next !== "function") return false;
  try {
    return next.call(Saver.prototype, undefined) === 1 && next.call(Saver.prototype, 1) === 2 && next.call(Saver.prototype, 7) === 8;
  } catch {
    return false;
  }
}

/** The next channel version after `current`: the next integer plus a random fraction in [0, 1). */
export function uniqueNextVersion(current: number | undefined): number {
  return Math.floor(current ?? 0) + 1 + Math.random();
}

/** PostgresSaver whose channel versions do not collide across branches of a thread (see the top of this file). */
export function withUniqueVersions(Saver: SaverClass): SaverClass {
  if (!mintsIntegerVersions(Saver)) return Saver;
  const Base = Saver as unknown as new (...args: unknown[]) => { getNextVersion(current: unknown): unknown };
  class UniqueVersionsPostgresSaver extends Base {
    override getNextVersion(current: unknown): unknown {
      // A string version is not one this class made (nor 1.0.x): the official method decides what it means.
      if (typeof current === "string") return super.getNextVersion(current);
      return uniqueNextVersion(typeof current === "number" ? current : undefined);
    }
  }
  Object.defineProperty(UniqueVersionsPostgresSaver, "name", { value: "PostgresSaver" });
  return UniqueVersionsPostgresSaver as unknown as SaverClass;
}

/** Why `Saver` cannot be given one-trip writes, or undefined when it can. */
export function oneTripUnsupported(Saver: SaverClass): string | undefined {
  const proto = Saver.prototype as unknown as Record<string, unknown>;
  for (const m of ["_dumpBlobs", "_dumpCheckpoint", "_dumpMetadata", "_dumpWrites", "put", "putWrites"]) {
    if (typeof proto[m] !== "function") return `PostgresSaver has no ${m}()`;
  }
  return undefined;
}

/**
 * PostgresSaver with put and putWrites in one statement each, or `Saver` itself when its shape is not the known
 * one (the reason is passed to `onFallback`) or when switched off.
 */
export function withOneTripWrites(Saver: SaverClass, onFallback?: (why: string) => void): SaverClass {
  if (process.env.LG_DEV_PG_SAVER_ONE_TRIP === "0") return Saver;
  const why = oneTripUnsupported(Saver);
  if (why) {
    onFallback?.(why);
    return Saver;
  }
  const Base = Saver as unknown as new (...args: unknown[]) => WriteMethods;

  class OneTripPostgresSaver extends Base {
    private tables(): { blobs: string; checkpoints: string; writes: string } | undefined {
      const schema = (this as unknown as SaverInternals).options?.schema;
      if (typeof schema !== "string") return undefined;
      return { blobs: `"${schema}".checkpoint_blobs`, checkpoints: `"${schema}".checkpoints`, writes: `"${schema}".checkpoint_writes` };
    }

    override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
      const self = this as unknown as SaverInternals;
      const tables = this.tables();
      const configurable = config.configurable;
      if (!tables || configurable === undefined || typeof self.pool?.query !== "function") return super.put(config, checkpoint, metadata, newVersions);
      const { thread_id, checkpoint_ns = "", checkpoint_id } = configurable as { thread_id: string; checkpoint_ns?: string; checkpoint_id?: string };
      const serializedCheckpoint = self._dumpCheckpoint(checkpoint as unknown as Record<string, unknown>);
      const [blobs, serializedMetadata] = await Promise.all([
        self._dumpBlobs(thread_id, checkpoint_ns, checkpoint.channel_values, newVersions),
        self._dumpMetadata(metadata),
      ]);
      const values: unknown[] = [thread_id, checkpoint_ns, checkpoint.id, checkpoint_id, serializedCheckpoint, serializedMetadata];
      const upsertCheckpoint =
        `INSERT INTO ${tables.checkpoints} (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, checkpoint, metadata) ` +
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id) " +
        "DO UPDATE SET checkpoint = EXCLUDED.checkpoint, metadata = EXCLUDED.metadata";
      let text = upsertCheckpoint;
      if (blobs.length > 0) {
        // One row per changed channel (the versions' keys), as the official loop inserts them.
        for (const b of blobs) values.push(b[2], b[3], b[4], b[5] ?? null);
        text =
          `WITH blobs AS (INSERT INTO ${tables.blobs} (thread_id, checkpoint_ns, channel, version, type, blob) ` +
          `SELECT $1, $2, v.channel, v.version, v.type, v.blob FROM (VALUES ${valuesList(blobs.length, 4, 7, ["", "", "", "::bytea"])}) ` +
          "AS v(channel, version, type, blob) ON CONFLICT (thread_id, checkpoint_ns, channel, version) DO NOTHING) " +
          upsertCheckpoint;
      }
      await self.pool.query({ ...statement(text, blobs.length), values });
      return { configurable: { thread_id, checkpoint_ns, checkpoint_id: checkpoint.id } };
    }

    override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
      const self = this as unknown as SaverInternals;
      const tables = this.tables();
      if (!tables || typeof self.pool?.query !== "function") return super.putWrites(config, writes, taskId);
      if (writes.length === 0) return;
      const upsert = writes.every((w) => SPECIAL_CHANNELS.has(w[0]));
      const c = config.configurable;
      const rows = await self._dumpWrites(c?.thread_id, c?.checkpoint_ns, c?.checkpoint_id, taskId, writes);
      // One statement cannot touch a row twice: the official loop's later upsert of a key wins, its later insert of a
      // key does nothing.
      const byKey = new Map<string, Row>();
      for (const row of rows) {
        const key = `${String(row[3])}\u0000${String(row[4])}`;
        if (upsert || !byKey.has(key)) byKey.set(key, row);
      }
      const unique = [...byKey.values()];
      const values = unique.flat();
      const text =
        `INSERT INTO ${tables.writes} (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob) VALUES ${valuesList(unique.length, 8, 1)} ` +
        "ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) " +
        (upsert ? "DO UPDATE SET channel = EXCLUDED.channel, type = EXCLUDED.type, blob = EXCLUDED.blob" : "DO NOTHING");
      await self.pool.query({ ...statement(text, unique.length), values });
    }
  }
  Object.defineProperty(OneTripPostgresSaver, "name", { value: "PostgresSaver" });
  return OneTripPostgresSaver as unknown as SaverClass;
}
