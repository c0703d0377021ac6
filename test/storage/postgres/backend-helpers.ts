import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { PostgresStore } from "@langchain/langgraph-checkpoint-postgres/store";
import { createLogger } from "../../../src/logger.js";
import { openPostgresBackend, type PostgresBackend } from "../../../src/storage/postgres/backend.js";
import type { OfficialPostgres } from "../../../src/storage/postgres/index.js";
import type { RunRecord, ThreadRecord } from "../../../src/storage/types.js";

export const official = { PostgresSaver, PostgresStore } as unknown as OfficialPostgres;
export const logger = createLogger("silent");

/** One "process": its own pools and notification connection on the database at `url`. */
export async function openBackend(url: string, opened: Array<{ close(): Promise<void> }>, poolSize = 10): Promise<PostgresBackend> {
  const b = await openPostgresBackend({ url, official, logger, poolSize });
  opened.push(b);
  return b;
}

let clock = Date.parse("2025-01-01T00:00:00.000Z");
/** Increasing ISO times, one millisecond apart (records made in a loop get distinct, ordered timestamps). */
export const tick = (): string => new Date(clock++).toISOString();

export function thread(id: string, over: Partial<ThreadRecord> = {}): ThreadRecord {
  const t = tick();
  return { thread_id: id, created_at: t, updated_at: t, metadata: {}, status: "idle", config: {}, values: null, interrupts: {}, ...over };
}

export function run(id: string, threadId: string, over: Partial<RunRecord> = {}): RunRecord {
  const t = tick();
  return {
    run_id: id,
    thread_id: threadId,
    assistant_id: "a1",
    created_at: t,
    updated_at: t,
    status: "pending",
    metadata: {},
    kwargs: { config: { configurable: {} }, stream_mode: ["values"], stream_subgraphs: false, stream_resumable: false, temporary: false },
    multitask_strategy: "enqueue",
    ...over,
  };
}

export async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
