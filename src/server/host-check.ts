/**
 * DNS rebinding protection. A web page on another site can point its own hostname at 127.0.0.1 and then talk to a
 * local server as same-origin (CORS never applies). What gives it away is the `Host` header, which still names the
 * attacker's hostname. So, listening on loopback, lg-dev answers only requests whose Host is a loopback name or one
 * the user allowed - as vite's `server.allowedHosts` does.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { isLoopbackAddress } from "../auth/loopback.js";

/** Hosts allowed besides the loopback names, or `true` for any host (the check is off). */
export type AllowedHosts = string[] | true;

/** Split a Host header into its host name (lower case, brackets kept for IPv6) and port; undefined if malformed. */
export function parseHostHeader(header: string): { name: string; port?: string } | undefined {
  const text = header.trim().toLowerCase();
  let name: string;
  let rest: string;
  if (text.startsWith("[")) {
    const end = text.indexOf("]");
    if (end < 0) return undefined;
    name = text.slice(0, end + 1);
    rest = text.slice(end + 1);
  } else {
    const colon = text.indexOf(":");
    name = colon < 0 ? text : text.slice(0, colon);
    rest = colon < 0 ? "" : text.slice(colon);
  }
  if (rest !== "" && !/^:\d{1,5}$/.test(rest)) return undefined;
  // A host name, an IPv4 address, or a bracketed IPv6 one: nothing else (no userinfo, paths or spaces).
  if (!/^(\[[0-9a-f:.]+\]|[a-z0-9_]([a-z0-9_.-]*[a-z0-9_.])?)$/.test(name)) return undefined;
  return { name: name.endsWith(".") && !name.startsWith("[") ? name.slice(0, -1) : name, ...(rest ? { port: rest.slice(1) } : {}) };
}

/**
 * True when the Host names this machine's loopback: `localhost`, `*.localhost` (reserved for loopback by RFC 6761,
 * and browsers resolve it themselves, so no DNS answer can move it), 127.0.0.0/8 and [::1].
 */
export function isLoopbackHostName(name: string): boolean {
  return name === "localhost" || name.endsWith(".localhost") || isLoopbackAddress(name);
}

/** Whether a request with this Host header may be served. `allowed` entries: `example.com`, or `.example.com` for it and its subdomains. */
export function isHostAllowed(header: string | undefined, allowed: string[]): boolean {
  // No Host at all (HTTP/1.0 clients): not a browser, so not a rebinding page.
  if (header === undefined || header === "") return true;
  const host = parseHostHeader(header);
  if (!host) return false;
  if (isLoopbackHostName(host.name)) return true;
  const withPort = host.port ? `${host.name}:${host.port}` : host.name;
  for (const raw of allowed) {
    const entry = raw.trim().toLowerCase().replace(/\.$/, "");
    if (entry === "") continue;
    if (entry.startsWith(".")) {
      if (host.name === entry.slice(1) || host.name.endsWith(entry)) return true;
    } else if (entry === host.name || entry === withPort) {
      return true;
    }
  }
  return false;
}

/** The `onRequest` hook refusing other hosts with a 403 that says how to allow them. */
export function hostCheckHook(allowed: string[]) {
  return (req: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    const header = req.headers.host;
    // An absolute-form request line (`GET http://x/ HTTP/1.1`) names the host too: it must pass as well.
    const target = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(req.raw.url ?? "")?.[1];
    if (isHostAllowed(header, allowed) && (target === undefined || isHostAllowed(target, allowed))) return done();
    const shown = (target !== undefined && !isHostAllowed(target, allowed) ? target : header) ?? "";
    const name = parseHostHeader(shown)?.name ?? shown;
    void reply
      .code(403)
      .type("text/plain; charset=utf-8")
      .send(
        `Blocked request: the host ${JSON.stringify(shown)} is not allowed. lg-dev listens on a loopback address and ` +
          `answers only requests for localhost, 127.0.0.1 or [::1], so that a web page cannot reach it through DNS rebinding. ` +
          `To allow this host, start lg-dev with --allowed-host ${name} or add ${JSON.stringify(name)} to "http.allowed_hosts" in langgraph.json.`,
      );
  };
}

/** The check as a plugin. Register it first: a rebinding page gets nothing, not even a CORS preflight or a 401. */
export const hostCheck = fp(async (app: FastifyInstance, { allowed }: { allowed: string[] }) => {
  app.addHook("onRequest", hostCheckHook(allowed));
});

/**
 * The hosts to serve for a listen address: off (`undefined`) on a non-loopback address, where the server is meant
 * to be reached by other names; otherwise the union of the flag's and langgraph.json's lists (`true` in either: off).
 */
export function resolveAllowedHosts(listenHost: string, ...lists: Array<AllowedHosts | undefined>): AllowedHosts | undefined {
  if (!isLoopbackHostName(listenHost.toLowerCase())) return undefined;
  if (lists.some((l) => l === true)) return true;
  return lists.flatMap((l) => (Array.isArray(l) ? l : []));
}
