/** CORS: the default policy (hosted Studio, localhost, PNA) and `http.cors` from langgraph.json. */
import { afterEach, describe, expect, it } from "vitest";
import type { CorsConfig } from "../../src/server/app.js";
import { makeTestApp } from "../helpers/app.js";

let open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.map((a) => a.close()));
  open = [];
});

async function setup(cors?: CorsConfig) {
  const t = await makeTestApp({ deps: { cors } });
  open.push(t);
  return t.app;
}

const preflight = (origin: string, extra: Record<string, string> = {}) => ({
  method: "OPTIONS" as const,
  url: "/threads/search",
  headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type,x-api-key", ...extra },
});

describe("default CORS", () => {
  it("lets the hosted Studio in and exposes Content-Location and the pagination headers", async () => {
    const app = await setup();
    const res = await app.inject({ method: "POST", url: "/threads/search", payload: {}, headers: { origin: "https://smith.langchain.com" } });
    expect(res.statusCode).toBe(200);
    expect(res.headers["access-control-allow-origin"]).toBe("https://smith.langchain.com");
    expect(res.headers["access-control-allow-credentials"]).toBe("true");
    const exposed = String(res.headers["access-control-expose-headers"]).split(/,\s*/);
    expect(exposed).toEqual(expect.arrayContaining(["Content-Location", "X-Pagination-Total", "X-Pagination-Next"]));
    expect(res.headers["x-pagination-total"]).toBe("0");
  });

  it("answers Chrome's Private Network Access preflight", async () => {
    const app = await setup();
    const res = await app.inject(preflight("https://smith.langchain.com", { "access-control-request-private-network": "true" }));
    expect(res.statusCode).toBe(204);
    expect(res.headers["access-control-allow-private-network"]).toBe("true");
    expect(res.headers["access-control-allow-origin"]).toBe("https://smith.langchain.com");
    expect(String(res.headers["access-control-allow-methods"])).toMatch(/PATCH/);
    expect(String(res.headers["access-control-allow-methods"])).toMatch(/DELETE/);
  });

  it("lets localhost pages in, but not an arbitrary website", async () => {
    const app = await setup();
    const local = await app.inject(preflight("http://localhost:5173"));
    expect(local.headers["access-control-allow-origin"]).toBe("http://localhost:5173");
    const evil = await app.inject(preflight("https://evil.example"));
    expect(evil.headers["access-control-allow-origin"]).toBeUndefined();
    const plain = await app.inject({ method: "GET", url: "/ok", headers: { origin: "https://evil.example" } });
    expect(plain.headers["access-control-allow-origin"]).toBeUndefined();
  });
});

describe("http.cors", () => {
  it("allow_origins, allow_methods, allow_headers, allow_credentials, expose_headers and max_age", async () => {
    const app = await setup({
      allow_origins: ["https://app.example"],
      allow_methods: ["GET", "POST"],
      allow_headers: ["x-custom"],
      allow_credentials: true,
      expose_headers: ["X-Trace"],
      max_age: 42,
    });
    const pre = await app.inject(preflight("https://app.example"));
    expect(pre.headers["access-control-allow-origin"]).toBe("https://app.example");
    expect(pre.headers["access-control-allow-methods"]).toBe("GET, POST");
    expect(pre.headers["access-control-allow-headers"]).toBe("x-custom");
    expect(pre.headers["access-control-allow-credentials"]).toBe("true");
    expect(pre.headers["access-control-max-age"]).toBe("42");
    const res = await app.inject({ method: "GET", url: "/ok", headers: { origin: "https://app.example" } });
    expect(String(res.headers["access-control-expose-headers"]).split(/,\s*/)).toEqual(expect.arrayContaining(["X-Trace", "Content-Location", "X-Pagination-Total"]));
    // The configured list replaces the defaults: the hosted Studio is not in it.
    expect((await app.inject(preflight("https://smith.langchain.com"))).headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("allow_origin_regex and the wildcard", async () => {
    const regex = await setup({ allow_origin_regex: "^https://.*\\.preview\\.example$" });
    expect((await regex.inject(preflight("https://pr-1.preview.example"))).headers["access-control-allow-origin"]).toBe("https://pr-1.preview.example");
    expect((await regex.inject(preflight("https://preview.example.evil"))).headers["access-control-allow-origin"]).toBeUndefined();
    const any = await setup({ allow_origins: ["*"] });
    const res = await any.inject({ method: "GET", url: "/ok", headers: { origin: "https://anything.example" } });
    expect(res.headers["access-control-allow-origin"]).toBeDefined();
    expect(res.headers["access-control-allow-credentials"]).toBeUndefined();
  });
});
