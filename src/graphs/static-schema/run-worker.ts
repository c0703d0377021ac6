/**
 * Running one extraction in a worker thread, bounded in time. The worker is ended as soon as it answers (or
 * when the time is up, or when the caller gives up): the compiler's memory goes with it.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ExtractionResult, StaticGraphTarget } from "./types.js";
import type { WorkerReply } from "./worker.js";

/** Options for {@link runExtractionWorker}. */
export interface RunWorkerOptions {
  timeoutMs: number;
  /** Aborting ends the worker and rejects. */
  signal?: AbortSignal;
}

/** Extract in a worker thread; rejects on failure, timeout or abort. */
export function runExtractionWorker(targets: StaticGraphTarget[], opts: RunWorkerOptions): Promise<ExtractionResult> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(targets);
    let settled = false;
    const finish = (err: Error | undefined, result?: ExtractionResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      void worker.terminate();
      if (err) reject(err);
      else resolve(result!);
    };
    const timer = setTimeout(() => finish(new Error(`timed out after ${opts.timeoutMs} ms`)), opts.timeoutMs);
    timer.unref();
    const onAbort = () => finish(new Error("cancelled"));
    opts.signal?.addEventListener("abort", onAbort);
    worker.on("message", (reply: WorkerReply) => (reply.ok ? finish(undefined, reply.result) : finish(new Error(reply.error))));
    worker.on("error", (err) => finish(err));
    worker.on("exit", (code) => finish(new Error(`the extraction worker exited (code ${code}) without an answer`)));
    // The server may exit while an extraction runs: the worker must not keep it alive.
    worker.unref();
  });
}

/** From dist/ the compiled worker; from src/ (tests) the TypeScript source through tsx. */
function startWorker(targets: StaticGraphTarget[]): Worker {
  const compiled = new URL("./worker.js", import.meta.url);
  const workerData = { targets };
  if (existsSync(fileURLToPath(compiled))) return new Worker(compiled, { workerData });
  const source = new URL("./worker.ts", import.meta.url).href;
  const tsx = import.meta.resolve("tsx/esm/api");
  const boot = `import(${JSON.stringify(tsx)}).then((api) => api.tsImport(${JSON.stringify(source)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(boot, { eval: true, workerData });
}
