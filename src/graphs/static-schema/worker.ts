/**
 * Child process entry (run-worker.ts): receive the graphs to read, extract their schemas, send the result (or the
 * error) back once and exit. The TypeScript compiler is loaded here, never in the server's process.
 */
import os from "node:os";
import { extractSchemas } from "./extract.js";
import type { ExtractionResult, StaticGraphTarget } from "./types.js";

/** What the child sends back. */
export type WorkerReply = { ok: true; result: ExtractionResult } | { ok: false; error: string };

// A lower priority than the server's: requests and runs go first when the CPU is busy.
try {
  os.setPriority(10);
} catch {
  // Not allowed here: the extraction simply runs at the server's priority.
}

// The server went away (exit, crash, kill): nothing to answer to.
process.on("disconnect", () => process.exit(0));
process.once("message", (message: { targets: StaticGraphTarget[] }) => {
  let reply: WorkerReply;
  try {
    reply = { ok: true, result: extractSchemas(message.targets) };
  } catch (err) {
    reply = { ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  process.send!(reply, () => process.exit(0));
});
