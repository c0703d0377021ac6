/**
 * langgraph.json `http.configurable_headers` and `http.logging_headers`: which request headers a run's graph sees in
 * `config.configurable`, and which the request log shows (the Python server's `*`-pattern language, excludes win,
 * credentials only when named exactly).
 */
import { Annotation, StateGraph } from "@langchain/langgraph";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import type { HttpOptions } from "../../src/server/deps.js";
import { configurableHeaderFilter, headerFilter, loggingHeaderFilter } from "../../src/server/header-patterns.js";
import { makeTestApp } from "../helpers/app.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A graph whose one node answers with the string-valued entries of `config.configurable` it was given. */
function seesConfigurable() {
  const State = Annotation.Root({ seen: Annotation<Record<string, string>> });
  return new StateGraph(State)
    .addNode("look", (_s, config) => {
      const seen: Record<string, string> = {};
      for (const [k, v] of Object.entries(config.configurable ?? {})) if (typeof v === "string" && !k.startsWith("__") && !k.startsWith("thread_id") && !k.startsWith("checkpoint")) seen[k] = v;
      return { seen };
    })
    .addEdge("__start__", "look");
}

const HEADERS = {
  "x-user-id": "u1",
  "X-Organization-Id": "org1",
  "my-prefix-region": "eu",
  "x-internal-debug": "on",
  "user-agent": "test-agent/1",
  authorization: "Bearer secret-token",
  cookie: "session=secret-cookie",
  "x-api-key": "secret-key",
  accept: "application/json",
};

async function seenBy(http: HttpOptions, path: "/runs/wait" | "thread" = "/runs/wait") {
  const t = await makeTestApp({ graphs: { look: seesConfigurable() }, deps: { http } });
  cleanups.push(t.close);
  let url = "/runs/wait";
  if (path === "thread") {
    const thread = (await t.inject({ method: "POST", url: "/threads", payload: {} })).json() as { thread_id: string };
    url = `/threads/${thread.thread_id}/runs/wait`;
  }
  const res = await t.inject({ method: "POST", url, headers: HEADERS, payload: { assistant_id: "look", input: {} } });
  expect(res.statusCode).toBe(200);
  return (res.json() as { seen: Record<string, string> }).seen;
}

describe("http.configurable_headers", () => {
  it("without it: user-agent and x-* headers, never credentials (as the official servers)", async () => {
    const seen = await seenBy({});
    expect(seen).toMatchObject({ "x-user-id": "u1", "x-organization-id": "org1", "x-internal-debug": "on", "user-agent": "test-agent/1" });
    for (const hidden of ["authorization", "cookie", "x-api-key", "accept", "my-prefix-region"]) expect(seen).not.toHaveProperty(hidden);
  });

  it("includes add headers by pattern, case-insensitively; excludes win over includes and the defaults", async () => {
    const seen = await seenBy(
      { configurable_headers: { includes: ["MY-PREFIX-*", "x-organization-id"], excludes: ["x-internal-*", "my-prefix-region", "user-agent"] } },
      "thread",
    );
    expect(seen).toMatchObject({ "x-user-id": "u1", "x-organization-id": "org1" });
    expect(seen).not.toHaveProperty("my-prefix-region");
    expect(seen).not.toHaveProperty("x-internal-debug");
    expect(seen).not.toHaveProperty("user-agent");
  });

  it('the docs\' spelling {include, exclude} works too; exclude ["*"] opts out of every header', async () => {
    expect(await seenBy({ configurable_headers: { include: ["my-prefix-*"] } })).toMatchObject({ "my-prefix-region": "eu", "x-user-id": "u1" });
    const none = await seenBy({ configurable_headers: { exclude: ["*"] } });
    for (const name of Object.keys(HEADERS)) expect(none).not.toHaveProperty(name.toLowerCase());
  });

  it("credentials pass only when an include names them exactly, never through a wildcard", async () => {
    const wild = await seenBy({ configurable_headers: { includes: ["*"] } });
    expect(wild).toMatchObject({ accept: "application/json", "my-prefix-region": "eu" });
    for (const secret of ["authorization", "cookie", "x-api-key"]) expect(wild).not.toHaveProperty(secret);
    const named = await seenBy({ configurable_headers: { includes: ["Authorization"] } });
    expect(named.authorization).toBe("Bearer secret-token");
    expect(named).not.toHaveProperty("cookie");
  });
});

describe("header patterns", () => {
  it("only * is special: other regex characters match themselves", () => {
    const f = headerFilter({ includes: ["x-a.b", "x-(c)+", "x-*-id"] });
    expect(f("x-a.b")).toBe(true);
    expect(f("x-aXb")).toBe(false);
    expect(f("x-(c)+")).toBe(true);
    expect(f("x-cc")).toBe(false);
    expect(f("x-user-id")).toBe(true);
    expect(f("x-user-idx")).toBe(false);
  });

  it("logging: nothing by default; the run defaults do not apply", () => {
    expect(loggingHeaderFilter(undefined)("x-request-id")).toBe(false);
    expect(configurableHeaderFilter(undefined)("x-request-id")).toBe(true);
    expect(configurableHeaderFilter(undefined)("x-service-key")).toBe(false);
  });
});

describe("http.logging_headers", () => {
  async function logged(http: HttpOptions, format: "text" | "json" = "text") {
    const lines: string[] = [];
    const serverLogger = createLogger("info", { out: (s) => lines.push(s), err: (s) => lines.push(s) }, format);
    const t = await makeTestApp({ deps: { http, serverLogger } });
    cleanups.push(t.close);
    await t.inject({ method: "POST", url: "/threads", headers: HEADERS, payload: {} });
    expect(lines).toHaveLength(1);
    return lines[0]!;
  }

  it("without it: no header reaches the log", async () => {
    const line = await logged({});
    expect(line).toMatch(/POST \/threads 200 \d+\.\d ms\n$/);
    for (const value of Object.values(HEADERS)) expect(line).not.toContain(value);
  });

  it("the included headers are a field of the line (text and JSON); credentials only when named", async () => {
    const text = await logged({ logging_headers: { includes: ["x-*", "user-agent", "*"], excludes: ["x-internal-*"] } });
    const shown = JSON.parse(/ headers=(\{.*\})\n$/.exec(text)![1]!) as Record<string, string>;
    expect(shown).toMatchObject({ "x-user-id": "u1", "x-organization-id": "org1", "my-prefix-region": "eu", "user-agent": "test-agent/1", accept: "application/json" });
    for (const secret of ["secret-token", "secret-cookie", "secret-key", "x-internal-debug"]) expect(text).not.toContain(secret);

    const json = JSON.parse(await logged({ logging_headers: { include: ["x-user-id", "authorization"] } }, "json")) as { msg: string; headers: unknown };
    expect(json.msg).toMatch(/^POST \/threads 200 /);
    expect(json.headers).toEqual({ "x-user-id": "u1", authorization: "Bearer secret-token" });
  });
});
