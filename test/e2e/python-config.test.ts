/**
 * A langgraph.json written for Python's `langgraph dev`, with the keys it documents (auth with cache, store.index and
 * store.ttl, checkpointer.ttl, http's mount_prefix / disable_ui / configurable_headers / logging_headers / cors,
 * webhooks' URL policy and templated headers, and the Python-only image keys), served by bin/lg-dev and used through
 * the official SDK client as the custom-auth tutorial does: every key has the effect the Python server documents,
 * and only the keys that describe a Python image are reported as ignored.
 */
import { Client } from "@langchain/langgraph-sdk";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { copyFixture, startServer, type RunningServer } from "../helpers/spawn.js";

const letters = (text: string) => {
  const v = new Array<number>(26).fill(0);
  for (const ch of text.toLowerCase()) if (ch >= "a" && ch <= "z") v[ch.charCodeAt(0) - 97] += 1;
  return v;
};
const cosine = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0) / (Math.hypot(...a) * Math.hypot(...b));

describe("a langgraph.json written for Python's langgraph dev", () => {
  let fixture: { dir: string; cleanup(): void };
  let server: RunningServer;
  let origin: string;
  const as = (token: string, headers: Record<string, string> = {}) =>
    new Client({ apiUrl: server.url, defaultHeaders: { authorization: `Bearer ${token}`, ...headers } });

  beforeAll(async () => {
    fixture = copyFixture("python-config");
    server = await startServer(fixture.dir, { args: ["--no-reload", "--server-log-level", "info"] });
    origin = new URL(server.url).origin;
  });
  afterAll(async () => {
    await server?.stop();
    fixture?.cleanup();
  });

  test("starts; only the keys that describe a Python image are reported as ignored", () => {
    expect(server.url).toBe(`${origin}/api`);
    const warnings = server
      .output()
      .split("\n")
      .filter((line) => / warn /.test(line) && line.includes("langgraph.json"));
    expect(warnings.map((w) => /"([a-z_.]+)"/.exec(w)?.[1]).sort()).toEqual(["dockerfile_lines", "pip_config_file", "python_version"]);
    for (const w of warnings) expect(w).toMatch(/is not used by lg-dev; ignored/);
  });

  test("auth: no token is a 401 under the mount prefix; nothing is served outside it", async () => {
    const refused = await fetch(`${server.url}/threads`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(refused.status).toBe(401);
    expect(await refused.text()).toBe("Invalid token");
    const outside = await fetch(`${origin}/threads`, { method: "POST", headers: { authorization: "Bearer user1-token" }, body: "{}" });
    expect(outside.status).toBe(404);
  });

  test("threads get checkpointer.ttl's default; runs see the configurable headers the patterns select", async () => {
    const user1 = as("user1-token", { "x-tenant-name": "acme", "x-tenant-secret": "hidden", "x-trace": "t-1" });
    const thread = await user1.threads.create();
    expect(thread.metadata).toMatchObject({ owner: "user1" });
    const ttl = (thread as unknown as { ttl: { strategy: string; ttl_minutes: number; expires_at: string } }).ttl;
    expect(ttl).toEqual({ strategy: "delete", ttl_minutes: 43200, expires_at: new Date(Date.parse(thread.updated_at) + 43200 * 60_000).toISOString() });

    const state = (await user1.runs.wait(thread.thread_id, "agent", { input: { messages: [{ role: "human", content: "apple pie" }] } })) as {
      messages: Array<{ content: string }>;
      headers: Record<string, unknown>;
    };
    expect(state.messages.map((m) => m.content)).toEqual(["apple pie", "echo: apple pie"]);
    // includes "x-tenant-*" and "x-trace", excludes "x-tenant-secret"; credentials never match a pattern.
    expect(state.headers).toEqual({ tenant: "acme", trace: "t-1" });

    // Private conversations: user 2 does not see user 1's thread.
    await expect(as("user2-token").threads.get(thread.thread_id)).rejects.toMatchObject({ status: 404 });
  });

  test("store.index: what the graph remembered is ranked by similarity, with scores; another user's memories are refused", async () => {
    const user1 = as("user1-token");
    const thread = await user1.threads.create();
    for (const text of ["banana bread", "zzz buzz"]) {
      await user1.runs.wait(thread.thread_id, "agent", { input: { messages: [{ role: "human", content: text }] } });
    }
    const { items } = await user1.store.searchItems(["memories", "user1"], { query: "banana" });
    expect(items.map((i) => i.value.text)).toEqual(["banana bread", "apple pie", "zzz buzz"]);
    for (const item of items) expect(item.score).toBeCloseTo(cosine(letters("banana"), letters(item.value.text as string)), 10);
    await expect(as("user2-token").store.searchItems(["memories", "user1"], { query: "banana" })).rejects.toMatchObject({ status: 403 });
  });

  test("http.disable_ui: no /ui routes; http.cors: only the listed origin is allowed", async () => {
    const ui = await fetch(`${server.url}/ui/agent`, {
      method: "POST",
      headers: { authorization: "Bearer user1-token", "content-type": "application/json" },
      body: JSON.stringify({ name: "x" }),
    });
    expect(ui.status).toBe(404);

    const preflight = (from: string) =>
      fetch(`${server.url}/threads/search`, {
        method: "OPTIONS",
        headers: { origin: from, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" },
      });
    const allowed = await preflight("https://app.example.com");
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(allowed.headers.get("access-control-allow-credentials")).toBe("true");
    const other = await preflight("https://evil.example.net");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("webhooks.url: a run whose webhook breaks the policy is refused at creation with the rule named", async () => {
    const user1 = as("user1-token");
    const thread = await user1.threads.create();
    await expect(
      user1.runs.create(thread.thread_id, "agent", { input: { messages: [] }, webhook: "http://hooks.example.com/done" }),
    ).rejects.toMatchObject({ status: 422, message: expect.stringContaining("webhooks.url.require_https") });
    await expect(
      user1.runs.create(thread.thread_id, "agent", { input: { messages: [] }, webhook: "https://elsewhere.example.com/done" }),
    ).rejects.toMatchObject({ status: 422, message: expect.stringContaining("webhooks.url.allowed_domains") });
  });

  test("http.logging_headers: the request log shows the included header and never the token", () => {
    const logged = server.output().split("\n").filter((line) => line.includes("/api/threads"));
    expect(logged.some((line) => line.includes("x-trace") && line.includes("t-1"))).toBe(true);
    expect(server.output()).not.toContain("user1-token");
  });
});
