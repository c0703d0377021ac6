/**
 * langgraph.json as one JSON Schema: it validates the file (validate.ts, with messages that name the key) and,
 * through json-schema-to-ts, is the TypeScript type `LanggraphConfig`, so validation and type cannot drift. The same
 * schema language as the API's routes. A `format` is one of lg-dev's own checks (validate.ts FORMATS), which may
 * normalise the value (its TypeScript type is then given below, in `Decoded`); a `description` is the phrase
 * messages use for what was expected.
 */
import type { FromSchema } from "json-schema-to-ts";

const str = { type: "string" } as const;
const bool = { type: "boolean" } as const;
const strings = { type: "array", items: str } as const;

/** A `"path/to/file.ts:exportName"` reference; the message says what is wrong with a malformed one. */
const exportRef = { type: "string", format: "export-ref", description: 'a "path/to/file.ts:exportName" string' } as const;

/** true/false, or the strings "true"/"false" in any case (as the Python CLI accepts); normalised to a boolean. */
const boolish = { format: "boolish", description: 'a boolean or the string "true"/"false"' } as const;

/** `http.allowed_hosts`: host names (`.example.com` for a domain and its subdomains), or `true` / `"all"` for any. */
const allowedHosts = { format: "allowed-hosts", description: 'an array of host names, true or "all"' } as const;

const graphEntry = {
  anyOf: [exportRef, { type: "object", required: ["path"], properties: { path: exportRef, description: str } }],
} as const;

const cors = {
  type: "object",
  properties: {
    allow_origins: strings,
    allow_methods: strings,
    allow_headers: strings,
    allow_credentials: bool,
    allow_origin_regex: str,
    expose_headers: strings,
    max_age: { type: "number" },
  },
} as const;

/**
 * Python's ConfigurableHeaderConfig: header-name patterns where `*` matches any characters (nothing else is special),
 * compared without regard to case; `excludes` wins. The CLI's schema spells them `includes`/`excludes`, the docs'
 * example `include`/`exclude`: both are read, as the Python server reads both.
 */
const patterns = { type: ["array", "null"], items: str, description: 'an array of header names or patterns such as "x-*"' } as const;
const headerPatterns = {
  type: "object",
  properties: { includes: patterns, excludes: patterns, include: patterns, exclude: patterns },
} as const;

/** `http.mount_prefix`: the path the whole server is served under. */
const mountPrefix = { type: "string", format: "mount-prefix", description: 'a path such as "/my-api"' } as const;

const http = {
  type: "object",
  properties: {
    app: exportRef,
    cors,
    configurable_headers: headerPatterns,
    logging_headers: headerPatterns,
    mount_prefix: mountPrefix,
    disable_assistants: bool,
    disable_threads: bool,
    disable_runs: bool,
    disable_store: bool,
    disable_meta: bool,
    disable_ui: bool,
    disable_mcp: bool,
    disable_a2a: bool,
    disable_webhooks: bool,
    disable_studio: bool,
    enable_custom_route_auth: bool,
    middleware_order: str,
    allowed_hosts: allowedHosts,
  },
} as const;

const num = { type: "number" } as const;

const auth = {
  type: "object",
  properties: {
    path: exportRef,
    disable_studio_auth: boolish,
    openapi: {},
    // Python's CacheConfig; the values are checked where the cache is built (auth/auth-cache.ts).
    cache: { type: "object", properties: { cache_keys: strings, ttl_seconds: num, max_size: num } },
  },
} as const;

/** Python's WebhooksConfig; what the values mean is checked where the policy is built (runs/webhook-config.ts). */
const webhooks = {
  type: "object",
  properties: {
    env_prefix: str,
    headers: { type: "object", additionalProperties: str },
    url: {
      type: "object",
      properties: {
        require_https: bool,
        allowed_domains: strings,
        allowed_ports: { type: "array", items: num },
        max_url_length: num,
        disable_loopback: bool,
        disable_private_ips: bool,
      },
    },
  },
} as const;

