import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../../src/logger.js";
import { BusPayloadTooLargeError, channelOf, openDatabase, startNotifyBus, type BusMessage, type Database, type NotifyBus } from "../../../src/storage/postgres/index.js";
import { usePostgres } from "../../helpers/postgres.js";

const pg = usePostgres();
const logged: string[] = [];
const logger = createLogger("info", { out: (s) => logged.push(s), err: (s) => logged.push(s) });
const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const x of opened.splice(0).reverse()) await x.close();
  logged.length = 0;
});

/** One "process": its own pool and its own bus, as two lg-dev processes on one database have. */
async function node(name: string, schema?: string): Promise<{ db: Database; bus: NotifyBus }> {
  const db = await openDatabase({ url: pg.url, schema, logger, applicationName: name });
  opened.push(db);
  const bus = await startNotifyBus(db, { logger, minDelayMs: 50, maxDelayMs: 200 });
  opened.push(bus);
  return { db, bus };
}

function collect(bus: NotifyBus, topic: Parameters<NotifyBus["subscribe"]>[0], id?: string): BusMessage[] {
  const got: BusMessage[] = [];
  bus.subscribe(topic, (m) => got.push(m), id);
  return got;
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("the notification bus", () => {
  it("carries messages between two pools, routed by topic and id, in order, the sender included", async () => {
    const a = await node("lg-dev-a");
    const b = await node("lg-dev-b");
    const forR1 = collect(b.bus, "run_event", "r1");
    const forR2 = collect(b.bus, "run_event", "r2");
    const allEnded = collect(b.bus, "run_ended");
    const ownEcho = collect(a.bus, "run_event", "r1");
    // 200 messages in one tick go out in one statement; all arrive, in order.
    await Promise.all(Array.from({ length: 200 }, (_, seq) => a.bus.publish("run_event", { id: "r1", seq })));
    await a.bus.publish("run_ended", { id: "r9", status: "success" });
    await until(() => forR1.length === 200 && allEnded.length === 1 && ownEcho.length === 200);
    expect(forR1.map((m) => m.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(forR2).toEqual([]);
    expect(allEnded).toEqual([{ id: "r9", status: "success" }]);
  });

  it("unsubscribes", async () => {
    const a = await node("lg-dev-a");
    const got: BusMessage[] = [];
    const off = a.bus.subscribe("run_cancel", (m) => got.push(m), "r1");
    await a.bus.publish("run_cancel", { id: "r1", action: "interrupt" });
    await until(() => got.length === 1);
    off();
    await a.bus.publish("run_cancel", { id: "r1", action: "rollback" });
    // Messages arrive in order: once the marker is in, the message before it was delivered (to nobody).
    const marker = collect(a.bus, "run_cancel", "marker");
    await a.bus.publish("run_cancel", { id: "marker" });
    await until(() => marker.length === 1);
    expect(got).toEqual([{ id: "r1", action: "interrupt" }]);
  });

  it("a message sent inside a transaction arrives only if it commits", async () => {
    const a = await node("lg-dev-a");
    const b = await node("lg-dev-b");
    const got = collect(b.bus, "run_created");
    await a.db
      .transaction(async (c) => {
        const s = a.bus.notifyStatement("run_created", { id: "rolled-back" });
        await c.query(s.text, s.values);
        throw new Error("abort");
      })
      .catch(() => undefined);
    await a.db.transaction(async (c) => {
      const s = a.bus.notifyStatement("run_created", { id: "committed", thread_id: "t1" });
      await c.query(s.text, s.values);
    });
    await until(() => got.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toEqual([{ id: "committed", thread_id: "t1" }]);
  });

  it("refuses a payload over PostgreSQL's 8000-byte limit with a clear error", async () => {
    const a = await node("lg-dev-a");
    const big = { id: "r1", data: "x".repeat(8000) };
    await expect(a.bus.publish("run_event", big)).rejects.toThrow(BusPayloadTooLargeError);
    await expect(a.bus.publish("run_event", big)).rejects.toThrow(/exceeds PostgreSQL's limit of 7999: publish ids and read the rows instead/);
    expect(() => a.bus.notifyStatement("run_event", big)).toThrow(BusPayloadTooLargeError);
    // Just under the limit goes through.
    const got = collect(a.bus, "run_event", "r1");
    const fits = { id: "r1", data: "y".repeat(7999 - JSON.stringify({ id: "r1", data: "" }).length) };
    await a.bus.publish("run_event", fits);
    await until(() => got.length === 1);
  });

  it("keeps deployments in two schemas apart", async () => {
    const a = await node("lg-dev-a", "tenant_a");
    const b = await node("lg-dev-b", "tenant_b");
    expect(channelOf("tenant_a", "run_event")).toBe("lgdev_tenant_a_run_event");
    const inB = collect(b.bus, "run_event");
    const inA = collect(a.bus, "run_event");
    await a.bus.publish("run_event", { id: "r1" });
    await until(() => inA.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(inB).toEqual([]);
  });
});

describe("the bus after losing its connection", () => {
  async function expectFlowing(from: NotifyBus, to: NotifyBus, id: string) {
    const got = collect(to, "run_event", id);
    // The first publish may hit a pooled connection that died with the others: publish until one arrives.
    await until(() => {
      if (got.length === 0) from.publish("run_event", { id }).catch(() => undefined);
      return got.length > 0;
    });
  }

  it("reconnects after pg_terminate_backend, LISTENs again and tells subscribers to re-check", async () => {
    const a = await node("lg-dev-a");
    const b = await node("lg-dev-b");
    let resyncs = 0;
    b.bus.onResync(() => resyncs++);
    expect(b.bus.listening).toBe(true);
    expect(await pg.cluster.terminateConnections({ applicationName: "lg-dev-b" })).toBeGreaterThanOrEqual(1);
    await until(() => resyncs === 1);
    expect(b.bus.listening).toBe(true);
    expect(logged.join("")).toMatch(/lost the PostgreSQL notification connection \(.*\): reconnecting/);
    expect(logged.join("")).toMatch(/PostgreSQL notification connection restored/);
    await expectFlowing(a.bus, b.bus, "after-terminate");
  });

  it("reconnects after the server restarts; health goes down and up", async () => {
    const a = await node("lg-dev-a");
    const b = await node("lg-dev-b");
    let resyncs = 0;
    b.bus.onResync(() => resyncs++);
    const states: string[] = [];
    b.db.health.onChange((s) => states.push(s.state));
    await pg.cluster.stop();
    await until(() => !b.bus.listening);
    await until(() => b.db.health.state === "down");
    await new Promise((r) => setTimeout(r, 500)); // several failed reconnects
    await pg.cluster.start();
    await until(() => resyncs === 1 && b.bus.listening, 15_000);
    await until(() => b.db.health.state === "up");
    expect(states).toEqual(["down", "up"]);
    await expectFlowing(a.bus, b.bus, "after-restart");
  }, 30_000);

  it("close() stops reconnecting", async () => {
    const a = await node("lg-dev-a");
    const listeners = async () =>
      Number((await pg.cluster.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'lg-dev-a' AND query LIKE 'LISTEN%'"))[0]!.n);
    expect(await listeners()).toBe(1);
    await a.bus.close();
    await pg.cluster.terminateConnections({ applicationName: "lg-dev-a" });
    await new Promise((r) => setTimeout(r, 300));
    expect(a.bus.listening).toBe(false);
    expect(await listeners()).toBe(0);
  });
});
