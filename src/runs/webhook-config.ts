/**
 * `webhooks` in langgraph.json (Python's `WebhooksConfig`), resolved once at start-up: the URL policy with its
 * defaults, and the static headers with their `${{ env.NAME }}` templates filled in from the environment. Only
 * variables whose name starts with `env_prefix` (default `LG_WEBHOOK_`) may be read, so a header template cannot
 * leak an arbitrary secret of the server's environment. Every mistake is a `ConfigError` naming the key.
 */
import { validateHeaderName, validateHeaderValue } from "node:http";
import { ConfigError } from "../errors.js";

/** `webhooks.url`: which webhook URLs runs may name. */
export interface WebhookUrlRules {
  /** Refuse `http://` URLs. Default false. */
  require_https: boolean;
  /** Host names allowed (`hooks.example.com`, or `*.example.com` for its subdomains, not the apex); empty: any. */
  allowed_domains: string[];
  /** Ports allowed (the scheme's default port when the URL names none); empty: any. */
  allowed_ports: number[];
  /** Longest URL accepted. Default 4096. */
  max_url_length: number;
  /** Refuse paths on this server (`/hooks/done`) and hosts on this machine. Default true, as in Python's server. */
  disable_loopback: boolean;
  /** Refuse hosts on private networks (10/8, 192.168/16, fc00::/7…). Default true. */
  disable_private_ips: boolean;
}

/** The resolved `webhooks` section. */
export interface WebhookConfig {
  rules: WebhookUrlRules;
  /** Headers added to every webhook request, templates resolved. */
  headers: Record<string, string>;
}

export const DEFAULT_ENV_PREFIX = "LG_WEBHOOK_";
const DEFAULT_MAX_URL_LENGTH = 4096;

/** Resolve `webhooks` (undefined: no policy at all, as without the key). Reads `env` for header templates. */
export function resolveWebhookConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env): WebhookConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  const c = asObject(raw, "webhooks");
  const url = c.url === undefined ? {} : asObject(c.url, "webhooks.url");
  const prefix = c.env_prefix === undefined ? DEFAULT_ENV_PREFIX : c.env_prefix;
  if (typeof prefix !== "string") throw new ConfigError(`webhooks.env_prefix in langgraph.json must be a string, got ${JSON.stringify(prefix)}`);
  return {
    rules: {
      require_https: flag(url, "require_https", false),
      allowed_domains: domains(url.allowed_domains),
      allowed_ports: ports(url.allowed_ports),
      max_url_length: maxLength(url.max_url_length),
      disable_loopback: flag(url, "disable_loopback", true),
      disable_private_ips: flag(url, "disable_private_ips", true),
    },
    headers: headers(c.headers, prefix, env),
  };
}

const TEMPLATE = /\$\{\{\s*(.*?)\s*\}\}/g;

/** Fill in `${{ env.NAME }}` templates (several per value, mixed with text); anything else in `${{ }}` is refused. */
export function resolveHeaderTemplate(value: string, where: string, prefix: string, env: NodeJS.ProcessEnv): string {
  return value.replace(TEMPLATE, (_match, expr: string) => {
    const name = /^env\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(expr)?.[1];
    if (!name) throw new ConfigError(`${where} in langgraph.json: unsupported template "\${{ ${expr} }}" (only \${{ env.NAME }} is supported)`);
    if (!name.startsWith(prefix)) {
      throw new ConfigError(`${where} in langgraph.json reads env.${name}, which does not start with webhooks.env_prefix "${prefix}" (only variables with that prefix may be sent)`);
    }
    const v = env[name];
    if (v === undefined) throw new ConfigError(`${where} in langgraph.json reads env.${name}, which is not set`);
    return v;
  });
}

function headers(raw: unknown, prefix: string, env: NodeJS.ProcessEnv): Record<string, string> {
  if (raw === undefined) return {};
  const h = asObject(raw, "webhooks.headers");
  const out: Record<string, string> = {};
  for (const [name, template] of Object.entries(h)) {
    const where = `webhooks.headers.${name}`;
    if (typeof template !== "string") throw new ConfigError(`${where} in langgraph.json must be a string, got ${JSON.stringify(template)}`);
    const value = resolveHeaderTemplate(template, where, prefix, env);
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch (err) {
      throw new ConfigError(`${where} in langgraph.json is not a valid HTTP header: ${(err as Error).message}`);
    }
    out[name] = value;
  }
  return out;
}

function asObject(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new ConfigError(`${where} in langgraph.json must be an object, got ${JSON.stringify(v)}`);
  return v as Record<string, unknown>;
}

function flag(o: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const v = o[key];
  if (v === undefined) return fallback;
  if (typeof v !== "boolean") throw new ConfigError(`webhooks.url.${key} in langgraph.json must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function domains(v: unknown): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((d) => typeof d === "string" && d.trim() !== "")) {
    throw new ConfigError(`webhooks.url.allowed_domains in langgraph.json must be a list of host names ("hooks.example.com", "*.example.com"), got ${JSON.stringify(v)}`);
  }
  return v.map((d: string) => d.trim().toLowerCase().replace(/\.$/, ""));
}

function ports(v: unknown): number[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((p) => Number.isInteger(p) && p >= 1 && p <= 65535)) {
    throw new ConfigError(`webhooks.url.allowed_ports in langgraph.json must be a list of port numbers (1-65535), got ${JSON.stringify(v)}`);
  }
  return v as number[];
}

function maxLength(v: unknown): number {
  if (v === undefined) return DEFAULT_MAX_URL_LENGTH;
  if (!Number.isInteger(v) || (v as number) < 1) throw new ConfigError(`webhooks.url.max_url_length in langgraph.json must be a positive integer, got ${JSON.stringify(v)}`);
  return v as number;
}
