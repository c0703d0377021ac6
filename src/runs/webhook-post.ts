/**
 * One POST of a webhook over the network, with node:http(s) rather than fetch: its `lookup` option lets the URL
 * policy choose (and check) the address the socket connects to (webhook-policy.ts). Redirects are not followed
 * (a 3xx counts as delivered): following one would send the payload to a host nobody checked.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";

/** Options of {@link postWebhook}. */
export interface PostOptions {
  headers: Record<string, string>;
  signal: AbortSignal;
  /** The DNS lookup of the socket (the policy's checking one); default: the OS resolver. */
  lookup?: LookupFunction;
}

/** POST `body` to `url`; resolves with the response status once its body has been read. */
export function postWebhook(url: URL, body: string, o: PostOptions): Promise<number> {
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: "POST",
        headers: { ...o.headers, "content-length": String(Buffer.byteLength(body)) },
        signal: o.signal,
        ...(o.lookup ? { lookup: o.lookup } : {}),
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
