/**
 * Worker thread entry: extract the schemas of the graphs in `workerData` and post the result (or the error)
 * back once. The TypeScript compiler is loaded here, never in the server's thread.
 */
import os from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { extractSchemas } from "./extract.js";
import type { ExtractionResult, StaticGraphTarget } from "./types.js";

/** What the worker posts back. */
export type WorkerReply = { ok: true; result: ExtractionResult } | { ok: false; error: string };

// On Linux a nice value belongs to a thread: lowering this one's lets the server's own threads (requests, runs)
// go first when the CPU is busy. Elsewhere it would renice the whole process, so it is left alone.
if (process.platform === "linux") {
  try {
    os.setPriority(10);
  } catch {
    // Not allowed here: the extraction simply runs at the server's priority.
  }
}

const targets = (workerData as { targets: StaticGraphTarget[] }).targets;
let reply: WorkerReply;
try {
  reply = { ok: true, result: extractSchemas(targets) };
} catch (err) {
  reply = { ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
}
parentPort!.postMessage(reply);
