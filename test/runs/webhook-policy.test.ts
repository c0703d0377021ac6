/**
 * `webhooks` in langgraph.json: address kinds, the config and its header templates, the URL policy rule by rule
 * (with a fake resolver: no DNS query leaves this machine), and delivery that connects only to checked addresses.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, ValidationError } from "../../src/errors.js";
import { createLogger } from "../../src/logger.js";
import { classifyAddress } from "../../src/runs/ip-ranges.js";
import { resolveWebhookConfig, type WebhookUrlRules } from "../../src/runs/webhook-config.js";
import { WebhookPolicy, type Resolver } from "../../src/runs/webhook-policy.js";
import { WebhookSender } from "../../src/runs/webhooks.js";
import type { RunRecord } from "../../src/storage/types.js";

describe("classifyAddress", () => {
  it.each([
    ["8.8.8.8", "public"],
    ["93.184.216.34", "public"],
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", "public"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "private"],
    ["198.18.0.1", "private"],
    ["169.254.169.254", "link-local"],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "reserved"],
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["::", "unspecified"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:10.0.0.1", "private"],
    ["0:0:0:0:0:ffff:169.254.169.254", "link-local"],
    ["64:ff9b::a00:1", "private"],
    ["2002:7f00:1::", "loopback"],
    ["fd12:3456::1", "private"],
    ["fe80::1%eth0", "link-local"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "private"],
    ["2606:4700::1111", "public"],
  ])("%s is %s", (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it("says undefined for names", () => {
    expect(classifyAddress("example.com")).toBeUndefined();
  });
});

describe("resolveWebhookConfig", () => {
  it("is undefined without the key, and has Python's defaults with an empty one", () => {
    expect(resolveWebhookConfig(undefined)).toBeUndefined();
    expect(resolveWebhookConfig({})).toEqual({
      rules: { require_https: false, allowed_domains: [], allowed_ports: [], max_url_length: 4096, disable_loopback: true, disable_private_ips: true },
      headers: {},
    });
  });

  it("fills ${{ env.NAME }} templates, several per value and mixed with text", () => {
    const env = { LG_WEBHOOK_TOKEN: "s3cret", LG_WEBHOOK_TEAM: "blue" };
    const c = resolveWebhookConfig({ headers: { Authorization: "Bearer ${{ env.LG_WEBHOOK_TOKEN }}", "X-Team": "${{env.LG_WEBHOOK_TEAM}}/${{ env.LG_WEBHOOK_TOKEN }}", "X-Plain": "v" } }, env);
    expect(c?.headers).toEqual({ Authorization: "Bearer s3cret", "X-Team": "blue/s3cret", "X-Plain": "v" });
  });

  it("reads only variables with the env_prefix (default LG_WEBHOOK_)", () => {
    const env = { SECRET_KEY: "no", MYAPP_TOKEN: "yes" };
    expect(() => resolveWebhookConfig({ headers: { A: "${{ env.SECRET_KEY }}" } }, env)).toThrow(/env\.SECRET_KEY, which does not start with webhooks\.env_prefix "LG_WEBHOOK_"/);
    expect(resolveWebhookConfig({ env_prefix: "MYAPP_", headers: { A: "${{ env.MYAPP_TOKEN }}" } }, env)?.headers).toEqual({ A: "yes" });
  });

  it.each([
    [{ headers: { A: "${{ env.LG_WEBHOOK_MISSING }}" } }, /webhooks\.headers\.A .* env\.LG_WEBHOOK_MISSING, which is not set/],
    [{ headers: { A: "${{ secrets.X }}" } }, /unsupported template "\$\{\{ secrets\.X \}\}"/],
    [{ headers: { "Bad Name": "x" } }, /webhooks\.headers\.Bad Name .* not a valid HTTP header/],
    [{ headers: { A: "line\nbreak" } }, /webhooks\.headers\.A .* not a valid HTTP header/],
    [{ url: { allowed_ports: [0] } }, /allowed_ports .* port numbers/],
    [{ url: { allowed_domains: [""] } }, /allowed_domains .* host names/],
    [{ url: { max_url_length: -1 } }, /max_url_length .* positive integer/],
    [{ url: { require_https: "yes" } }, /require_https .* true or false/],
    [{ url: [] }, /webhooks\.url .* must be an object/],
  ])("refuses %j", (raw, message) => {
    expect(() => resolveWebhookConfig(raw, {})).toThrow(ConfigError);
    expect(() => resolveWebhookConfig(raw, {})).toThrow(message);
  });
});

/** A resolver answering from a table; unknown names fail as DNS does. */
function fakeResolver(table: Record<string, string[]>): Resolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = (async (host: string) => {
    asked.push(host);
    const found = table[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  }) as Resolver & { asked: string[] };
  resolve.asked = asked;
  return resolve;
}

const rules = (r: Partial<WebhookUrlRules> = {}): WebhookUrlRules => ({ ...resolveWebhookConfig({})!.rules, ...r });

async function refusal(policy: WebhookPolicy, url: string): Promise<string> {
  try {
    await policy.check(url);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).status).toBe(422);
    return (err as Error).message;
  }
  throw new Error(`expected ${url} to be refused`);
}

