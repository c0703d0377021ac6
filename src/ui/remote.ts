/**
 * UI builders that run in a worker thread (worker.ts), behind the same {@link UiBuilder} interface: the worker is
 * started with the first builder and ended by `close()`.
 */
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { resolveUiEntry, type UiBuilder, type UiBuilderOptions, type UiBuildResult } from "./build.js";
import type { WorkerReply, WorkerRequest } from "./worker.js";

/** Makes builders in one worker thread. */
export interface RemoteBuilders {
  /** A builder of one entry; throws at once for an entry outside the project. */
  create(options: UiBuilderOptions): UiBuilder;
  /** End the worker (builders not disposed are dropped with it). */
  close(): Promise<void>;
}

type Request = WorkerRequest extends infer R ? (R extends unknown ? Omit<R, "seq"> : never) : never;

export function createRemoteBuilders(): RemoteBuilders {
  let worker: Worker | undefined;
  let seq = 0;
  let ids = 0;
  const waiting = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();

  const start = () => {
    const w = import.meta.url.endsWith(".ts")
      ? // Run from the TypeScript sources (the tests): tsx loads the worker.
        new Worker(
          `import("tsx/esm/api").then(({ tsImport }) => tsImport(${JSON.stringify(new URL("./worker.ts", import.meta.url).href)}, ${JSON.stringify(import.meta.url)}))`,
          { eval: true },
        )
      : new Worker(fileURLToPath(new URL("./worker.js", import.meta.url)));
    w.on("message", (reply: WorkerReply) => {
      const pending = waiting.get(reply.seq);
      if (!pending) return;
      waiting.delete(reply.seq);
      if (reply.ok) pending.resolve(reply.value);
      else pending.reject(new Error(reply.error));
      if (waiting.size === 0) w.unref();
    });
    // A worker that dies (it should not) fails what it was asked; the next request starts a new one.
    const fail = (err: Error) => {
      if (worker === w) worker = undefined;
      for (const pending of waiting.values()) pending.reject(err);
      waiting.clear();
    };
    w.on("error", fail);
    w.on("exit", (code) => fail(new Error(`the UI build worker stopped (exit code ${code})`)));
    w.unref();
    return w;
  };

  const ask = <T>(request: Request): Promise<T> => {
    worker ??= start();
    const w = worker;
    const n = ++seq;
    return new Promise<T>((resolve, reject) => {
      waiting.set(n, { resolve: resolve as (value: unknown) => void, reject });
      // Held while an answer is awaited; otherwise an idle worker does not keep the process alive.
      w.ref();
      w.postMessage({ ...request, seq: n });
    });
  };

  return {
    create(options) {
      const entry = resolveUiEntry(options.projectDir, options.path).file;
      const id = ++ids;
      const created = ask<void>({ type: "create", id, options });
      created.catch(() => undefined); // reported by build()
      return {
        name: options.name,
        entry,
        async build() {
          await created;
          return ask<UiBuildResult>({ type: "build", id });
        },
        async dispose() {
          await created.catch(() => undefined);
          await ask<void>({ type: "dispose", id }).catch(() => undefined);
        },
      };
    },
    async close() {
      const w = worker;
      worker = undefined;
      await w?.terminate();
    },
  };
}
