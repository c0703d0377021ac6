/**
 * The webhook URL policy of `webhooks.url` (Python's `WebhookUrlPolicy`), checked in Python's order: length, paths
 * on this server, scheme, port, host allowlist, then every address the host resolves to. A refused URL is a
 * `ValidationError` (422) whose message names the rule, so a run naming it is refused at creation.
 *
 * DNS rebinding: a host may resolve to a public address when the run is created and to 127.0.0.1 when the
 * webhook is sent. So delivery does not trust the first check: `lookup()` is the DNS lookup of the request itself,
 * and it checks the addresses it hands to the socket, so the address connected to is always one that was checked.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import { ValidationError } from "../errors.js";
import { classifyAddress, type AddressKind } from "./ip-ranges.js";
import type { WebhookUrlRules } from "./webhook-config.js";

/** Resolve a host name to all its addresses (tests inject one; the default is the OS resolver, as sockets use). */
export type Resolver = (host: string) => Promise<LookupAddress[]>;

/** The OS resolver (getaddrinfo: /etc/hosts first), all addresses. */
export const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) => dnsLookup(host, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));

/** A URL the static rules accepted: where to send it and whether its host is on the allowlist. */
export type CheckedTarget = { kind: "path" } | { kind: "url"; url: URL; host: string; allowlisted: boolean };

/** Names that reach this machine or a cloud metadata service whatever DNS says. */
const LOOPBACK_NAMES = new Set(["localhost", "localhost.localdomain", "host.docker.internal"]);
const METADATA_NAMES = new Set(["metadata", "metadata.google.internal", "instance-data"]);

const RESOLVE_TIMEOUT_MS = 5_000;

/** Checks webhook URLs against `webhooks.url`. */
export class WebhookPolicy {
  constructor(
    readonly rules: WebhookUrlRules,
    private readonly resolve: Resolver = systemResolver,
  ) {}

  /** Every rule, DNS included (run creation). Throws `ValidationError`. */
  async check(url: string): Promise<void> {
    const target = this.checkStatic(url);
    if (target.kind === "path") return;
    if (classifyAddress(target.host) !== undefined) return; // an IP literal: checkStatic judged it
    const addresses = await this.resolveHost(target.host);
    this.checkAddresses(target.host, addresses.map((a) => a.address), target.allowlisted);
  }

