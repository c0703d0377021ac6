/**
 * The JSON Schema editors use for langgraph.json (`"$schema": "./node_modules/lg-dev/schema/langgraph.schema.json"`),
 * made from the schema lg-dev validates with (schema.ts), so the two cannot disagree: lg-dev's own formats become
 * standard keywords (patterns, enums), and every key gets its documentation. The package ships the result as
 * schema/langgraph.schema.json (`npm run schema` writes it; a test checks it is current). Keys the schema does not
 * name stay allowed: the file is shared with the Python CLI and the platform.
 */
import { configSchema } from "./schema.js";
import type { Schema } from "./validate.js";

/** Where the package ships the schema, relative to its root. */
export const JSON_SCHEMA_FILE = "schema/langgraph.schema.json";

/** What each key does, by dotted path: an editor shows it on hover. Every key of the schema has an entry. */
export const KEY_DOCS: Record<string, string> = {
  $schema: "The JSON Schema of this file, for editors (lg-dev ignores it).",
  graphs: 'The graphs to serve, by graph id: "./src/agent/graph.ts:graph" (no ":export": the default export) or {"path", "description"}.',
  env: "A dotenv file path, or an object of environment variables; applied before any of your modules is imported. Variables already set win.",
  dependencies: "Local directories listed here are watched for hot reload.",
  node_version: "The Node major version the project expects; lg-dev warns when it runs on another.",
  auth: "Custom authentication.",
  "auth.path": '"./src/security/auth.ts:auth": an Auth from @langchain/langgraph-sdk/auth.',
  "auth.disable_studio_auth": 'true: requests from the Studio go through your authenticate() too. A boolean or "true"/"false".',
  "auth.openapi": "{securitySchemes, security}: how clients authenticate, shown in /docs and /openapi.json.",
  "auth.cache": "Reuse authenticate()'s answers for requests whose listed headers are the same.",
  "auth.cache.cache_keys": 'The headers credentials come from, e.g. ["authorization"]. Without it nothing is cached.',
  "auth.cache.ttl_seconds": "How long an answer is reused (default 60).",
  "auth.cache.max_size": "How many answers are kept (default 1000).",
  http: "The HTTP server.",
  "http.app": '"./src/app.ts:app": a Hono app (or any fetch(request) app) in front of the API, or a Fastify plugin.',
  "http.cors": "CORS for cross-origin browser clients.",
  "http.cors.allow_origins": 'Origins allowed, e.g. ["https://example.com"]; "*" for any.',
  "http.cors.allow_methods": "Methods allowed cross-origin.",
  "http.cors.allow_headers": "Request headers allowed cross-origin.",
  "http.cors.allow_credentials": "Allow cookies and Authorization cross-origin.",
  "http.cors.allow_origin_regex": "A regular expression origins may match instead.",
  "http.cors.expose_headers": "Response headers a cross-origin page may read.",
  "http.cors.max_age": "Seconds a browser may cache a preflight answer.",
  "http.configurable_headers": "Which headers of the request creating a run its graph sees in config.configurable. Default: user-agent and x-* (never credentials).",
  "http.configurable_headers.includes": 'Header names or patterns ("*" matches anything) to add. Credentials (Authorization, cookies, API keys) only when named exactly.',
  "http.configurable_headers.excludes": "Header names or patterns to leave out; wins over includes and the defaults.",
  "http.configurable_headers.include": "The docs' spelling of includes.",
  "http.configurable_headers.exclude": "The docs' spelling of excludes.",
  "http.logging_headers": "Which request headers appear in the request log lines (--server-log-level info). Default: none.",
  "http.logging_headers.includes": 'Header names or patterns ("*" matches anything) to log. Credentials only when named exactly.',
  "http.logging_headers.excludes": "Header names or patterns never logged; wins over includes.",
  "http.logging_headers.include": "The docs' spelling of includes.",
  "http.logging_headers.exclude": "The docs' spelling of excludes.",
  "http.mount_prefix": 'Serve everything under this path, e.g. "/my-api" (a leading "/", no trailing "/"). LANGGRAPH_MOUNT_PREFIX wins.',
  "http.disable_assistants": "Leave out the /assistants routes.",
  "http.disable_threads": "Leave out the /threads routes.",
  "http.disable_runs": "Leave out the /runs routes (and crons).",
  "http.disable_store": "Leave out the /store routes.",
  "http.disable_meta": "Leave out /info, /docs, /openapi.json and the like.",
  "http.disable_ui": "Leave out the /ui routes (generative UI).",
  "http.disable_mcp": "lg-dev serves no /mcp: accepted, nothing to turn off.",
  "http.disable_a2a": "lg-dev serves no /a2a: accepted, nothing to turn off.",
  "http.disable_webhooks": "Runs with a webhook still run; the webhook is not called.",
  "http.disable_studio": "No local Studio at /studio (as --no-studio).",
  "http.enable_custom_route_auth": "false: custom routes (http.app) are not authenticated. Default: authenticated.",
  "http.middleware_order": "Not used by lg-dev (a warning says so).",
  "http.allowed_hosts": 'Hosts served besides the loopback names (as --allowed-host): a list (".example.com" for a domain and its subdomains), or true / "all".',
  ui: 'Generative UI components per graph id: {"agent": "./src/agent/ui.tsx"}.',
  ui_config: "Generative UI build settings.",
  "ui_config.shared": "Packages the page shares with the UI bundles (not bundled into them).",
  webhooks: "The policy and headers of runs' webhooks.",
  "webhooks.env_prefix": 'Only environment variables starting with this may fill header templates (default "LG_WEBHOOK_").',
  "webhooks.headers": 'Headers sent with every webhook; "${{ env.NAME }}" is read from the environment at start-up.',
  "webhooks.url": "Which webhook URLs are accepted.",
  "webhooks.url.require_https": "Refuse http:// webhooks.",
  "webhooks.url.allowed_domains": 'Host names allowed, or "*.example.com" for its subdomains.',
  "webhooks.url.allowed_ports": "Ports allowed.",
  "webhooks.url.max_url_length": "Longest URL accepted (default 4096).",
  "webhooks.url.disable_loopback": "Refuse paths on this server and hosts on this machine (default true).",
  "webhooks.url.disable_private_ips": "Refuse hosts on private networks (default true).",
  store: "The long-term memory store's settings: semantic search (index) and item lifetimes (ttl).",
  "store.index": "Semantic store search: items are embedded on put and searches with a query are ranked by similarity.",
  "store.index.dims": "Number of dimensions of the vectors the embed function returns.",
  "store.index.embed": 'The embedding function: "./src/embed.ts:embed" (texts to vectors, or an Embeddings object) or "provider:model" built from that provider\'s LangChain package in the project.',
  "store.index.fields": 'JSON paths of the value to embed ("text", "metadata.title", "$" for the whole value); default ["$"].',
  "store.ttl": "Store item lifetimes, in minutes.",
  "store.ttl.default_ttl": "Lifetime in minutes of items put without their own ttl (no expiry when omitted).",
  "store.ttl.refresh_on_read": "Whether reads push an item's expiry back (default true; a request's refresh_ttl overrides).",
  "store.ttl.sweep_interval_minutes": "Minutes between sweeps deleting expired items (no sweep when omitted; expired items are never served).",
  checkpointer: "The checkpointer's settings: thread lifetimes (ttl).",
  "checkpointer.ttl": "Thread lifetimes: threads idle longer than their TTL are deleted or pruned.",
  "checkpointer.ttl.strategy": '"delete" (the thread with its runs and checkpoints) or "keep_latest" (only its latest checkpoint is kept).',
  "checkpointer.ttl.default_ttl": "TTL in minutes of threads created without their own.",
  "checkpointer.ttl.sweep_interval_minutes": "Minutes between sweeps (default 5).",
  "checkpointer.ttl.sweep_limit": "At most this many threads per sweep, oldest first (default 1000).",
};

