/**
 * The API's reply serialiser. Values are checked where they come in (body depth, storable graph output), but a list
 * is the one answer where a single bad record would fail the request for every other one: when a list does not
 * serialise, it is answered without the items that do not, and each skipped item is logged.
 */
import type { FastifyInstance } from "fastify";
import type { Logger } from "../logger.js";

const ID_KEYS = ["thread_id", "run_id", "assistant_id", "cron_id", "checkpoint_id", "key"] as const;

/** Serialise every reply of the routes in `scope` with a fallback for lists (arrays, or objects holding one). */
export function serializeListsSafely(scope: FastifyInstance, logger: Logger): void {
  scope.setReplySerializer((payload) => {
    try {
      return JSON.stringify(payload);
    } catch (err) {
      const safe = withoutBadItems(payload, logger);
      if (safe === undefined) throw err;
      return safe;
    }
  });
}

/** The JSON of a list (or an object of lists) without the items that fail to serialise; undefined when not a list. */
function withoutBadItems(payload: unknown, logger: Logger): string | undefined {
  if (Array.isArray(payload)) return `[${serializable(payload, logger).join(",")}]`;
  if (payload === null || typeof payload !== "object") return undefined;
  const entries = Object.entries(payload as Record<string, unknown>);
  if (!entries.some(([, v]) => Array.isArray(v))) return undefined;
  const parts: string[] = [];
  for (const [k, v] of entries) {
    parts.push(`${JSON.stringify(k)}:${Array.isArray(v) ? `[${serializable(v, logger).join(",")}]` : JSON.stringify(v)}`);
  }
  return `{${parts.join(",")}}`;
}

function serializable(items: unknown[], logger: Logger): string[] {
  const out: string[] = [];
  for (const item of items) {
    try {
      out.push(JSON.stringify(item) ?? "null");
    } catch (err) {
      logger.error(`left ${describe(item)} out of a list reply: it cannot be serialised (${(err as Error).message})`);
    }
  }
  return out;
}

function describe(item: unknown): string {
  if (item === null || typeof item !== "object") return "an item";
  const key = ID_KEYS.find((k) => typeof (item as Record<string, unknown>)[k] === "string");
  return key ? `${key} ${String((item as Record<string, unknown>)[key])}` : "an item";
}
