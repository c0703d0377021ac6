/**
 * A project with `http.mount_prefix` served by bin/lg-dev: the official SDK client works against the URL the
 * banner prints, the Studio and docs are under the prefix, nothing is outside it; the graph sees the headers
 * `http.configurable_headers` passes, and `http.disable_webhooks` runs the run without calling its webhook.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@langchain/langgraph-sdk";
import { describe, expect, it } from "vitest";
import { serveFixture } from "../helpers/serve-fixture.js";

describe("http.mount_prefix through the CLI", () => {
  const served = serveFixture("mount-prefix");

  it("the banner's URLs are under the prefix", () => {
    const url = served.server.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/my-api$/);
    const out = served.server.output();
    expect(out).toContain(`Studio: ${url}/studio/`);
    expect(out).toContain(`Docs:   ${url}/docs`);
    expect(out).toContain(`?baseUrl=${encodeURIComponent(url)}`);
    // "$schema" (the editor hint) is accepted without a warning.
    expect(out).not.toContain("unknown key");
  });

  it("the SDK client works against it: runs, streams, the run's location", async () => {
    const client = new Client({ apiUrl: served.server.url, defaultHeaders: { "my-tenant": "t1", "x-user-id": "u1", "x-hidden-flag": "no", authorization: "Bearer s" } });
    const [assistant] = await client.assistants.search({ graphId: "headers" });
    expect(assistant?.graph_id).toBe("headers");
    const thread = await client.threads.create();
    const result = (await client.runs.wait(thread.thread_id, "headers", { input: {} })) as { seen: Record<string, unknown> };
    expect(result.seen).toEqual({ tenant: "t1", user: "u1" });
    const events: string[] = [];
    let runId: string | undefined;
    let last: unknown;
    for await (const chunk of client.runs.stream(thread.thread_id, "headers", { input: {}, streamMode: "values" })) {
      events.push(chunk.event);
      if (chunk.event === "metadata") runId = (chunk.data as { run_id: string }).run_id;
      if (chunk.event === "values") last = chunk.data;
    }
    expect(events[0]).toBe("metadata");
    expect(last).toEqual({ seen: { tenant: "t1", user: "u1" } });
    const run = await client.runs.get(thread.thread_id, runId!);
    expect(run.status).toBe("success");
  });

  it("the Studio, docs and custom routes are under the prefix; nothing is outside it", async () => {
    const url = served.server.url;
    const origin = new URL(url).origin;
    const page = await fetch(`${url}/studio/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const script = /src="([^"]+\.js)"/.exec(html)?.[1];
    expect(script).toMatch(/^\/my-api\/studio\/assets\//);
    expect((await fetch(`${origin}${script}`)).status).toBe(200);
    expect(html).toContain('<meta name="lg-dev-mount-prefix" content="/my-api" />');
    expect((await fetch(`${url}/docs`)).status).toBe(200);
    expect(await (await fetch(`${url}/hello`)).json()).toEqual({ hello: "world", path: "/hello" });
    for (const path of ["/ok", "/hello", "/studio/", "/docs"]) expect((await fetch(`${origin}${path}`)).status, path).toBe(404);
  });

  it("http.disable_webhooks: the run completes and its webhook is not called", async () => {
    const hits: string[] = [];
    const receiver = createServer((req, res) => {
      hits.push(req.url ?? "");
      res.end("ok");
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    try {
      const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      const client = new Client({ apiUrl: served.server.url });
      const thread = await client.threads.create();
      await client.runs.wait(thread.thread_id, "headers", { input: {}, webhook: hook });
      const [run] = await client.runs.list(thread.thread_id);
      expect(run?.status).toBe("success");
      await new Promise((r) => setTimeout(r, 300));
      expect(hits).toEqual([]);
    } finally {
      await new Promise<void>((r) => receiver.close(() => r()));
    }
  });
});