/**
 * Python's StoreConfig: `index` (semantic search: graphs/embeddings.ts, src/semantic-index.ts) and `ttl`
 * (services/ttl.ts, which checks the values).
 */
const store = {
  type: "object",
  properties: {
    index: { type: "object", required: ["dims", "embed"], properties: { dims: num, embed: str, fields: strings } },
    ttl: { type: "object", properties: { default_ttl: num, refresh_on_read: bool, sweep_interval_minutes: num } },
  },
} as const;

/** Python's CheckpointerConfig: `ttl` (services/ttl.ts checks the values). */
const checkpointer = {
  type: "object",
  properties: {
    ttl: { type: "object", properties: { strategy: str, default_ttl: num, sweep_interval_minutes: num, sweep_limit: num } },
  },
} as const;

/** The whole file. Keys lg-dev does not know are kept (the file is shared with the Python CLI and the platform). */
export const configSchema = {
  type: "object",
  required: ["graphs"],
  properties: {
    graphs: { type: "object", minProperties: 1, additionalProperties: graphEntry },
    env: { anyOf: [str, { type: "object", additionalProperties: str }] },
    dependencies: strings,
    node_version: str,
    auth,
    http,
    /** Generative UI: `{"<graph id>": "./src/agent/ui.tsx"}`, and packages the page shares with the bundles. */
    ui: { type: "object", additionalProperties: str },
    ui_config: { type: "object", properties: { shared: strings } },
    webhooks,
    store,
    checkpointer,
  },
} as const;

/** The types the formats normalise to. */
type Decoded = {
  deserialize: [{ pattern: { format: "boolish" }; output: boolean }, { pattern: { format: "allowed-hosts" }; output: string[] | true }];
};

/** A validated langgraph.json; keys lg-dev does not know are passed through untouched. */
export type LanggraphConfig = FromSchema<typeof configSchema, Decoded>;

/** One `graphs` entry as written in the file. */
export type GraphEntry = FromSchema<typeof graphEntry>;

/** Keys of the platform's langgraph.json that only matter for Docker builds or the Python server. */
const PLATFORM_ONLY_KEYS = new Set([
  "python_version",
  "pip_config_file",
  "pip_installer",
  "dockerfile_lines",
  "base_image",
  "image_distro",
  "keep_pkg_tools",
  "api_version",
  "encryption",
  "semantic_search",
]);

/** The warning for a top-level key the schema does not name (undefined: none). */
export function unknownTopLevelKey(key: string): string | undefined {
  if (key === "$schema") return undefined;
  if (PLATFORM_ONLY_KEYS.has(key)) return `"${key}" is not used by lg-dev; ignored`;
  return `unknown key "${key}"; ignored`;
}

/** Keys of `store` / `checkpointer` that only the Python server can honour (a custom store or checkpointer class). */
export const PYTHON_ONLY_NESTED_KEYS: Record<string, string> = {
  "store.path": '"store.path" (a custom store) is not used by lg-dev; the built-in store is used',
  "checkpointer.path": '"checkpointer.path" (a custom checkpointer) is not used by lg-dev; the built-in checkpointer is used',
  "checkpointer.serde": '"checkpointer.serde" is not used by lg-dev; checkpoints use LangGraph\'s JSON serializer',
};

/**
 * Warnings for `http` keys the Python server documents that lg-dev does not act on. (`disable_mcp` and
 * `disable_a2a` need none: lg-dev serves no /mcp or /a2a, so they hold either way.)
 */
export function httpWarnings(http: LanggraphConfig["http"]): string[] {
  const warnings: string[] = [];
  if (http?.middleware_order !== undefined) {
    warnings.push(
      '"http.middleware_order" is not used by lg-dev: a request to the custom app (http.app) is authenticated before the app sees it while custom routes are authenticated (http.enable_custom_route_auth, default true), else after it',
    );
  }
  return warnings;
}
