/** Idle event streams get a keep-alive comment (interval from AppDeps.sseKeepAliveMs) so proxies do not cut them. */
import { afterEach, expect, it } from "vitest";
import { makeTestApp } from "../helpers/app.js";

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

it("a stream that waits on a slow node carries heartbeat comments between its events", async () => {
  const t = await makeTestApp({ deps: { sseKeepAliveMs: 50 } });
  close = t.close;
  const res = await t.app.inject({ method: "POST", url: "/runs/stream", payload: { assistant_id: "slow", input: { ms: 300 }, stream_mode: "values" } });
  expect(res.statusCode).toBe(200);
  const heartbeats = res.body.split("\n").filter((l) => l === ": heartbeat").length;
  expect(heartbeats).toBeGreaterThanOrEqual(4);
  // Comments sit between frames, never inside one.
  const frames = res.body.split("\n\n").filter((f) => f.startsWith("event:"));
  expect(frames.map((f) => f.split("\n")[0])).toEqual(["event: metadata", "event: values", "event: values", "event: values"]);
});
