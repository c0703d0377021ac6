import { request } from "node:http";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { isHostAllowed, parseHostHeader, resolveAllowedHosts } from "../../src/server/host-check.js";
import { copyFixture, startServer, type RunningServer } from "../helpers/spawn.js";
import { makeTestApp } from "../helpers/app.js";

describe("Host header rules", () => {
  it("serves loopback names with any port", () => {
    for (const h of ["localhost", "localhost:2024", "LOCALHOST:1", "127.0.0.1", "127.0.0.1:2024", "127.8.9.1:80", "[::1]", "[::1]:2024", "studio.localhost:3000", "localhost.", "[::ffff:127.0.0.1]:1"]) {
      expect(isHostAllowed(h, []), h).toBe(true);
    }
  });

  it("refuses every other name, malformed ones and tricks", () => {
    for (const h of [
      "evil.com",
      "evil.com:2024",
      "localhost.evil.com",
      "127.0.0.1.nip.io",
      "evil.com:2024@localhost",
      "localhost@evil.com",
      "localhost:2024/..",
      "localhost:abc",
      "10.0.0.1",
      "0.0.0.0:2024",
      "[::]:2024",
      "::1",
      "[::1",
      "local host",
      "localhost:2024, evil.com",
      "xlocalhost",
    ]) {
      expect(isHostAllowed(h, []), h).toBe(false);
    }
  });

  it("allows what the user listed: exact names, names with a port, and .domain for a domain and its subdomains", () => {
    const allowed = ["my.dev", ".corp.test", "tunnel.example:8443", "Upper.Case."];
    for (const h of ["my.dev", "my.dev:9", "corp.test", "a.b.corp.test:1", "tunnel.example:8443", "upper.case"]) expect(isHostAllowed(h, allowed), h).toBe(true);
    for (const h of ["evil.my.dev", "xcorp.test", "tunnel.example", "tunnel.example:1", "my.dev.evil"]) expect(isHostAllowed(h, allowed), h).toBe(false);
  });

  it("parses the host and port", () => {
    expect(parseHostHeader("[::1]:80")).toEqual({ name: "[::1]", port: "80" });
    expect(parseHostHeader("Example.COM.")).toEqual({ name: "example.com" });
    expect(parseHostHeader("a:b:c")).toBeUndefined();
  });

  it("is on for loopback listen addresses only; true or all anywhere turns it off", () => {
    expect(resolveAllowedHosts("127.0.0.1", undefined, undefined)).toEqual([]);
    expect(resolveAllowedHosts("localhost", ["a"], ["b"])).toEqual(["a", "b"]);
    expect(resolveAllowedHosts("::1", ["a"], true)).toBe(true);
    expect(resolveAllowedHosts("0.0.0.0", ["a"], undefined)).toBeUndefined();
    expect(resolveAllowedHosts("::", undefined, undefined)).toBeUndefined();
    expect(resolveAllowedHosts("192.168.1.20", undefined, undefined)).toBeUndefined();
  });
});

describe("every route checks the Host (app.inject)", () => {
  let app: FastifyInstance;
  let close: () => Promise<void>;
  afterEach(() => close());

  it("answers 403 with how to allow it, on public routes, API routes, unknown paths and CORS preflights", async () => {
    ({ app, close } = await makeTestApp({ deps: { allowedHosts: ["my.dev"] } }));
    const cases = [
      { method: "GET", url: "/ok" },
      { method: "GET", url: "/info" },
      { method: "GET", url: "/docs" },
      { method: "GET", url: "/openapi.json" },
      { method: "POST", url: "/threads", payload: {} },
      { method: "POST", url: "/internal/truncate", payload: { threads: true } },
      { method: "GET", url: "/no/such/path" },
      { method: "OPTIONS", url: "/threads", headers: { origin: "http://evil.com:2024", "access-control-request-method": "POST" } },
    ] as const;
    for (const c of cases) {
      const res = await app.inject({ ...c, headers: { ...("headers" in c ? c.headers : {}), host: "evil.com:2024" } } as never);
      expect(res.statusCode, `${c.method} ${c.url}`).toBe(403);
      expect(res.headers["content-type"]).toMatch(/^text\/plain/);
      expect(res.headers["access-control-allow-origin"]).toBeUndefined();
      expect(res.body).toContain('the host "evil.com:2024" is not allowed');
      expect(res.body).toContain("--allowed-host evil.com");
      expect(res.body).toContain("http.allowed_hosts");
    }
    expect((await app.inject({ method: "GET", url: "/ok", headers: { host: "my.dev:2024" } })).statusCode).toBe(200);
    expect((await app.inject({ method: "GET", url: "/ok", headers: { host: "127.0.0.1:2024" } })).statusCode).toBe(200);
    expect((await app.inject({ method: "POST", url: "/threads", payload: {}, headers: { host: "localhost:5" } })).statusCode).toBe(200);
    // Nothing was written by the refused requests.
    expect(JSON.parse((await app.inject({ method: "POST", url: "/threads/count", payload: {} })).body)).toBe(1);
  });

  it("is off when buildApp gets no list (non-loopback listen address) or true", async () => {
    for (const allowedHosts of [undefined, true as const]) {
      ({ app, close } = await makeTestApp({ deps: allowedHosts === undefined ? {} : { allowedHosts } }));
      expect((await app.inject({ method: "GET", url: "/ok", headers: { host: "evil.com" } })).statusCode).toBe(200);
      await close();
    }
    ({ app, close } = await makeTestApp());
  });
});

/** A GET with a chosen Host header (fetch does not let one set it). */
function getWithHost(url: string, host: string, path = "/ok"): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((res, rej) => {
    const req = request({ hostname: u.hostname, port: u.port, path, headers: { host } }, (r) => {
      let body = "";
      r.on("data", (d) => (body += d));
      r.on("end", () => res({ status: r.statusCode!, body }));
    });
    req.on("error", rej);
    req.end();
  });
}

describe("lg-dev --allowed-host and http.allowed_hosts", () => {
  const fixtures: Array<{ cleanup(): void }> = [];
  const servers: RunningServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    fixtures.forEach((f) => f.cleanup());
  });

  it("serves loopback names, the flag's hosts and the config's hosts; refuses others; off on 0.0.0.0", async () => {
    const fx = copyFixture("echo");
    fixtures.push(fx);
    const config = JSON.parse(readFileSync(join(fx.dir, "langgraph.json"), "utf8"));
    config.http = { allowed_hosts: [".from-config.test"] };
    writeFileSync(join(fx.dir, "langgraph.json"), JSON.stringify(config));
    const s = await startServer(fx.dir, { args: ["--no-reload", "--no-persist", "--allowed-host", "flag.test,other.test", "--allowed-host", "third.test"] });
    servers.push(s);
    const port = new URL(s.url).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, "flag.test", "other.test:1", "third.test", "a.from-config.test"]) {
      expect((await getWithHost(s.url, host)).status, host).toBe(200);
    }
    const refused = await getWithHost(s.url, `rebind.evil.com:${port}`, "/info");
    expect(refused.status).toBe(403);
    expect(refused.body).toContain("--allowed-host rebind.evil.com");

    const open = await startServer(fx.dir, { args: ["--no-reload", "--no-persist", "--host", "0.0.0.0"] });
    servers.push(open);
    expect((await getWithHost(open.url, "anything.example")).status).toBe(200);
  }, 60_000);
});
