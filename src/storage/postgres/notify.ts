import pg from "pg";
import type { Logger } from "../../logger.js";
import type { Database } from "./database.js";
import { describeConnectionError } from "./errors.js";

/**
 * What processes tell each other. Every message names the run (or thread) it is about in `id`; the data itself
 * stays in tables and is read by whoever cares (NOTIFY payloads are limited to 8000 bytes).
 */
export const BUS_TOPICS = ["run_created", "run_event", "run_ended", "run_cancel", "thread_changed", "cron_changed"] as const;
export type BusTopic = (typeof BUS_TOPICS)[number];

/** A message on the bus: `id` routes it to the subscribers of one run or thread; the rest is small and topic-specific. */
export interface BusMessage {
  id: string;
  [field: string]: unknown;
}

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. */
export const MAX_PAYLOAD_BYTES = 7999;

/** A message too large for NOTIFY: send ids and let the receiver read rows. */
export class BusPayloadTooLargeError extends Error {
  constructor(topic: string, bytes: number) {
    super(`A "${topic}" notification of ${bytes} bytes exceeds PostgreSQL's limit of ${MAX_PAYLOAD_BYTES}: publish ids and read the rows instead`);
    this.name = "BusPayloadTooLargeError";
  }
}

/** Options of {@link startNotifyBus}. */
export interface NotifyBusOptions {
  logger: Logger;
  /** How often the listening connection is pinged, so a silently dead one is noticed (default 15 s). */
  pingIntervalMs?: number;
  /** Reconnect backoff (default 100 ms doubling to 2 s). */
  minDelayMs?: number;
  maxDelayMs?: number;
}

type Handler = (message: BusMessage) => void;

/**
 * Change notifications between lg-dev processes over LISTEN/NOTIFY. One dedicated connection per process listens
 * on every topic; messages are published through the pool, several in one tick in one statement. A process also
 * receives its own messages. Delivery follows commit order; a message published inside a transaction (see
 * {@link NotifyBus.notifyStatement}) is delivered only if it commits.
 *
 * When the listening connection is lost, the bus reconnects with backoff and LISTENs again, then calls every
 * `onResync` handler: messages sent meanwhile are lost, so subscribers must re-read what they wait for.
 */
export interface NotifyBus {
  /** Subscribe to a topic: every message, or (with `id`) the messages about one run or thread. */
  subscribe(topic: BusTopic, handler: Handler, id?: string): () => void;
  /** Called after each reconnection (not the first connection): re-check state, events may have been missed. */
  onResync(handler: () => void): () => void;
  /** Send a message to every process (this one included); resolves once PostgreSQL accepted it. */
  publish(topic: BusTopic, message: BusMessage): Promise<void>;
  /** The statement that sends a message from inside a transaction: `client.query(text, values)`. */
  notifyStatement(topic: BusTopic, message: BusMessage): { text: string; values: string[] };
  /** True while the listening connection is up. */
  readonly listening: boolean;
  close(): Promise<void>;
}

/** The channel name of a topic: schema-specific, so deployments in two schemas of one database do not cross. */
export function channelOf(schema: string, topic: BusTopic): string {
  return schema === "public" ? `lgdev_${topic}` : `lgdev_${schema}_${topic}`;
}

function encode(topic: BusTopic, message: BusMessage): string {
  const payload = JSON.stringify(message);
  const bytes = Buffer.byteLength(payload);
  if (bytes > MAX_PAYLOAD_BYTES) throw new BusPayloadTooLargeError(topic, bytes);
  return payload;
}

