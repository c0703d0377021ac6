import type { FastifyReply, FastifyRequest } from "fastify";
import { toWireJson } from "../wire.js";

/** One SSE frame. */
export function frame(event: string, data: unknown, id?: number | string): string {
  return `event: ${event}\ndata: ${toWireJson(data)}\n${id !== undefined ? `id: ${id}\n` : ""}\n`;
}

export interface SseOptions {
  /** Extra headers (Content-Location of the run). */
  headers?: Record<string, string>;
  /** Keep-alive comment interval, so proxies do not cut idle streams (default 15 s). */
  keepAliveMs?: number;
  /** Called once when the client goes away before the stream ended. */
  onDisconnect?: () => void;
}

/**
 * Write an async iterable of events as a text/event-stream, taking the response over from Fastify.
 * Returns when the source ends or the client disconnects. `signal` aborts when the client goes away.
 */
export async function sendSse(
  request: FastifyRequest,
  reply: FastifyReply,
  produce: (signal: AbortSignal) => AsyncIterable<{ event: string; data: unknown; id?: number | string }>,
  opts: SseOptions = {},
): Promise<void> {
  const controller = new AbortController();
  let finished = false;
  const raw = reply.raw;
  reply.hijack();
  const flush = () => request.server.flushJournal?.();
  flush(); // the run this stream announces must be durable before its first byte
  raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-store",
    Connection: "keep-alive",
    "X-Accel-Buffering": "no",
    ...opts.headers,
  });
  raw.flushHeaders?.();
  const onClose = () => {
    if (finished) return;
    controller.abort();
    opts.onDisconnect?.();
  };
  raw.on("close", onClose);
  const keepAlive = setInterval(() => raw.write(": heartbeat\n\n"), opts.keepAliveMs ?? 15_000);
  try {
    for await (const e of produce(controller.signal)) {
      if (controller.signal.aborted) break;
      flush();
      raw.write(frame(e.event, e.data, e.id));
    }
  } catch (err) {
    if (!controller.signal.aborted) {
      request.log.error(err);
      raw.write(frame("error", { error: "Error", message: "Internal Server Error" }));
    }
  } finally {
    finished = true;
    clearInterval(keepAlive);
    raw.off("close", onClose);
    raw.end();
  }
}
