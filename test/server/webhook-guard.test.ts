/**
 * The webhook URL policy at run creation: every route that takes a `webhook` refuses one the policy refuses with a
 * 422 naming the rule, before anything is created; allowed webhooks are delivered with the configured headers.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { Auth, HTTPException } from "@langchain/langgraph-sdk/auth";
import { afterEach, describe, expect, it } from "vitest";
import { createAuthService } from "../../src/auth/index.js";
import { resolveWebhookConfig } from "../../src/runs/webhook-config.js";
import type { Resolver } from "../../src/runs/webhook-policy.js";
import { makeTestApp } from "../helpers/app.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** No DNS query leaves the machine: names resolve from this table. */
const dns: Resolver = async (host) => {
  const table: Record<string, string> = { "hooks.example.com": "93.184.216.34", "intranet.example": "10.0.0.7", "receiver.test": "127.0.0.1" };
  if (!table[host]) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
  return [{ address: table[host]!, family: 4 }];
};

async function app(webhooks: unknown, env: NodeJS.ProcessEnv = {}, extra: Parameters<typeof makeTestApp>[0] = {}) {
  const t = await makeTestApp({ ...extra, webhooks: { backoffMs: 5, config: resolveWebhookConfig(webhooks, env), resolver: dns } });
  cleanups.push(t.close);
  return t;
}

describe("webhook policy at run creation", () => {
  it("refuses each rule with a 422 naming it, and creates nothing", async () => {
    const t = await app({ url: { require_https: true, allowed_domains: ["hooks.example.com", "intranet.example"], allowed_ports: [443] } });
    const thread = (await t.app.inject({ method: "POST", url: "/threads", payload: {} })).json();
    const cases: Array<[string, RegExp]> = [
      ["http://hooks.example.com/x", /Webhook must use https \(webhooks\.url\.require_https\)/],
      ["https://hooks.example.com:8443/x", /Webhook port 8443 not allowed/],
      ["https://other.example.com/x", /Webhook domain not allowed: "other\.example\.com"/],
      ["/hooks/done", /Loopback webhooks are disabled/],
    ];
    for (const [webhook, message] of cases) {
      for (const url of [`/threads/${thread.thread_id}/runs`, `/threads/${thread.thread_id}/runs/wait`, `/threads/${thread.thread_id}/runs/stream`, "/runs", "/runs/wait", "/runs/stream"]) {
        const res = await t.app.inject({ method: "POST", url, payload: { assistant_id: "echo", input: { messages: [] }, webhook } });
        expect(res.statusCode, `${url} ${webhook}`).toBe(422);
        expect(res.body).toMatch(message);
      }
    }
    const runs = (await t.app.inject({ method: "GET", url: `/threads/${thread.thread_id}/runs` })).json();
    expect(runs).toEqual([]);
    expect(t.storage.runs.size).toBe(0);
  });

  it("refuses a host whose address is private, and accepts it once allowed", async () => {
    const strict = await app({});
    const res = await strict.app.inject({ method: "POST", url: "/runs", payload: { assistant_id: "echo", webhook: "https://intranet.example/hook" } });
    expect(res.statusCode).toBe(422);
    expect(res.body).toMatch(/"intranet\.example" resolves to 10\.0\.0\.7, which is a private address/);
    const lax = await app({ url: { disable_private_ips: false } });
    const ok = await lax.app.inject({ method: "POST", url: "/runs", payload: { assistant_id: "echo", webhook: "https://intranet.example/hook" } });
    expect(ok.statusCode).toBe(200);
  });

  it("checks every item of a batch, and crons when created or updated", async () => {
    const t = await app({});
    const batch = await t.app.inject({
      method: "POST",
      url: "/runs/batch",
      payload: [{ assistant_id: "echo", webhook: "https://hooks.example.com/ok" }, { assistant_id: "echo", webhook: "http://127.0.0.1:9/x" }],
    });
    expect(batch.statusCode).toBe(422);
    expect(batch.body).toMatch(/"127\.0\.0\.1" is a loopback address/);
    expect(t.storage.runs.size).toBe(0);

    const cron = await t.app.inject({ method: "POST", url: "/runs/crons", payload: { assistant_id: "echo", schedule: "0 0 * * *", webhook: "http://localhost/x" } });
    expect(cron.statusCode).toBe(422);
    const good = await t.app.inject({ method: "POST", url: "/runs/crons", payload: { assistant_id: "echo", schedule: "0 0 * * *", webhook: "https://hooks.example.com/x" } });
    expect(good.statusCode).toBe(200);
    const patch = await t.app.inject({ method: "PATCH", url: `/runs/crons/${good.json().cron_id}`, payload: { webhook: "http://169.254.169.254/" } });
    expect(patch.statusCode).toBe(422);
    expect(patch.body).toMatch(/link-local or cloud metadata address \(never allowed\)/);
  });

  it("authenticates first: an unauthenticated request is a 401, not a policy answer", async () => {
    const auth = new Auth().authenticate(async (request: Request) => {
      if (request.headers.get("authorization") !== "Bearer ok") throw new HTTPException(401, { message: "no" });
      return "u";
    });
    const t = await app({}, {}, { auth: createAuthService({ module: { file: "/t/auth.ts", exportName: "auth", auth: auth as never } }) });
    const res = await t.app.inject({ method: "POST", url: "/runs", payload: { assistant_id: "echo", webhook: "http://127.0.0.1/x" } });
    expect(res.statusCode).toBe(401);
  });

  it("delivers an allowed webhook to a local receiver with the templated headers", async () => {
    const hits: Array<{ headers: IncomingMessage["headers"]; body: string }> = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => (hits.push({ headers: req.headers, body }), res.end()));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise((r) => server.close(() => r())));
    const port = (server.address() as AddressInfo).port;
    const t = await app(
      { url: { disable_loopback: false, allowed_ports: [port] }, headers: { Authorization: "Bearer ${{ env.LG_WEBHOOK_SECRET }}" } },
      { LG_WEBHOOK_SECRET: "hush" },
    );
    const res = await t.app.inject({ method: "POST", url: "/runs/wait", payload: { assistant_id: "echo", input: { messages: [{ role: "user", content: "hi" }] }, webhook: `http://receiver.test:${port}/done` } });
    expect(res.statusCode).toBe(200);
    await t.services.webhooks.idle();
    expect(hits).toHaveLength(1);
    expect(hits[0]!.headers.authorization).toBe("Bearer hush");
    expect(JSON.parse(hits[0]!.body)).toMatchObject({ status: "success" });
  });
});
