/**
 * The rules of langgraph.json. `LanggraphConfig` is inferred from them, so validation and type cannot drift.
 */
import { checkExportRef } from "../graphs/ref.js";
import {
  anyObject,
  anyValue,
  arrayOf,
  bool,
  boolish,
  describeJson,
  type Infer,
  num,
  objectOf,
  optional,
  recordOf,
  required,
  type Rule,
  str,
  stringOr,
} from "./schema.js";

/** A `"path/to/file.ts:exportName"` reference; the message says what is wrong with a malformed one. */
const graphRef: Rule<string> = {
  expected: 'a "path/to/file.ts:exportName" string',
  check(value, path, ctx) {
    if (typeof value !== "string") return str.check(value, path, ctx);
    const problem = checkExportRef(value);
    if (problem === undefined) return value;
    ctx.issues.push({ path, message: `${problem} (expected ${this.expected}, got ${JSON.stringify(value)})` });
    return undefined;
  },
};

const graphEntry = stringOr(graphRef, objectOf({ path: required(graphRef), description: optional(str) }));

const cors = objectOf({
  allow_origins: optional(arrayOf(str)),
  allow_methods: optional(arrayOf(str)),
  allow_headers: optional(arrayOf(str)),
  allow_credentials: optional(bool),
  allow_origin_regex: optional(str),
  expose_headers: optional(arrayOf(str)),
  max_age: optional(num),
});

/** `http.allowed_hosts`: host names (`.example.com` for a domain and its subdomains), or `true` / `"all"` for any. */
const allowedHosts: Rule<string[] | true> = {
  expected: 'an array of host names, true or "all"',
  check(value, path, ctx) {
    if (value === true || value === "all") return true;
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.includes("all") ? true : (value as string[]);
    ctx.issues.push({ path, message: `must be ${this.expected}, got ${describeJson(value)}` });
    return undefined;
  },
};

const http = objectOf({
  app: optional(graphRef),
  cors: optional(cors),
  disable_assistants: optional(bool),
  disable_threads: optional(bool),
  disable_runs: optional(bool),
  disable_store: optional(bool),
  disable_meta: optional(bool),
  disable_ui: optional(bool),
  disable_mcp: optional(bool),
  disable_webhooks: optional(bool),
  disable_studio: optional(bool),
  enable_custom_route_auth: optional(bool),
  allowed_hosts: optional(allowedHosts),
});

/** Generative UI: `{"<graph id>": "./src/agent/ui.tsx"}`, and packages the page shares with the bundles. */
const ui = recordOf(str);
const uiConfig = objectOf({ shared: optional(arrayOf(str)) });

const auth = objectOf({
  path: optional(graphRef),
  disable_studio_auth: optional(boolish),
  openapi: optional(anyValue),
  // Python's CacheConfig; the values are checked where the cache is built (auth/auth-cache.ts).
  cache: optional(objectOf({ cache_keys: optional(arrayOf(str)), ttl_seconds: optional(num), max_size: optional(num) })),
});

/** Python's WebhooksConfig; what the values mean is checked where the policy is built (runs/webhook-config.ts). */
const webhooks = objectOf({
  env_prefix: optional(str),
  headers: optional(recordOf(str)),
  url: optional(
    objectOf({
      require_https: optional(bool),
      allowed_domains: optional(arrayOf(str)),
      allowed_ports: optional(arrayOf(num)),
      max_url_length: optional(num),
      disable_loopback: optional(bool),
      disable_private_ips: optional(bool),
    }),
  ),
});

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

function unknownTopLevelKey(key: string): string | undefined {
  if (key === "$schema") return undefined;
  if (PLATFORM_ONLY_KEYS.has(key)) return `"${key}" is not used by lg-dev; ignored`;
  return `unknown key "${key}"; ignored`;
}

/** The whole file. */
export const configRule = objectOf(
  {
    graphs: required(recordOf(graphEntry, { nonEmpty: true })),
    env: optional(stringOr(str, recordOf(str))),
    dependencies: optional(arrayOf(str)),
    node_version: optional(str),
    auth: optional(auth),
    http: optional(http),
    ui: optional(ui),
    ui_config: optional(uiConfig),
    webhooks: optional(webhooks),
    store: optional(anyObject),
    checkpointer: optional(anyObject),
  },
  unknownTopLevelKey,
);

/** Keys that are validated but not acted on yet: accepted with a warning. */
export const NOT_YET_USED_KEYS: Record<string, string> = {
  store: '"store" (index/TTL settings) is not used by lg-dev yet; the built-in store is used',
  checkpointer: '"checkpointer" settings are not used by lg-dev yet; the built-in checkpointer is used',
};

/** A validated langgraph.json; keys lg-dev does not know are passed through untouched. */
export interface LanggraphConfig extends Infer<typeof configRule> {}

/** One `graphs` entry as written in the file. */
export type GraphEntry = Infer<typeof graphEntry>;
