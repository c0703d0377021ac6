/**
 * The worker thread that builds generative UI bundles (started by remote.ts), off the thread that serves requests:
 * esbuild's bundling and Tailwind over the stylesheets run here. It has an esbuild service of its own (one per
 * module instance), which the graph loader's idle stop (src/graphs/esbuild-service.ts) never touches.
 */
import { parentPort } from "node:worker_threads";
import { createUiBuilder, type UiBuilder, type UiBuilderOptions } from "./build.js";

/** A request from remote.ts. */
export type WorkerRequest =
  | { seq: number; type: "create"; id: number; options: UiBuilderOptions }
  | { seq: number; type: "build"; id: number }
  | { seq: number; type: "dispose"; id: number };

/** The answer to request `seq`. */
export type WorkerReply = { seq: number; ok: true; value?: unknown } | { seq: number; ok: false; error: string };

const port = parentPort;
if (port) {
  const builders = new Map<number, UiBuilder>();
  port.on("message", (request: WorkerRequest) => {
    void handle(request).then(
      ({ value, transfer }) => port.postMessage({ seq: request.seq, ok: true, value } satisfies WorkerReply, transfer),
      (err: unknown) => port.postMessage({ seq: request.seq, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies WorkerReply),
    );
  });

  async function handle(request: WorkerRequest): Promise<{ value?: unknown; transfer?: ArrayBuffer[] }> {
    if (request.type === "create") {
      builders.set(request.id, createUiBuilder(request.options));
      return {};
    }
    const builder = builders.get(request.id);
    if (!builder) throw new Error(`no UI builder ${request.id}`);
    if (request.type === "dispose") {
      builders.delete(request.id);
      await builder.dispose();
      return {};
    }
    const result = await builder.build();
    if (!result.ok) return { value: result };
    // Copies the main thread takes over (esbuild's may be views into a larger buffer).
    const files = result.files.map((f) => ({ basename: f.basename, contents: new Uint8Array(f.contents) }));
    return { value: { ...result, files }, transfer: files.map((f) => f.contents.buffer as ArrayBuffer) };
  }
}
