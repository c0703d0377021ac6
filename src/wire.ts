/** Ids, timestamps and the wire form of values: shared by services, runs and the HTTP layer. */
import { randomUUID } from "node:crypto";

/**
 * A new random (v4) id. randomUUID() returns a rope of short pieces, which V8 hashes and compares piece by piece on
 * every Map lookup and sort (5-20x slower than a flat string); reading a character flattens it in place once.
 */
export const newId = (): string => {
  const id = randomUUID();
  id.charCodeAt(0);
  return id;
};

/** Current time as ISO-8601. */
export const nowIso = (): string => new Date().toISOString();

/**
 * JSON-serialise a value the way the LangGraph API does: LangChain objects with `toDict()` (messages)
 * become `{...data, type}` plain objects; everything else goes through JSON.stringify as usual.
 */
export function toWireJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
    const raw = this[key];
    if (raw !== null && typeof raw === "object" && typeof (raw as { toDict?: unknown }).toDict === "function") {
      const { type, data } = (raw as { toDict(): { type: string; data: Record<string, unknown> } }).toDict();
      return { ...data, type };
    }
    if (typeof v === "bigint") return v.toString();
    return v;
  }) ?? "null";
}

/** A plain-JSON copy of a value in wire form (messages flattened), safe to store. */
export const toWire = <T = unknown>(value: unknown): T => (value === undefined ? (undefined as T) : (JSON.parse(toWireJson(value)) as T));

/** Serialise an error into the `{error, message}` shape streams and waits report. */
export function serializeError(error: unknown): { error: string; message: string } {
  if (error instanceof Error) return { error: error.name || "Error", message: error.message };
  return { error: "Error", message: typeof error === "string" ? error : JSON.stringify(error) };
}
