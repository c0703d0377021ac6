/**
 * Worker thread entry: extract the schemas of the graphs in `workerData` and post the result (or the error)
 * back once. The TypeScript compiler is loaded here, never in the server's thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import { extractSchemas } from "./extract.js";
import type { ExtractionResult, StaticGraphTarget } from "./types.js";

/** What the worker posts back. */
export type WorkerReply = { ok: true; result: ExtractionResult } | { ok: false; error: string };

const targets = (workerData as { targets: StaticGraphTarget[] }).targets;
let reply: WorkerReply;
try {
  reply = { ok: true, result: extractSchemas(targets) };
} catch (err) {
  reply = { ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
}
parentPort!.postMessage(reply);