describe("WebhookPolicy", () => {
  const dns = fakeResolver({
    "hooks.example.com": ["93.184.216.34"],
    "a.corp.example": ["93.184.216.35"],
    "corp.example": ["93.184.216.36"],
    "intranet.example": ["10.0.0.7"],
    "mixed.example": ["93.184.216.34", "192.168.0.9"],
    "v6.example": ["2606:4700::1111"],
    "self.example": ["127.0.0.1"],
    "meta.example": ["169.254.169.254"],
    localhost: ["127.0.0.1", "::1"],
  });

  it("accepts a public https URL", async () => {
    await new WebhookPolicy(rules(), dns).check("https://hooks.example.com/x?y=1");
    await new WebhookPolicy(rules(), dns).check("https://v6.example/");
  });

  it("refuses a URL longer than max_url_length", async () => {
    const msg = await refusal(new WebhookPolicy(rules({ max_url_length: 30 }), dns), `https://hooks.example.com/${"a".repeat(30)}`);
    expect(msg).toMatch(/Webhook URL too long: 56 characters, more than webhooks\.url\.max_url_length \(30\)/);
  });

  it("refuses paths on this server unless disable_loopback is false", async () => {
    expect(await refusal(new WebhookPolicy(rules(), dns), "/hooks/done")).toMatch(/Loopback webhooks are disabled.*webhooks\.url\.disable_loopback/);
    await new WebhookPolicy(rules({ disable_loopback: false }), dns).check("/hooks/done");
  });

  it("refuses http:// with require_https", async () => {
    expect(await refusal(new WebhookPolicy(rules({ require_https: true }), dns), "http://hooks.example.com/")).toMatch(/must use https \(webhooks\.url\.require_https\)/);
    await new WebhookPolicy(rules({ require_https: true }), dns).check("https://hooks.example.com/");
  });

  it("checks the port, the scheme's default one included", async () => {
    const p = new WebhookPolicy(rules({ allowed_ports: [443, 8443] }), dns);
    await p.check("https://hooks.example.com/");
    await p.check("https://hooks.example.com:8443/");
    expect(await refusal(p, "http://hooks.example.com/")).toMatch(/Webhook port 80 not allowed \(webhooks\.url\.allowed_ports: 443, 8443\)/);
  });

  it("checks the host against allowed_domains: exact names, and *. for subdomains only", async () => {
    const p = new WebhookPolicy(rules({ allowed_domains: ["hooks.example.com", "*.corp.example"] }), dns);
    await p.check("https://HOOKS.example.com./x");
    await p.check("https://a.corp.example/x");
    expect(await refusal(p, "https://corp.example/x")).toMatch(/Webhook domain not allowed: "corp\.example" is not in webhooks\.url\.allowed_domains/);
    expect(await refusal(p, "https://evilhooks.example.com/")).toMatch(/domain not allowed/);
  });

  it("refuses hosts that resolve to private addresses (any of them) unless disable_private_ips is false", async () => {
    const p = new WebhookPolicy(rules(), dns);
    expect(await refusal(p, "https://intranet.example/")).toMatch(/"intranet\.example" resolves to 10\.0\.0\.7, which is a private address \(set webhooks\.url\.disable_private_ips to false/);
    expect(await refusal(p, "https://mixed.example/")).toMatch(/192\.168\.0\.9/);
    expect(await refusal(p, "http://10.0.0.1:8080/")).toMatch(/"10\.0\.0\.1" is a private address/);
    await new WebhookPolicy(rules({ disable_private_ips: false }), dns).check("https://intranet.example/");
  });

  it("refuses loopback hosts, by name, literal or DNS, unless disable_loopback is false", async () => {
    const p = new WebhookPolicy(rules(), dns);
    for (const url of ["http://localhost:3000/", "http://api.localhost/", "http://127.0.0.1/", "http://[::1]:80/", "http://2130706433/", "https://self.example/"]) {
      expect(await refusal(p, url)).toMatch(/is a loopback address \(set webhooks\.url\.disable_loopback to false/);
    }
    const open = new WebhookPolicy(rules({ disable_loopback: false }), dns);
    await open.check("http://127.0.0.1:3000/");
    await open.check("https://self.example/");
  });

  it("lets hosts listed in allowed_domains reach private and loopback addresses", async () => {
    const p = new WebhookPolicy(rules({ allowed_domains: ["intranet.example", "localhost"] }), dns);
    await p.check("https://intranet.example/");
    await p.check("http://localhost:9/");
  });

  it("never allows link-local / metadata addresses, whatever the switches", async () => {
    const lax = new WebhookPolicy(rules({ disable_loopback: false, disable_private_ips: false, allowed_domains: ["meta.example", "169.254.169.254", "metadata.google.internal"] }), dns);
    for (const url of ["http://169.254.169.254/latest/meta-data/", "https://meta.example/", "http://metadata.google.internal/"]) {
      expect(await refusal(lax, url)).toMatch(/is a link-local or cloud metadata address \(never allowed\)/);
    }
    const open = new WebhookPolicy(rules({ disable_loopback: false, disable_private_ips: false }), dns);
    expect(await refusal(open, "http://0.0.0.0:8080/")).toMatch(/unspecified address \(never allowed\)/);
    expect(await refusal(open, "http://[::ffff:169.254.169.254]/")).toMatch(/link-local/);
  });

  it("refuses a host that does not resolve", async () => {
    expect(await refusal(new WebhookPolicy(rules(), dns), "https://nowhere.example/")).toMatch(/Failed to resolve webhook host "nowhere\.example": ENOTFOUND/);
  });
});

/** A receiver on 127.0.0.1 (the only address these tests send to). */
async function receiver() {
  const hits: Array<{ headers: IncomingMessage["headers"]; body: string }> = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      hits.push({ headers: req.headers, body });
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as AddressInfo).port, hits, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function runWith(webhook: string): RunRecord {
  return {
    run_id: "11111111-1111-4111-8111-111111111111",
    thread_id: "22222222-2222-4222-8222-222222222222",
    assistant_id: "33333333-3333-4333-8333-333333333333",
    created_at: "2030-01-01T00:00:00.000Z",
    updated_at: "2030-01-01T00:00:01.000Z",
    status: "success",
    metadata: {},
    kwargs: { config: { configurable: {} }, stream_mode: ["values"], stream_subgraphs: false, stream_resumable: false, temporary: false, webhook },
    multitask_strategy: "reject",
    not_before: "2030-01-01T00:00:00.000Z",
  };
}

describe("delivery under the policy", () => {
  it("connects to the address it checked, sends the configured headers and the Host of the URL", async () => {
    const r = await receiver();
    cleanups.push(r.close);
    const dns = fakeResolver({ "hooks.test": ["127.0.0.1"] });
    const config = resolveWebhookConfig({ url: { disable_loopback: false }, headers: { "X-Token": "${{ env.LG_WEBHOOK_T }}" } }, { LG_WEBHOOK_T: "tok" });
    const sender = new WebhookSender({ logger: createLogger("silent"), config, resolver: dns });
    sender.onRunFinished(runWith(`http://hooks.test:${r.port}/hook`), { status: "success", values: { ok: 1 } });
    await sender.idle();
    expect(r.hits).toHaveLength(1);
    expect(r.hits[0]!.headers["x-token"]).toBe("tok");
    expect(r.hits[0]!.headers.host).toBe(`hooks.test:${r.port}`);
    expect(r.hits[0]!.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(r.hits[0]!.body)).toMatchObject({ status: "success", values: { ok: 1 } });
    expect(dns.asked).toEqual(["hooks.test"]);
  });

  it("refuses at connect time a host that rebinds to a loopback address after the run was created", async () => {
    const r = await receiver();
    cleanups.push(r.close);
    let answers = 0;
    // The first answer (run creation) is a public address, every later one (the socket's lookup) is loopback.
    const rebinding: Resolver = async () => [{ address: answers++ === 0 ? "93.184.216.34" : "127.0.0.1", family: 4 }];
    const lines: string[] = [];
    const config = resolveWebhookConfig({});
    const sender = new WebhookSender({ logger: createLogger("debug", { out: (s) => lines.push(s), err: (s) => lines.push(s) }), config, resolver: rebinding, retries: 3, backoffMs: 1 });
    const url = `http://rebind.test:${r.port}/hook`;
    await sender.validate(url);
    sender.onRunFinished(runWith(url), { status: "success", values: null });
    await sender.idle();
    expect(r.hits).toHaveLength(0);
    const failure = lines.find((l) => l.includes("warn") && l.includes(url));
    expect(failure).toMatch(/"rebind\.test" resolves to 127\.0\.0\.1, which is a loopback address/);
    // a refusal by the policy is final: one lookup for the one attempt, no retries
    expect(answers).toBe(2);
  });

  it("checks path webhooks again when they are sent", async () => {
    const lines: string[] = [];
    const sender = new WebhookSender({ logger: createLogger("warn", { out: (s) => lines.push(s), err: (s) => lines.push(s) }), config: resolveWebhookConfig({}) });
    let delivered = 0;
    sender.bindLoopback(async () => (delivered += 1, 200));
    sender.onRunFinished(runWith("/hooks/done"), { status: "success", values: null });
    await sender.idle();
    expect(delivered).toBe(0);
    expect(lines.join("")).toMatch(/Loopback webhooks are disabled/);
  });

  it("path webhooks, when allowed, get the configured headers too", async () => {
    const sender = new WebhookSender({ logger: createLogger("silent"), config: resolveWebhookConfig({ url: { disable_loopback: false }, headers: { "X-A": "1" } }) });
    const seen: Array<Record<string, string>> = [];
    sender.bindLoopback(async (_u, _b, headers) => (seen.push(headers), 200));
    sender.onRunFinished(runWith("/hooks/done"), { status: "success", values: null });
    await sender.idle();
    expect(seen).toEqual([{ "content-type": "application/json", "X-A": "1" }]);
  });
});
