import type { RunnableConfig } from "@langchain/core/runnables";
import { checkpointMetadata } from "../checkpoint-metadata.js";
import {
  BaseCheckpointSaver,
  WRITES_IDX_MAP,
  copyCheckpoint,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  type PendingWrite,
} from "@langchain/langgraph-checkpoint";
import { checkpointKey, type Storage } from "./storage.js";
import type { CheckpointRecord, WriteRecord } from "../types.js";

type WriteOrder = Pick<WriteRecord, "task_path" | "task_id" | "idx">;

/**
 * The order LangGraph applies a superstep's writes in: (task_path, task_id, idx), strings by code point as Python
 * compares them. Written here rather than imported: `compareWritesSortKeys` is only exported by
 * @langchain/langgraph-checkpoint 1.2+, and the projects lg-dev serves may pin any 1.x.
 */
export function compareWrites(a: WriteOrder, b: WriteOrder): number {
  return compareByCodePoint(a.task_path ?? "", b.task_path ?? "") || compareByCodePoint(a.task_id, b.task_id) || a.idx - b.idx;
}

function compareByCodePoint(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(j)!;
    if (x !== y) return x < y ? -1 : 1;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return i >= a.length ? (j >= b.length ? 0 : -1) : 1;
}

const decoder = new TextDecoder("utf-8", { fatal: true });
/** The channel LangGraph writes a failed task's error to (`ERROR` of @langchain/langgraph-checkpoint). */
const ERROR_CHANNEL = "__error__";

/** Serialised bytes as a JSON-friendly string: utf-8 text when it is text, base64 otherwise. */
function encodeBytes(bytes: Uint8Array | string): { s: string; enc: "utf8" | "base64" } {
  if (typeof bytes === "string") return { s: bytes, enc: "utf8" };
  try {
    return { s: decoder.decode(bytes), enc: "utf8" };
  } catch {
    return { s: Buffer.from(bytes).toString("base64"), enc: "base64" };
  }
}

function decodeBytes(s: string, enc: "utf8" | "base64"): Uint8Array | string {
  return enc === "utf8" ? s : new Uint8Array(Buffer.from(s, "base64"));
}

/**
 * LangGraph's checkpointer interface over the server's Storage, so checkpoints live (and are journalled)
 * with the threads they belong to. Checkpoint ids are uuid6 (time-ordered), so id order is creation order.
 */
export class StorageCheckpointer extends BaseCheckpointSaver {
  constructor(private readonly storage: Storage) {
    super();
  }

