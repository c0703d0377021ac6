/** Webhook delivery: payload, retries with backoff, give-up rules, path webhooks through the app. */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { WebhookSender, webhookPayload } from "../../src/runs/webhooks.js";
import type { RunRecord } from "../../src/storage/types.js";
import { makeTestApp } from "../helpers/app.js";

/** A receiver on 127.0.0.1, port 0, answering with the statuses given in turn (the last one repeats). */
async function receiver(statuses: number[] = [200]) {
  const hits: Array<{ headers: IncomingMessage["headers"]; body: Record<string, unknown>; at: number }> = [];
  const server: Server = createServer((req, res) => {
    let data = "";
    req.on("data", (c) => (data += c));
    req.on("end", () => {
      hits.push({ headers: req.headers, body: JSON.parse(data), at: Date.now() });
      res.statusCode = statuses[Math.min(hits.length - 1, statuses.length - 1)]!;
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, hits, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const run = (webhook: string): RunRecord => ({
  run_id: "11111111-1111-4111-8111-111111111111",
  thread_id: "22222222-2222-4222-8222-222222222222",
  assistant_id: "33333333-3333-4333-8333-333333333333",
  created_at: "2030-01-01T00:00:00.000Z",
  updated_at: "2030-01-01T00:00:01.000Z",
  status: "success",
  metadata: { a: 1 },
  kwargs: { config: { configurable: {} }, stream_mode: ["values"], stream_subgraphs: false, stream_resumable: false, temporary: false, webhook },
  multitask_strategy: "reject",
  not_before: "2030-01-01T00:00:00.000Z",
});

function collectingLogger() {
  const lines: string[] = [];
  const logger = createLogger("debug", { out: (s) => lines.push(s), err: (s) => lines.push(s) });
  return { logger, lines };
}

describe("webhookPayload", () => {
  it("is the run plus status, timings, values and the error message", () => {
    const p = webhookPayload(run("http://x"), {
      status: "error",
      values: { v: 1 },
      error: { error: "TypeError", message: "boom" },
      started_at: "2030-01-01T00:00:00.500Z",
      ended_at: "2030-01-01T00:00:01.000Z",
    });
    expect(p).toMatchObject({
      run_id: run("").run_id,
      thread_id: run("").thread_id,
      status: "error",
      run_started_at: "2030-01-01T00:00:00.500Z",
      run_ended_at: "2030-01-01T00:00:01.000Z",
      values: { v: 1 },
      error: "boom",
      metadata: { a: 1 },
    });
    expect(typeof p.webhook_sent_at).toBe("string");
    expect(p).not.toHaveProperty("not_before");
  });
});

describe("WebhookSender", () => {
  it("retries 5xx with growing delays and stops at the first success", async () => {
    const r = await receiver([500, 503, 200]);
    cleanups.push(r.close);
    const { logger } = collectingLogger();
    const sender = new WebhookSender({ logger, retries: 4, backoffMs: 40 });
    sender.onRunFinished(run(r.url), { status: "success", values: { ok: true } });
    await sender.idle();
    expect(r.hits).toHaveLength(3);
    expect(r.hits[0]!.headers["content-type"]).toBe("application/json");
    expect(r.hits[0]!.body).toMatchObject({ status: "success", values: { ok: true } });
    expect(r.hits[1]!.at - r.hits[0]!.at).toBeGreaterThanOrEqual(35);
    expect(r.hits[2]!.at - r.hits[1]!.at).toBeGreaterThanOrEqual(75);
  });

  it("gives up after the retries, logging once; never throws", async () => {
    const r = await receiver([500]);
    cleanups.push(r.close);
    const { logger, lines } = collectingLogger();
    const sender = new WebhookSender({ logger, retries: 2, backoffMs: 5 });
    sender.onRunFinished(run(r.url), { status: "success", values: null });
    await sender.idle();
    expect(r.hits).toHaveLength(3);
    expect(lines.filter((l) => l.includes("warn") && l.includes("failed: HTTP 500"))).toHaveLength(1);
  });

  it("does not retry a 4xx, and survives an unreachable receiver", async () => {
    const r = await receiver([404]);
    cleanups.push(r.close);
    const { logger, lines } = collectingLogger();
    const sender = new WebhookSender({ logger, retries: 3, backoffMs: 5 });
    sender.onRunFinished(run(r.url), { status: "success", values: null });
    const closed = await receiver();
    await closed.close();
    sender.onRunFinished(run(closed.url), { status: "success", values: null });
    await sender.idle();
    expect(r.hits).toHaveLength(1);
    expect(lines.some((l) => l.includes(closed.url) && l.includes("warn"))).toBe(true);
  });

  it("sends nothing when disabled or when the run has no webhook", async () => {
    const r = await receiver();
    cleanups.push(r.close);
    const off = new WebhookSender({ logger: createLogger("silent"), enabled: false });
    off.onRunFinished(run(r.url), { status: "success", values: null });
    const on = new WebhookSender({ logger: createLogger("silent") });
    on.onRunFinished({ ...run(""), kwargs: { ...run("").kwargs, webhook: undefined } }, { status: "success", values: null });
    await Promise.all([off.idle(), on.idle()]);
    expect(r.hits).toHaveLength(0);
  });

  it("stop() abandons pending retries", async () => {
    const r = await receiver([500]);
    cleanups.push(r.close);
    const sender = new WebhookSender({ logger: createLogger("silent"), retries: 5, backoffMs: 10_000 });
    sender.onRunFinished(run(r.url), { status: "success", values: null });
    while (r.hits.length === 0) await new Promise((res) => setTimeout(res, 5));
    const t0 = Date.now();
    await sender.stop();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(r.hits).toHaveLength(1);
  });
});

describe("webhooks of real runs", () => {
  it("a finished run posts its payload; a path webhook reaches the app's own routes", async () => {
    const r = await receiver();
    cleanups.push(r.close);
    const received: unknown[] = [];
    const t = await makeTestApp({
      webhooks: { backoffMs: 5 },
      deps: {
        http: {
          app: {
            kind: "fastify",
            source: "test",
            plugin: async (app: import("fastify").FastifyInstance) => {
              app.post("/hooks/done", async (req) => {
                received.push(req.body);
                return { ok: true };
              });
            },
          },
        },
      },
    });
    cleanups.push(t.close);
    const thread = (await t.app.inject({ method: "POST", url: "/threads", payload: {} })).json();
    const out = await t.app.inject({
      method: "POST",
      url: `/threads/${thread.thread_id}/runs/wait`,
      payload: { assistant_id: "echo", input: { messages: [{ role: "user", content: "hook" }] }, webhook: r.url },
    });
    expect(out.statusCode).toBe(200);
    await t.app.inject({ method: "POST", url: "/runs/wait", payload: { assistant_id: "echo", input: { messages: [] }, webhook: "/hooks/done" } });
    await t.services.webhooks.idle();
    expect(r.hits).toHaveLength(1);
    const body = r.hits[0]!.body as { status: string; thread_id: string; values: { messages: Array<{ type: string; content: string }> }; run_started_at: string; run_ended_at: string };
    expect(body.status).toBe("success");
    expect(body.thread_id).toBe(thread.thread_id);
    expect(body.values.messages.map((m) => [m.type, m.content])).toEqual([["human", "hook"], ["ai", "echo: hook"]]);
    expect(Date.parse(body.run_ended_at)).toBeGreaterThanOrEqual(Date.parse(body.run_started_at));
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ status: "success", assistant_id: expect.any(String) });
  });

  it("rejects a webhook that is neither a URL nor a path", async () => {
    const t = await makeTestApp();
    cleanups.push(t.close);
    const res = await t.app.inject({ method: "POST", url: "/runs", payload: { assistant_id: "echo", webhook: "ftp:/nope" } });
    expect(res.statusCode).toBe(422);
    expect(res.body).toMatch(/webhook/);
  });
});
