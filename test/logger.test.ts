import { describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.js";

function capture(format: "text" | "json", level: "info" | "debug" = "info") {
  const out: string[] = [];
  const err: string[] = [];
  const logger = createLogger(level, { out: (s) => out.push(s), err: (s) => err.push(s) }, format);
  return { logger, out, err };
}

describe("logger", () => {
  it("json: one object per line with time, level, msg and fields; errors and warnings on stderr", () => {
    const { logger, out, err } = capture("json");
    logger.info("ready", { url: "http://x", port: 8000 });
    logger.debug("hidden at info");
    logger.warn("careful");
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    logger.error("boom", new TypeError("bad thing"), { run_id: "r1" });
    logger.info("cyclic", { cycle });
    expect(out).toHaveLength(2);
    expect(err).toHaveLength(2);
    for (const line of [...out, ...err]) expect(line.endsWith("\n") && line.indexOf("\n") === line.length - 1).toBe(true);
    const ready = JSON.parse(out[0]!);
    expect(ready).toEqual({ time: expect.any(String), level: "info", msg: "ready", url: "http://x", port: 8000 });
    expect(new Date(ready.time).toISOString()).toBe(ready.time);
    expect(JSON.parse(err[0]!)).toMatchObject({ level: "warn", msg: "careful" });
    expect(JSON.parse(err[1]!)).toMatchObject({ level: "error", msg: "boom", run_id: "r1", err: { type: "TypeError", message: "bad thing", stack: expect.stringContaining("bad thing") } });
    expect(JSON.parse(out[1]!)).toMatchObject({ level: "info", msg: "cyclic", fields: "(not serialisable)" });
  });

  it("text: the terminal format, fields as key=value", () => {
    const { logger, out, err } = capture("text", "debug");
    logger.info("ready", { url: "http://x", n: 2 });
    logger.debug("detail");
    logger.warn("careful");
    expect(out[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} info {2}ready url=http:\/\/x n=2\n$/);
    expect(out[1]).toMatch(/ debug detail\n$/);
    expect(err[0]).toMatch(/ warn {2}careful\n$/);
  });
});
