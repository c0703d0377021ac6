/** Deciding whether a TCP peer is this machine: only then may a request claim to be LangGraph Studio. */
import { isIPv4, isIPv6 } from "node:net";

/**
 * True for 127.0.0.0/8, ::1 and IPv4-mapped loopback (`::ffff:127.x.y.z`, however it is spelled).
 * Anything unparseable is not loopback: this check guards an authentication bypass, so it fails closed.
 */
export function isLoopbackAddress(addr: string | undefined): boolean {
  if (typeof addr !== "string") return false;
  let text = addr.trim();
  if (text.startsWith("[") && text.endsWith("]")) text = text.slice(1, -1);
  if (isIPv4(text)) return text.startsWith("127.");
  if (!isIPv6(text)) return false;
  // A zone id (`::1%lo0`) names an interface, not an address; loopback has none, so refuse it rather than guess.
  if (text.includes("%")) return false;
  // The WHATWG URL parser canonicalises IPv6 (zero compression, hex form of an embedded IPv4), so every spelling
  // of the same address compares equal below.
  let canonical: string;
  try {
    canonical = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return false;
  }
  if (canonical === "::1") return true;
  // ::ffff:127.a.b.c canonicalises to ::ffff:7fXX:YYYY.
  return /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(canonical);
}

/** Headers with which proxies announce that they relayed a request (browsers never send them themselves). */
const FORWARDING_HEADERS = ["forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip"];

/**
 * True when a request comes from this machine: a loopback peer that no proxy relayed. A request relayed by a proxy
 * or tunnel on this machine (ngrok, cloudflared, nginx) comes from loopback but is not from this machine.
 */
export function isLocalPeer(remoteAddress: string | undefined, headers: Record<string, string | string[] | undefined>): boolean {
  return isLoopbackAddress(remoteAddress) && !FORWARDING_HEADERS.some((h) => headers[h] !== undefined);
}