  /** Checkpoint records of one thread namespace, newest first. */
  recordsOf(threadId: string, ns: string): CheckpointRecord[] {
    return this.storage.checkpoints
      .valuesBy("thread_ns", `${threadId}\u0000${ns}`)
      .sort((a, b) => (a.checkpoint_id < b.checkpoint_id ? 1 : a.checkpoint_id > b.checkpoint_id ? -1 : 0));
  }

  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId = config.configurable?.thread_id as string | undefined;
    if (threadId === undefined) return undefined;
    const ns = (config.configurable?.checkpoint_ns as string | undefined) ?? "";
    const id = config.configurable?.checkpoint_id as string | undefined;
    const rec = id ? this.storage.checkpoints.get(checkpointKey(threadId, ns, id)) : this.recordsOf(threadId, ns)[0];
    return rec ? this.toTuple(rec) : undefined;
  }

  async *list(config: RunnableConfig, options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple> {
    const { before, filter } = options ?? {};
    let limit = options?.limit;
    const threadId = config.configurable?.thread_id as string | undefined;
    const ns = config.configurable?.checkpoint_ns as string | undefined;
    const onlyId = config.configurable?.checkpoint_id as string | undefined;
    const beforeId = before?.configurable?.checkpoint_id as string | undefined;
    const records = threadId === undefined ? [...this.storage.checkpoints.values()] : this.storage.checkpoints.valuesBy("thread", threadId);
    records.sort((a, b) => (a.checkpoint_id < b.checkpoint_id ? 1 : a.checkpoint_id > b.checkpoint_id ? -1 : 0));
    for (const rec of records) {
      if (ns !== undefined && rec.checkpoint_ns !== ns) continue;
      if (onlyId && rec.checkpoint_id !== onlyId) continue;
      if (beforeId && rec.checkpoint_id >= beforeId) continue;
      if (filter) {
        const metadata = (await this.serde.loadsTyped(rec.metadata[0], decodeBytes(rec.metadata[1], rec.enc))) as Record<string, unknown>;
        if (!Object.entries(filter).every(([k, v]) => JSON.stringify(metadata?.[k]) === JSON.stringify(v))) continue;
      }
      if (limit !== undefined) {
        if (limit <= 0) break;
        limit -= 1;
      }
      yield await this.toTuple(rec);
    }
  }

  async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata): Promise<RunnableConfig> {
    const threadId = config.configurable?.thread_id as string | undefined;
    if (threadId === undefined) throw new Error('Cannot save a checkpoint without "thread_id" in config.configurable');
    const ns = (config.configurable?.checkpoint_ns as string | undefined) ?? "";
    // As on LangGraph Platform, a checkpoint's metadata also carries the run's configurable and metadata
    // (graph_id, assistant_id, run_id, user…): history filters and the Studio read them there.
    const fullMetadata = checkpointMetadata(config, metadata);
    const [[cType, cBytes], [mType, mBytes]] = await Promise.all([
      this.serde.dumpsTyped(copyCheckpoint(checkpoint)),
      this.serde.dumpsTyped(fullMetadata),
    ]);
    const c = encodeBytes(cBytes);
    const m = encodeBytes(mBytes);
    // One encoding per record keeps the format simple; re-encode the text one if the other needed base64.
    const enc = c.enc === "base64" || m.enc === "base64" ? "base64" : "utf8";
    const asEnc = (x: { s: string; enc: string }) => (x.enc === enc ? x.s : Buffer.from(x.s, "utf8").toString("base64"));
    this.storage.checkpoints.set(checkpointKey(threadId, ns, checkpoint.id), {
      thread_id: threadId,
      checkpoint_ns: ns,
      checkpoint_id: checkpoint.id,
      parent_checkpoint_id: config.configurable?.checkpoint_id as string | undefined,
      checkpoint: [cType, asEnc(c)],
      metadata: [mType, asEnc(m)],
      enc,
    });
    return { configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpoint.id } };
  }

  async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath?: string): Promise<void> {
    const threadId = config.configurable?.thread_id as string | undefined;
    const ns = (config.configurable?.checkpoint_ns as string | undefined) ?? "";
    const checkpointId = config.configurable?.checkpoint_id as string | undefined;
    if (threadId === undefined || checkpointId === undefined) {
      throw new Error('Cannot save writes without "thread_id" and "checkpoint_id" in config.configurable');
    }
    const base = checkpointKey(threadId, ns, checkpointId);
    // A node failed. LangGraph waits for this write, then errors the run's stream, which drops the chunks its
    // reader has not taken yet (the failed task's `task_result`, the last `tasks` event). One turn of the event
    // loop lets the reader take them first, as it has time to with slower checkpointers.
    if (writes.some(([channel]) => channel === ERROR_CHANNEL)) await new Promise((resolve) => setImmediate(resolve));
    await Promise.all(
      writes.map(async ([channel, value], i) => {
        const idx = (WRITES_IDX_MAP as Record<string, number>)[channel] ?? i;
        const key = `${base}\u0000${taskId}\u0000${idx}`;
        // Special writes (idx < 0) are replaced; regular ones are written once.
        if (idx >= 0 && this.storage.writes.has(key)) return;
        const [type, bytes] = await this.serde.dumpsTyped(value);
        const v = encodeBytes(bytes);
        this.storage.writes.set(key, {
          thread_id: threadId,
          checkpoint_ns: ns,
          checkpoint_id: checkpointId,
          task_id: taskId,
          idx,
          channel,
          value: [type, v.s],
          enc: v.enc,
          task_path: taskPath ?? "",
        });
      }),
    );
  }

  async deleteThread(threadId: string): Promise<void> {
    for (const key of this.storage.checkpoints.keysBy("thread", threadId)) this.storage.checkpoints.delete(key);
    for (const key of this.storage.writes.keysBy("thread", threadId)) this.storage.writes.delete(key);
  }

  /** Copy every checkpoint and write of one thread to another (threads.copy). */
  copyThread(fromId: string, toId: string): void {
    for (const rec of this.storage.checkpoints.valuesBy("thread", fromId)) {
      this.storage.checkpoints.set(checkpointKey(toId, rec.checkpoint_ns, rec.checkpoint_id), { ...rec, thread_id: toId });
    }
    for (const w of this.storage.writes.valuesBy("thread", fromId)) {
      const key = `${checkpointKey(toId, w.checkpoint_ns, w.checkpoint_id)}\u0000${w.task_id}\u0000${w.idx}`;
      this.storage.writes.set(key, { ...w, thread_id: toId });
    }
  }

  /** Keep only the latest checkpoint of each namespace of a thread (threads.prune "keep_latest"). */
  keepLatest(threadId: string): void {
    const latest = new Map<string, string>();
    for (const rec of this.storage.checkpoints.valuesBy("thread", threadId)) {
      const cur = latest.get(rec.checkpoint_ns);
      if (cur === undefined || rec.checkpoint_id > cur) latest.set(rec.checkpoint_ns, rec.checkpoint_id);
    }
    for (const key of this.storage.checkpoints.keysBy("thread", threadId)) {
      const rec = this.storage.checkpoints.get(key)!;
      if (latest.get(rec.checkpoint_ns) !== rec.checkpoint_id) this.storage.checkpoints.delete(key);
    }
    for (const key of this.storage.writes.keysBy("thread", threadId)) {
      const w = this.storage.writes.get(key)!;
      if (latest.get(w.checkpoint_ns) !== w.checkpoint_id) this.storage.writes.delete(key);
    }
  }

  private async toTuple(rec: CheckpointRecord): Promise<CheckpointTuple> {
    const writeRecs: WriteRecord[] = this.storage.writes.valuesBy("checkpoint", checkpointKey(rec.thread_id, rec.checkpoint_ns, rec.checkpoint_id));
    writeRecs.sort(compareWrites);
    const pendingWrites: CheckpointPendingWrite[] = await Promise.all(
      writeRecs.map(async (w) => [w.task_id, w.channel, await this.serde.loadsTyped(w.value[0], decodeBytes(w.value[1], w.enc))] as CheckpointPendingWrite),
    );
    const tuple: CheckpointTuple = {
      config: { configurable: { thread_id: rec.thread_id, checkpoint_ns: rec.checkpoint_ns, checkpoint_id: rec.checkpoint_id } },
      checkpoint: (await this.serde.loadsTyped(rec.checkpoint[0], decodeBytes(rec.checkpoint[1], rec.enc))) as Checkpoint,
      metadata: (await this.serde.loadsTyped(rec.metadata[0], decodeBytes(rec.metadata[1], rec.enc))) as CheckpointMetadata,
      pendingWrites,
    };
    if (rec.parent_checkpoint_id !== undefined) {
      tuple.parentConfig = {
        configurable: { thread_id: rec.thread_id, checkpoint_ns: rec.checkpoint_ns, checkpoint_id: rec.parent_checkpoint_id },
      };
    }
    return tuple;
  }
}
