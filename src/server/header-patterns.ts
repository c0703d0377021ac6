/**
 * Which request headers go where, as langgraph.json `http.configurable_headers` (into a run's
 * `config.configurable`) and `http.logging_headers` (into the server's request log) choose them, with the Python
 * server's pattern language: a pattern is a header name in which `*` matches any run of characters (nothing else is
 * special, so no pattern can be slow), compared without regard to case. An `excludes` match wins over everything.
 *
 * Credentials (Authorization, cookies, API keys) are never taken by a wildcard: only an `includes` entry naming the
 * header itself (`"authorization"`, not `"*"` or `"author*"`) lets one through. The Python server's newest releases
 * never pass Authorization or `x-api-key` into a run at all; lg-dev lets a project that names one have it.
 */
import type { LanggraphConfig } from "../config/index.js";

/** `{includes, excludes}` (or the docs' `{include, exclude}`) as langgraph.json writes it. */
export type HeaderPatterns = NonNullable<NonNullable<LanggraphConfig["http"]>["configurable_headers"]>;

/** Headers that carry credentials: passed on only when an include names them exactly. */
const CREDENTIALS = new Set(["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-service-key", "x-tenant-id"]);

/** A header name (lower case) in, whether it is taken. */
export type HeaderFilter = (name: string) => boolean;

/** `*` matches any characters; everything else is itself. Case is ignored (Node gives header names in lower case). */
function compile(pattern: string): RegExp {
  const body = pattern
    .toLowerCase()
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`, "s");
}

/**
 * The filter for `patterns`; a header no pattern decides is taken when `byDefault` says so. Decisions are cached per
 * header name (a server sees few distinct names).
 */
export function headerFilter(patterns: HeaderPatterns | undefined | null, byDefault: HeaderFilter = () => false): HeaderFilter {
  const includes = patterns?.includes ?? patterns?.include ?? [];
  const excludes = (patterns?.excludes ?? patterns?.exclude ?? []).map(compile);
  const named = new Set(includes.filter((p) => !p.includes("*")).map((p) => p.toLowerCase()));
  const wildcards = includes.filter((p) => p.includes("*")).map(compile);
  const decided = new Map<string, boolean>();
  return (header) => {
    const name = header.toLowerCase();
    let taken = decided.get(name);
    if (taken === undefined) {
      if (excludes.some((re) => re.test(name))) taken = false;
      else if (named.has(name)) taken = true;
      else if (CREDENTIALS.has(name)) taken = false;
      else taken = wildcards.some((re) => re.test(name)) || byDefault(name);
      if (decided.size < 1000) decided.set(name, taken);
    }
    return taken;
  };
}

/**
 * What the official servers copy into a run's `config.configurable` when no pattern decides: `user-agent` and every
 * `x-*` header (the credentials among them never).
 */
const RUN_DEFAULT: HeaderFilter = (name) => name === "user-agent" || name.startsWith("x-");

/** `http.configurable_headers`: which headers of the request creating a run its graph sees in `config.configurable`. */
export const configurableHeaderFilter = (patterns: HeaderPatterns | undefined | null): HeaderFilter => headerFilter(patterns, RUN_DEFAULT);

/** `http.logging_headers`: which headers the request log shows (none unless included). */
export const loggingHeaderFilter = (patterns: HeaderPatterns | undefined | null): HeaderFilter => headerFilter(patterns);

/** The headers of `headers` that `filter` takes (names in lower case; a repeated header's values as Node joined them). */
export function pickHeaders(headers: Record<string, string | string[] | undefined>, filter: HeaderFilter): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || !filter(name)) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}