  /** The rules that need no DNS; an IP literal (or a name such as `localhost`) is judged here too. */
  checkStatic(raw: string): CheckedTarget {
    const r = this.rules;
    if (raw.length > r.max_url_length) {
      throw new ValidationError(`Webhook URL too long: ${raw.length} characters, more than webhooks.url.max_url_length (${r.max_url_length})`);
    }
    if (raw.startsWith("/")) {
      if (r.disable_loopback) {
        throw new ValidationError(`Loopback webhooks are disabled: "${raw}" is a path on this server (set webhooks.url.disable_loopback to false to allow it)`);
      }
      return { kind: "path" };
    }
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ValidationError(`Invalid webhook URL: ${JSON.stringify(raw)}`);
    }
    const scheme = url.protocol.slice(0, -1);
    if (scheme !== "http" && scheme !== "https") throw new ValidationError(`Webhook must use http or https, got "${scheme}:"`);
    if (r.require_https && scheme !== "https") throw new ValidationError(`Webhook must use https (webhooks.url.require_https): ${raw}`);
    if (r.allowed_ports.length > 0) {
      const port = url.port === "" ? (scheme === "https" ? 443 : 80) : Number(url.port);
      if (!r.allowed_ports.includes(port)) {
        throw new ValidationError(`Webhook port ${port} not allowed (webhooks.url.allowed_ports: ${r.allowed_ports.join(", ")})`);
      }
    }
    const host = url.hostname.replace(/^\[|\]$/g, "").replace(/\.$/, "").toLowerCase();
    if (host === "") throw new ValidationError(`Invalid webhook hostname in ${raw}`);
    const allowlisted = r.allowed_domains.length > 0 && isAllowedDomain(host, r.allowed_domains);
    if (r.allowed_domains.length > 0 && !allowlisted) {
      throw new ValidationError(`Webhook domain not allowed: "${host}" is not in webhooks.url.allowed_domains (${r.allowed_domains.join(", ")})`);
    }
    if (METADATA_NAMES.has(host)) this.refuse(host, undefined, "link-local", allowlisted);
    if (LOOPBACK_NAMES.has(host) || host.endsWith(".localhost")) this.refuse(host, undefined, "loopback", allowlisted);
    if (classifyAddress(host) !== undefined) this.checkAddresses(host, [host], allowlisted);
    return { kind: "url", url, host, allowlisted };
  }

  /** Every address must be allowed (one bad answer is enough to refuse: the socket may pick any of them). */
  checkAddresses(host: string, addresses: string[], allowlisted: boolean): void {
    for (const address of addresses) {
      const kind = classifyAddress(address) ?? "reserved";
      if (kind !== "public") this.refuse(host, address, kind, allowlisted);
    }
  }

  /**
   * The DNS lookup for the delivery's socket (`http.request({ lookup })`): it resolves the host, checks every
   * address and hands only checked ones to the socket, so a host that rebinds to a private address after the run
   * was created is refused at connect time. (Sockets skip the lookup for IP literals, which checkStatic judged.)
   */
  lookupFor(allowlisted: boolean): LookupFunction {
    return ((hostname: string, options: { all?: boolean; family?: number | string }, callback: (...args: unknown[]) => void) => {
      this.resolveHost(hostname)
        .then((found) => {
          const family = options.family === 4 || options.family === "IPv4" ? 4 : options.family === 6 || options.family === "IPv6" ? 6 : 0;
          const addresses = family ? found.filter((a) => a.family === family) : found;
          this.checkAddresses(hostname.toLowerCase(), addresses.map((a) => a.address), allowlisted);
          if (addresses.length === 0) throw Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" });
          if (options.all) callback(null, addresses);
          else callback(null, addresses[0]!.address, addresses[0]!.family);
        })
        .catch((err: unknown) => callback(err));
    }) as LookupFunction;
  }

  private async resolveHost(host: string): Promise<LookupAddress[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("timed out")), RESOLVE_TIMEOUT_MS);
      timer.unref();
    });
    try {
      return await Promise.race([this.resolve(host), timeout]);
    } catch (err) {
      throw new ValidationError(`Failed to resolve webhook host "${host}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Throw unless the kind is allowed: loopback and private ones by their switch or the allowlist, never the rest. */
  private refuse(host: string, address: string | undefined, kind: AddressKind, allowlisted: boolean): void {
    const what = address === undefined || address === host ? `"${host}"` : `"${host}" resolves to ${address}, which`;
    if (kind === "loopback" && (!this.rules.disable_loopback || allowlisted)) return;
    if (kind === "private" && (!this.rules.disable_private_ips || allowlisted)) return;
    const rule =
      kind === "loopback"
        ? "set webhooks.url.disable_loopback to false, or list the host in webhooks.url.allowed_domains, to allow it"
        : kind === "private"
          ? "set webhooks.url.disable_private_ips to false, or list the host in webhooks.url.allowed_domains, to allow it"
          : "never allowed";
    const label = kind === "link-local" ? "a link-local or cloud metadata address" : kind === "unspecified" ? "an unspecified address" : `a ${kind} address`;
    throw new ValidationError(`Webhook host blocked: ${what} is ${label} (${rule})`);
  }
}

/** `hooks.example.com` matches itself; `*.example.com` matches its subdomains, not `example.com`. */
export function isAllowedDomain(host: string, allowed: readonly string[]): boolean {
  return allowed.some((pattern) => (pattern.startsWith("*.") ? host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1 : host === pattern));
}
