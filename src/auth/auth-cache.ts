/**
 * `auth.cache` in langgraph.json: remember what `authenticate` answered for a set of request headers, as Python's
 * `langgraph dev` does, so a slow authenticate (a JWKS fetch, a database look-up) runs once per credential and TTL.
 *
 * The rules that keep it safe:
 * - the key is the exact value of every header listed in `cache_keys`, so two requests share an entry only when all
 *   of those headers are byte for byte the same (list every header your authenticate reads credentials from);
 * - a request without one of the listed headers is never cached: its identity may come from elsewhere;
 * - only answers are cached; refusals (an HTTPException) and errors run authenticate again next time, so a token
 *   that starts working (or a fixed bug) is seen at once;
 * - entries expire after `ttl_seconds` and the least recently used go first past `max_size`;
 * - the cache belongs to one auth service, which hot reload replaces: editing the auth module drops it.
 */
import { LRUCache } from "lru-cache";
import { ConfigError } from "../errors.js";
import type { AuthContext, AuthRequestInfo } from "./types.js";

/** `auth.cache` as written in langgraph.json (Python's `CacheConfig`). */
export interface AuthCacheConfig {
  /** Request headers whose values identify the caller (e.g. `["authorization"]`); case does not matter. */
  cache_keys?: string[];
  /** How long an answer is reused (default {@link DEFAULT_TTL_SECONDS}). */
  ttl_seconds?: number;
  /** Most answers kept; the least recently used go first (default {@link DEFAULT_MAX_SIZE}). */
  max_size?: number;
}

export const DEFAULT_TTL_SECONDS = 60;
export const DEFAULT_MAX_SIZE = 1000;

/** A clock for expiry (tests pass a fake one). */
export interface AuthCacheClock {
  now(): number;
}

/** Cached answers of `authenticate`, keyed by the configured headers. */
export interface AuthCache {
  /** The key of a request, or undefined when it must not be cached (a listed header is missing). */
  keyOf(headers: AuthRequestInfo["headers"]): string | undefined;
  /** A copy of the cached answer, or undefined. */
  get(key: string): AuthContext | undefined;
  /** Keep a copy of `ctx` (the caller's handlers may still change the one they hold). */
  set(key: string, ctx: AuthContext): void;
  readonly size: number;
}

/**
 * Build the cache `auth.cache` describes; undefined when there is nothing to key by (no `cache_keys`: `warnings`
 * says so). Throws `ConfigError` for values that cannot work (a zero TTL, a size that is not a positive integer).
 */
export function createAuthCache(
  config: unknown,
  options: { clock?: AuthCacheClock; warnings?: string[] } = {},
): AuthCache | undefined {
  if (config === undefined || config === null) return undefined;
  const c = checkConfig(config);
  const names = [...new Set((c.cache_keys ?? []).map((h) => h.trim().toLowerCase()).filter(Boolean))];
  if (names.length === 0) {
    options.warnings?.push("auth.cache in langgraph.json lists no cache_keys: authenticate results are not cached (list the headers that carry credentials, e.g. [\"authorization\"])");
    return undefined;
  }
  const lru = new LRUCache<string, AuthContext>({
    max: c.max_size ?? DEFAULT_MAX_SIZE,
    ttl: (c.ttl_seconds ?? DEFAULT_TTL_SECONDS) * 1000,
    ...(options.clock ? { perf: options.clock, ttlResolution: 0 } : {}),
  });
  return {
    keyOf: names.length === 1 ? (headers) => keyPart(headers[names[0]!]) : (headers) => joinedKey(names, headers),
    get(key) {
      const hit = lru.get(key);
      return hit && copyContext(hit);
    },
    set(key, ctx) {
      lru.set(key, copyContext(ctx));
    },
    get size() {
      return lru.size;
    },
  };
}

/**
 * One header's part of the key. Node has already rejected header values with control characters, so a string
 * value never starts with \u0001 (arrays: repeated headers Node keeps apart) and never holds the \u0000 separator.
 */
function keyPart(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : `\u0001${JSON.stringify(value)}`;
}

function joinedKey(names: string[], headers: AuthRequestInfo["headers"]): string | undefined {
  const parts: string[] = [];
  for (const name of names) {
    const part = keyPart(headers[name]);
    if (part === undefined) return undefined;
    parts.push(part);
  }
  return parts.join("\u0000");
}

/**
 * A copy per request, as authenticate itself returns a fresh user per call: a handler that changes `ctx.user` (its
 * fields or permissions) cannot change what the next request gets. Nested objects inside the user are shared.
 */
function copyContext(ctx: AuthContext): AuthContext {
  const user = Object.assign({}, ctx.user);
  user.permissions = [...ctx.user.permissions];
  return { user, permissions: [...ctx.permissions] };
}

function checkConfig(config: unknown): AuthCacheConfig {
  const where = "auth.cache in langgraph.json";
  if (typeof config !== "object" || Array.isArray(config)) throw new ConfigError(`${where} must be an object, got ${JSON.stringify(config)}`);
  const c = config as Record<string, unknown>;
  if (c.cache_keys !== undefined && !(Array.isArray(c.cache_keys) && c.cache_keys.every((k) => typeof k === "string"))) {
    throw new ConfigError(`auth.cache.cache_keys in langgraph.json must be a list of header names, got ${JSON.stringify(c.cache_keys)}`);
  }
  for (const key of ["ttl_seconds", "max_size"] as const) {
    const v = c[key];
    if (v === undefined) continue;
    const ok = typeof v === "number" && Number.isFinite(v) && v > 0 && (key === "ttl_seconds" || Number.isInteger(v));
    if (!ok) throw new ConfigError(`auth.cache.${key} in langgraph.json must be a positive ${key === "max_size" ? "integer" : "number"}, got ${JSON.stringify(v)}`);
  }
  return c as AuthCacheConfig;
}