/** Connect the listening connection and LISTEN on every topic; resolves once it listens. */
export async function startNotifyBus(db: Database, options: NotifyBusOptions): Promise<NotifyBus> {
  const { logger } = options;
  const topicOf = new Map(BUS_TOPICS.map((t) => [channelOf(db.schema, t), t] as const));
  const all = new Map<BusTopic, Set<Handler>>();
  const byId = new Map<BusTopic, Map<string, Set<Handler>>>();
  const resync = new Set<() => void>();
  let client: pg.Client | undefined;
  let listening = false;
  let closed = false;
  let ping: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;
  let delay = options.minDelayMs ?? 100;

  const dispatch = (n: pg.Notification) => {
    const topic = topicOf.get(n.channel);
    if (!topic || n.payload === undefined) return;
    let message: BusMessage;
    try {
      message = JSON.parse(n.payload) as BusMessage;
    } catch {
      logger.warn(`ignored a malformed "${topic}" notification`);
      return;
    }
    const handlers = [...(all.get(topic) ?? []), ...(byId.get(topic)?.get(message.id) ?? [])];
    for (const h of handlers) {
      try {
        h(message);
      } catch (err) {
        logger.error(`a "${topic}" subscriber failed`, err);
      }
    }
  };

  const connect = async (): Promise<void> => {
    const c = new pg.Client(db.clientConfig());
    // Registered before connecting: a failed connect must not leave an unhandled 'error' event behind.
    c.on("error", (err) => lost(c, err));
    c.on("end", () => lost(c, new Error("Connection terminated")));
    c.on("notification", dispatch);
    try {
      await c.connect();
      await c.query([...topicOf.keys()].map((ch) => `LISTEN ${ch}`).join("; "));
    } catch (err) {
      await c.end().catch(() => undefined);
      throw err;
    }
    if (closed) {
      await c.end().catch(() => undefined);
      return;
    }
    client = c;
    listening = true;
    delay = options.minDelayMs ?? 100;
    const interval = options.pingIntervalMs ?? 15_000;
    ping = setInterval(() => {
      c.query("SELECT 1").catch((err) => lost(c, err));
    }, interval);
    ping.unref();
  };

  /** The listening connection failed (once per connection): drop it and reconnect. */
  const lost = (c: pg.Client, err: unknown) => {
    if (c !== client || closed) return;
    client = undefined;
    listening = false;
    clearInterval(ping);
    logger.warn(`lost the PostgreSQL notification connection (${describeConnectionError(err)}): reconnecting`);
    db.health.checkSoon();
    c.end().catch(() => undefined);
    scheduleReconnect();
  };

  const scheduleReconnect = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      connect().then(
        () => {
          if (closed) return;
          logger.info("PostgreSQL notification connection restored");
          for (const h of resync) {
            try {
              h();
            } catch (err) {
              logger.error("a notification resync handler failed", err);
            }
          }
        },
        (err) => {
          logger.debug(`notification connection: reconnect failed (${describeConnectionError(err)})`);
          delay = Math.min(delay * 2, options.maxDelayMs ?? 2000);
          scheduleReconnect();
        },
      );
    }, delay);
    retry.unref();
  };

  await connect();

  // Publishing: every message of one tick goes out in one statement (one round trip instead of many).
  let queue: Array<{ channel: string; payload: string; done: (err?: unknown) => void }> = [];
  const flush = () => {
    const batch = queue;
    queue = [];
    db.query("SELECT pg_notify(c, p) FROM unnest($1::text[], $2::text[]) AS t(c, p)", [batch.map((m) => m.channel), batch.map((m) => m.payload)]).then(
      () => batch.forEach((m) => m.done()),
      (err) => batch.forEach((m) => m.done(err)),
    );
  };

  return {
    subscribe(topic, handler, id) {
      if (id === undefined) {
        let set = all.get(topic);
        if (!set) all.set(topic, (set = new Set()));
        set.add(handler);
        return () => set.delete(handler);
      }
      let ids = byId.get(topic);
      if (!ids) byId.set(topic, (ids = new Map()));
      let set = ids.get(id);
      if (!set) ids.set(id, (set = new Set()));
      set.add(handler);
      return () => {
        set.delete(handler);
        if (set.size === 0 && ids.get(id) === set) ids.delete(id);
      };
    },
    onResync(handler) {
      resync.add(handler);
      return () => resync.delete(handler);
    },
    publish(topic, message) {
      let payload: string;
      try {
        payload = encode(topic, message);
      } catch (err) {
        return Promise.reject(err);
      }
      return new Promise<void>((resolve, reject) => {
        if (queue.length === 0) queueMicrotask(flush);
        queue.push({ channel: channelOf(db.schema, topic), payload, done: (err) => (err === undefined ? resolve() : reject(err)) });
      });
    },
    notifyStatement(topic, message) {
      return { text: "SELECT pg_notify($1, $2)", values: [channelOf(db.schema, topic), encode(topic, message)] };
    },
    get listening() {
      return listening;
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      clearInterval(ping);
      listening = false;
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}
