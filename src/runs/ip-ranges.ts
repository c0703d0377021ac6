/**
 * What kind of address an IP is, for the webhook URL policy: a public address, or one of the kinds a webhook must
 * not reach without the operator's say-so. Pure; IPv4-mapped, NAT64 and 6to4 IPv6 addresses are judged by the
 * IPv4 address they carry (they reach it).
 */
import { isIPv4, isIPv6 } from "node:net";

/**
 * - `loopback`: this machine (127/8, ::1).
 * - `private`: a local network or a special-purpose range that is not the public internet (10/8, 172.16/12,
 *   192.168/16, 100.64/10, fc00::/7, the documentation and benchmarking ranges…).
 * - `link-local`: 169.254/16 (where cloud metadata services answer), fe80::/10.
 * - `unspecified`: 0.0.0.0/8 and :: (a connection to them reaches this machine).
 * - `multicast`, `reserved`: nothing a webhook can be delivered to.
 */
export type AddressKind = "public" | "loopback" | "private" | "link-local" | "unspecified" | "multicast" | "reserved";

type V4Range = [base: number, bits: number, kind: AddressKind];

const v4 = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

/** Most specific first does not matter: the ranges do not overlap. */
const V4_RANGES: V4Range[] = [
  [v4(0, 0, 0, 0), 8, "unspecified"],
  [v4(10, 0, 0, 0), 8, "private"],
  [v4(100, 64, 0, 0), 10, "private"], // carrier-grade NAT
  [v4(127, 0, 0, 0), 8, "loopback"],
  [v4(169, 254, 0, 0), 16, "link-local"],
  [v4(172, 16, 0, 0), 12, "private"],
  [v4(192, 0, 0, 0), 24, "private"], // IETF protocol assignments
  [v4(192, 0, 2, 0), 24, "private"], // documentation
  [v4(192, 88, 99, 0), 24, "private"], // 6to4 relay anycast
  [v4(192, 168, 0, 0), 16, "private"],
  [v4(198, 18, 0, 0), 15, "private"], // benchmarking (and "fake-IP" proxies)
  [v4(198, 51, 100, 0), 24, "private"], // documentation
  [v4(203, 0, 113, 0), 24, "private"], // documentation
  [v4(224, 0, 0, 0), 4, "multicast"],
  [v4(240, 0, 0, 0), 4, "reserved"], // includes 255.255.255.255
];

function classifyV4(n: number): AddressKind {
  for (const [base, bits, kind] of V4_RANGES) {
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    if ((n & mask) >>> 0 === base) return kind;
  }
  return "public";
}

/** The kind of an IP address (v4 or v6 text, as DNS or a URL gives it); `undefined` when it is not an IP. */
export function classifyAddress(address: string): AddressKind | undefined {
  const ip = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  if (isIPv4(ip)) return classifyV4(parseV4(ip));
  if (!isIPv6(ip)) return undefined;
  const w = parseV6(ip.replace(/%.*$/, ""));
  const zeroUpTo = (n: number) => w.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(8)) return "unspecified";
  if (zeroUpTo(7) && w[7] === 1) return "loopback";
  // ::ffff:a.b.c.d (mapped) and the deprecated ::a.b.c.d (compatible) reach the IPv4 address.
  if (zeroUpTo(5) && (w[5] === 0xffff || w[5] === 0)) return classifyV4(((w[6]! << 16) | w[7]!) >>> 0);
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address too.
  if (w[0] === 0x64 && w[1] === 0xff9b && w.slice(2, 6).every((x) => x === 0)) return classifyV4(((w[6]! << 16) | w[7]!) >>> 0);
  if (w[0] === 0x2002) return classifyV4(((w[1]! << 16) | w[2]!) >>> 0);
  const first = w[0]!;
  if ((first & 0xfe00) === 0xfc00) return "private"; // unique local fc00::/7
  if ((first & 0xffc0) === 0xfec0) return "private"; // site-local (deprecated) fec0::/10
  if ((first & 0xffc0) === 0xfe80) return "link-local";
  if ((first & 0xff00) === 0xff00) return "multicast";
  if (first === 0x2001 && w[1] === 0x0db8) return "private"; // documentation
  if (first === 0x0100 && w.slice(1, 4).every((x) => x === 0)) return "reserved"; // discard prefix 100::/64
  return "public";
}

function parseV4(ip: string): number {
  const [a, b, c, d] = ip.split(".").map(Number) as [number, number, number, number];
  return v4(a, b, c, d);
}

/** Eight 16-bit words of a valid IPv6 address (net.isIPv6 already said it is one). */
function parseV6(ip: string): number[] {
  let text = ip.toLowerCase();
  const tail: number[] = [];
  // A trailing dotted quad (::ffff:1.2.3.4) is the last two words.
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const n = parseV4(quad[1]!);
    tail.push(n >>> 16, n & 0xffff);
    text = text.slice(0, -quad[1]!.length);
    if (text.endsWith(":") && !text.endsWith("::")) text = text.slice(0, -1);
  }
  const words = (s: string) => (s === "" ? [] : s.split(":").map((h) => parseInt(h, 16)));
  const [head, rest] = text.split("::") as [string, string | undefined];
  const left = words(head);
  const right = [...(rest === undefined ? [] : words(rest)), ...tail];
  if (rest === undefined) return [...left, ...right];
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}
