import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { PostgresStore } from "@langchain/langgraph-checkpoint-postgres/store";
import { afterEach, expect, it } from "vitest";
import { createLogger } from "../../../src/logger.js";
import { openPostgres, type OfficialPostgres, type PostgresLayer } from "../../../src/storage/postgres/index.js";
import { usePostgres } from "../../helpers/postgres.js";

const pg = usePostgres();
const logger = createLogger("silent");
const official = { PostgresSaver, PostgresStore } as unknown as OfficialPostgres;
const opened: PostgresLayer[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((x) => x.close()));
});

/** Retry `fn` until it succeeds (the first call after a connection loss may meet a dead pooled connection). */
async function eventually<T>(fn: () => Promise<T>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

const config = { configurable: { thread_id: "t1", checkpoint_ns: "" } };
const checkpoint = (n: number) => ({
  v: 4,
  id: `1ef00000-0000-6000-8000-00000000000${n}`,
  ts: new Date().toISOString(),
  channel_values: { n },
  channel_versions: { n },
  versions_seen: {},
});

async function exercise(layer: PostgresLayer, n: number) {
  await layer.checkpointer.put(config, checkpoint(n) as never, { source: "loop", step: n, parents: {} } as never, { n } as never);
  expect((await layer.checkpointer.getTuple(config))?.checkpoint.channel_values).toEqual({ n });
  await layer.store.put(["ns"], "k", { n });
  expect((await layer.store.get(["ns"], "k"))?.value).toEqual({ n });
}

it("every pool of the layer (lg-dev's, the checkpointer's, the official store's own) survives dropped connections", async () => {
  const layer = await openPostgres({ url: pg.url, official, logger });
  opened.push(layer);
  await exercise(layer, 1);
  // Every connection the layer holds, idle ones included: an unhandled 'error' event here would end the test process.
  expect(await pg.cluster.terminateConnections({ applicationName: "lg-dev" })).toBeGreaterThanOrEqual(3);
  await new Promise((r) => setTimeout(r, 200));
  await eventually(() => exercise(layer, 2));
});

it("works again after the database restarts, without being reopened", async () => {
  const layer = await openPostgres({ url: pg.url, official, logger });
  opened.push(layer);
  await exercise(layer, 3);
  let resynced = false;
  layer.bus.onResync(() => (resynced = true));
  await pg.cluster.stop();
  await expect(layer.db.query("SELECT 1")).rejects.toMatchObject({ status: 503 });
  await pg.cluster.start();
  await eventually(() => exercise(layer, 4));
  await eventually(async () => expect(resynced && layer.db.health.state === "up").toBe(true));
}, 30_000);

it("close() leaves no connection behind", async () => {
  const layer = await openPostgres({ url: pg.url, official, logger });
  await exercise(layer, 5);
  await layer.close();
  await layer.close();
  const rows = await pg.cluster.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'lg-dev'");
  expect(Number(rows[0]!.n)).toBe(0);
});
