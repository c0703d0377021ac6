/** `--server-log-level`: the HTTP server's own log, a line per request at info and debug, nothing below. */
import { afterEach, describe, expect, it } from "vitest";
import { createLogger, type LogLevel } from "../../src/logger.js";
import { makeTestApp } from "../helpers/app.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function appLogging(level: LogLevel) {
  const lines: string[] = [];
  const serverLogger = createLogger(level, { out: (s) => lines.push(s), err: (s) => lines.push(s) });
  const t = await makeTestApp({ deps: { serverLogger } });
  cleanups.push(t.close);
  return { ...t, lines };
}

describe("the server log", () => {
  it("at info: one line per request with method, path (no query), status and time", async () => {
    const t = await appLogging("info");
    await t.app.inject({ method: "POST", url: "/threads", payload: {} });
    await t.app.inject({ method: "GET", url: "/threads/00000000-0000-4000-8000-000000000000?token=secret" });
    expect(t.lines).toHaveLength(2);
    expect(t.lines[0]).toMatch(/ info  POST \/threads 200 \d+\.\d ms\n$/);
    expect(t.lines[1]).toMatch(/ info  GET \/threads\/00000000-0000-4000-8000-000000000000 404 \d+\.\d ms\n$/);
    expect(t.lines.join("")).not.toContain("secret");
  });

  it.each(["warn", "error", "silent"] as const)("at %s: no request lines", async (level) => {
    const t = await appLogging(level);
    await t.app.inject({ method: "POST", url: "/threads", payload: {} });
    expect(t.lines).toEqual([]);
  });
});
