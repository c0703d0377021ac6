/**
 * Running one extraction in a child process, bounded in time. The TypeScript compiler needs a few hundred MB while
 * it works; in a process of its own that memory goes back to the system the moment it answers (a worker thread's
 * heap, once freed, mostly stayed in the server's resident memory). The child is ended as soon as it answers, when
 * the time is up, or when the caller gives up; it also ends by itself when the server goes away.
 */
import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ExtractionResult, StaticGraphTarget } from "./types.js";
import type { WorkerReply } from "./worker.js";

/** Options for {@link runExtractionWorker}. */
export interface RunWorkerOptions {
  timeoutMs: number;
  /** Aborting ends the child and rejects. */
  signal?: AbortSignal;
}

/** Extract in a child process; rejects on failure, timeout or abort. */
export function runExtractionWorker(targets: StaticGraphTarget[], opts: RunWorkerOptions): Promise<ExtractionResult> {
  return new Promise((resolve, reject) => {
    const child = startChild();
    let settled = false;
    const finish = (err: Error | undefined, result?: ExtractionResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      if (err) reject(err);
      else resolve(result!);
    };
    const timer = setTimeout(() => finish(new Error(`timed out after ${opts.timeoutMs} ms`)), opts.timeoutMs);
    timer.unref();
    const onAbort = () => finish(new Error("cancelled"));
    opts.signal?.addEventListener("abort", onAbort);
    child.on("message", (reply: WorkerReply) => (reply.ok ? finish(undefined, reply.result) : finish(new Error(reply.error))));
    child.on("error", (err) => finish(err));
    child.on("exit", (code, signal) => finish(new Error(`the extraction process exited (${signal ?? `code ${code}`}) without an answer`)));
    child.send({ targets });
    // The server may exit while an extraction runs: the child must not keep it alive.
    child.unref();
    child.channel?.unref();
  });
}

/** From dist/ the compiled entry; from src/ (tests) the TypeScript source through tsx. */
function startChild(): ChildProcess {
  const compiled = fileURLToPath(new URL("./worker.js", import.meta.url));
  const common = { serialization: "advanced" as const, stdio: ["ignore", "ignore", "inherit", "ipc"] as ["ignore", "ignore", "inherit", "ipc"] };
  if (existsSync(compiled)) return fork(compiled, [], { ...common, execArgv: [] });
  const source = fileURLToPath(new URL("./worker.ts", import.meta.url));
  return fork(source, [], { ...common, execArgv: ["--import", import.meta.resolve("tsx")] });
}