type JsonSchema = Record<string, unknown>;

/** lg-dev's formats as standard JSON Schema. */
const FORMATS: Record<string, JsonSchema> = {
  "export-ref": { type: "string", minLength: 1, examples: ["./src/agent/graph.ts:graph"] },
  boolish: { anyOf: [{ type: "boolean" }, { type: "string", pattern: "^\\s*([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])\\s*$" }] },
  "allowed-hosts": { anyOf: [{ type: "array", items: { type: "string" } }, { const: true }, { const: "all" }] },
  "mount-prefix": { type: "string", pattern: "^(/[^/?#%\\s\\\\]+)+$", examples: ["/my-api"] },
};

function convert(schema: Schema, path: string): JsonSchema {
  const doc = path ? KEY_DOCS[path] : undefined;
  const out: JsonSchema = {};
  if (doc) out.description = doc;
  if (schema.format !== undefined) {
    const format = FORMATS[schema.format];
    if (!format) throw new Error(`no JSON Schema for format "${schema.format}"`);
    return { ...out, ...format };
  }
  // (`description` in schema.ts is the phrase error messages use, not documentation: left out.)
  if (schema.type !== undefined) out.type = schema.type;
  if (schema.anyOf) out.anyOf = schema.anyOf.map((s) => convert(s, ""));
  if (schema.items) out.items = convert(schema.items, "");
  if (schema.minProperties !== undefined) out.minProperties = schema.minProperties;
  if (schema.required) out.required = schema.required;
  if (schema.properties) {
    out.properties = Object.fromEntries(Object.entries(schema.properties).map(([key, s]) => [key, convert(s, path ? `${path}.${key}` : key)]));
  }
  if (typeof schema.additionalProperties === "object") out.additionalProperties = convert(schema.additionalProperties, "");
  return out;
}

/** The schema editors get. */
export function editorSchema(): JsonSchema {
  const root = convert(configSchema as Schema, "");
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "langgraph.json (lg-dev)",
    description: "The LangGraph project file as lg-dev reads it. Keys used only by the Python CLI or the platform are allowed too.",
    ...root,
    properties: { $schema: { type: "string", description: KEY_DOCS.$schema }, ...(root.properties as JsonSchema) },
  };
}

/** Every dotted key path the schema names (objects' `properties`, recursively; not free-form maps' keys). */
export function schemaKeyPaths(schema: Schema = configSchema as Schema, prefix = ""): string[] {
  const out: string[] = [];
  for (const [key, s] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    out.push(path, ...schemaKeyPaths(s, path));
  }
  return out;
}
