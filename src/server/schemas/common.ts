/**
 * JSON schemas shared by the routes. Each schema validates requests, feeds /openapi.json and, through the type
 * provider (json-schema-to-ts), is the TypeScript type of what a handler receives: one definition for all three.
 * Written `as const` so that their literal types carry every enum and `required` list.
 */

export const uuid = { type: "string", format: "uuid" } as const;
export const metadata = { type: "object", additionalProperties: true } as const;
export const anyObject = { type: "object", additionalProperties: true } as const;
export const sortOrder = { type: "string", enum: ["asc", "desc"] } as const;
export const limit = (max = 1000, dflt = 10) => ({ type: "integer", minimum: 1, maximum: max, default: dflt }) as const;
export const offset = { type: "integer", minimum: 0, default: 0 } as const;
export const stringArray = { type: "array", items: { type: "string" } } as const;
export const select = <F extends readonly string[]>(fields: F) => ({ type: "array", items: { type: "string", enum: fields } }) as const;
/** Creating something that exists already: fail, or answer the existing one. */
export const ifExists = { type: "string", enum: ["raise", "do_nothing"] } as const;
/** When a run's checkpoints are written. */
export const durability = { type: "string", enum: ["sync", "async", "exit"] } as const;

export const threadIdParams = {
  type: "object",
  required: ["thread_id"],
  properties: { thread_id: uuid },
} as const;

export const threadRunParams = {
  type: "object",
  required: ["thread_id", "run_id"],
  properties: { thread_id: uuid, run_id: uuid },
} as const;

export const assistantIdParams = {
  type: "object",
  required: ["assistant_id"],
  properties: { assistant_id: { type: "string", minLength: 1 } },
} as const;

/** A boolean in a query string: clients send true/false or 1/0 (the SDK's `wait=1`). */
export const qbool = { anyOf: [{ type: "boolean" }, { type: "string", enum: ["0", "1", "true", "false", "True", "False"] }] } as const;
/** Read a `qbool` value. */
export const asBool = (v: unknown): boolean => v === true || v === "1" || v === "true" || v === "True";
/** Stream modes as a query parameter (one or many). */
export const qModes = { anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] } as const;
