/**
 * `webhooks` in a langgraph.json written as for Python's `langgraph dev`: through the SDK Client, a run's webhook
 * reaches a local receiver (loopback allowed explicitly) with a header templated from an LG_WEBHOOK_ variable, and
 * a webhook the policy refuses is a 422 naming the rule. Only 127.0.0.1 is ever sent to.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@langchain/langgraph-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFixture, runLgDev, startServer, type RunningServer } from "../helpers/spawn.js";

const fx = copyFixture("echo");
const hits: Array<{ url: string; headers: IncomingMessage["headers"]; body: Record<string, unknown> }> = [];
const receiver = createServer((req, res) => {
  let data = "";
  req.on("data", (c) => (data += c));
  req.on("end", () => {
    hits.push({ url: req.url ?? "", headers: req.headers, body: JSON.parse(data) });
    res.end("ok");
  });
});
let server: RunningServer;
let port: number;

beforeAll(async () => {
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  port = (receiver.address() as AddressInfo).port;
  const config = JSON.parse(readFileSync(join(fx.dir, "langgraph.json"), "utf8"));
  config.env = { ...config.env, LG_WEBHOOK_TOKEN: "t0ken" };
  config.webhooks = {
    headers: { Authorization: "Bearer ${{ env.LG_WEBHOOK_TOKEN }}", "X-Source": "lg-dev" },
    url: { disable_loopback: false, allowed_ports: [port] },
  };
  writeFileSync(join(fx.dir, "langgraph.json"), JSON.stringify(config));
  server = await startServer(fx.dir, { args: ["--no-reload", "--no-persist"] });
}, 30_000);

afterAll(async () => {
  await server?.stop();
  await new Promise<void>((r) => receiver.close(() => r()));
  fx.cleanup();
});

describe("webhooks from langgraph.json", () => {
  it("delivers to an allowed receiver with the templated headers", async () => {
    const client = new Client({ apiUrl: server.url });
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, "echo", { input: { messages: [{ role: "user", content: "hook me" }] }, webhook: `http://127.0.0.1:${port}/done` });
    const until = Date.now() + 10_000;
    while (hits.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    expect(hits).toHaveLength(1);
    expect(hits[0]!.url).toBe("/done");
    expect(hits[0]!.headers.authorization).toBe("Bearer t0ken");
    expect(hits[0]!.headers["x-source"]).toBe("lg-dev");
    expect(hits[0]!.body).toMatchObject({ status: "success", thread_id: thread.thread_id });
  });

  it("refuses, at run creation, webhooks the policy does not allow", async () => {
    const client = new Client({ apiUrl: server.url });
    const refused = async (webhook: string) => {
      try {
        await client.runs.create(null, "echo", { input: { messages: [] }, webhook });
      } catch (err) {
        return err as { status?: number; message: string };
      }
      throw new Error(`${webhook} was accepted`);
    };
    const privateNet = await refused(`http://10.0.0.1:${port}/x`);
    expect(privateNet.status).toBe(422);
    expect(privateNet.message).toMatch(/Webhook host blocked: "10\.0\.0\.1" is a private address/);
    const otherPort = await refused(`http://127.0.0.1:${port + 1 === 65536 ? 1 : port + 1}/x`);
    expect(otherPort.message).toMatch(/Webhook port \d+ not allowed \(webhooks\.url\.allowed_ports/);
  });

  it("a header template reading a variable without the prefix stops start-up with one clear line", async () => {
    const bad = copyFixture("echo");
    try {
      const config = JSON.parse(readFileSync(join(bad.dir, "langgraph.json"), "utf8"));
      config.webhooks = { headers: { Authorization: "Bearer ${{ env.OPENAI_API_KEY }}" } };
      writeFileSync(join(bad.dir, "langgraph.json"), JSON.stringify(config));
      const run = await runLgDev(["--config", bad.dir, "--port", "0", "--no-browser", "--no-persist"], { cwd: bad.dir, env: { OPENAI_API_KEY: "sk-secret" } });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/lg-dev: webhooks\.headers\.Authorization in langgraph\.json reads env\.OPENAI_API_KEY, which does not start with webhooks\.env_prefix "LG_WEBHOOK_"/);
      expect(run.stderr + run.stdout).not.toContain("sk-secret");
    } finally {
      bad.cleanup();
    }
  });
});
