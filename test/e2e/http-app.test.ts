/** `http.app` (a Hono app) in front of the API over real HTTP, with the SDK client: streams, disconnects, auth. */
import { Client } from "@langchain/langgraph-sdk";
import { describe, expect, it } from "vitest";
import { serveFixture } from "../helpers/serve-fixture.js";

describe("http.app: a Hono project served by lg-dev", () => {
  const served = serveFixture("http-app");
  const headers = { authorization: "Bearer ok" };
  const client = () => new Client({ apiUrl: served.server.url, defaultHeaders: headers });
  const get = (path: string, init: RequestInit = {}) => fetch(`${served.server.url}${path}`, { ...init, headers: { ...headers, ...init.headers } });

  it("middleware, overrides and custom routes, authenticated", async () => {
    expect((await fetch(`${served.server.url}/custom/hello`)).status).toBe(401);
    const hello = await get("/custom/hello");
    expect(await hello.json()).toEqual({ hello: "world", user: "user-1" });
    expect(hello.headers.get("x-middleware")).toBe("seen");
    expect(await (await get("/info")).json()).toEqual({ overridden: true });
    expect(await (await get("/healthz")).json()).toEqual({ healthy: true });
    const blocked = await get("/threads/search", { method: "POST", body: "{}", headers: { "x-block": "yes" } });
    expect(blocked.status).toBe(401);
    expect(await blocked.text()).toBe("blocked by middleware");
    const nowhere = await get("/nowhere");
    expect(nowhere.status).toBe(404);
    expect(await nowhere.text()).toBe("Not Found: GET /nowhere");
    expect(nowhere.headers.get("x-middleware")).toBe("seen");
  });

  it("the SDK works through the middleware, which stamps what it creates", async () => {
    const c = client();
    const thread = await c.threads.create({ metadata: { mine: true } });
    expect(thread.metadata).toEqual({ mine: true, stamped_by: "middleware" });
    const result = (await c.runs.wait(thread.thread_id, "echo", { input: { messages: [{ role: "user", content: "hi" }] } })) as {
      messages: Array<{ content: string }>;
    };
    expect(result.messages.at(-1)?.content).toBe("echo: hi");
  });

  it("event streams arrive as they happen", async () => {
    const c = client();
    const thread = await c.threads.create();
    const seen: Array<{ event: string; at: number }> = [];
    const started = Date.now();
    for await (const e of c.runs.stream(thread.thread_id, "slow", { input: { ms: 150 }, streamMode: "values" })) {
      seen.push({ event: e.event, at: Date.now() - started });
    }
    expect(seen[0]!.event).toBe("metadata");
    const values = seen.filter((e) => e.event === "values");
    expect(values.length).toBe(4);
    // Not buffered until the end: the first state arrived well before the last.
    expect(values.at(-1)!.at - values[0]!.at).toBeGreaterThanOrEqual(300);
  });

  it("a silent event stream sends its headers at once", async () => {
    const thread = await client().threads.create();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 5000);
    const res = await get(`/threads/${thread.thread_id}/stream`, { signal: controller.signal });
    clearTimeout(timer);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(res.headers.get("x-middleware")).toBe("seen");
    controller.abort();
  });

  it("on_disconnect: cancel still cancels the run when the client goes away", async () => {
    const c = client();
    const thread = await c.threads.create();
    const controller = new AbortController();
    let runId = "";
    try {
      for await (const e of c.runs.stream(thread.thread_id, "slow", { input: { ms: 400 }, onDisconnect: "cancel", signal: controller.signal })) {
        if (e.event === "metadata") {
          runId = (e.data as { run_id: string }).run_id;
          controller.abort();
        }
      }
    } catch {
      // the abort ends the iteration with an AbortError
    }
    expect(runId).not.toBe("");
    await c.runs.join(thread.thread_id, runId);
    expect((await c.runs.get(thread.thread_id, runId)).status).toBe("interrupted");
  });
});
