/** Request shapes of /store. */
import { anyObject, qbool, stringArray } from "./common.js";

const key = { type: "string", minLength: 1 } as const;

/** Body of PUT /store/items. */
export const storePutBody = {
  type: "object",
  required: ["namespace", "key", "value"],
  properties: {
    namespace: stringArray,
    key,
    value: { type: ["object", "null"], additionalProperties: true },
    index: { anyOf: [{ type: "boolean", enum: [false] }, stringArray, { type: "null" }] },
    ttl: { type: ["number", "null"], minimum: 0 },
  },
} as const;

/** Query of GET /store/items: the namespace as an array, or dotted (`a.b`). */
export const storeGetQuery = {
  type: "object",
  required: ["key"],
  properties: { namespace: { anyOf: [{ type: "string" }, stringArray] }, key, refresh_ttl: qbool },
} as const;

/** Body of DELETE /store/items. */
export const storeDeleteBody = { type: "object", required: ["namespace", "key"], properties: { namespace: stringArray, key } } as const;

/** Body of POST /store/items/search. */
export const storeSearchBody = {
  type: "object",
  properties: {
    namespace_prefix: stringArray,
    filter: anyObject,
    limit: { type: "integer", minimum: 1, maximum: 1000, default: 10 },
    offset: { type: "integer", minimum: 0, default: 0 },
    query: { type: ["string", "null"] },
    refresh_ttl: { type: "boolean" },
  },
} as const;

/** Body of POST /store/namespaces. */
export const namespaceListBody = {
  type: "object",
  properties: {
    prefix: stringArray,
    suffix: stringArray,
    max_depth: { type: "integer", minimum: 1 },
    limit: { type: "integer", minimum: 1, maximum: 1000, default: 100 },
    offset: { type: "integer", minimum: 0, default: 0 },
  },
} as const;
