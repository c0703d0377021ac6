/** The local Studio's static files at /studio: public, compressed, cached by hash; the API stays behind auth. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gunzipSync, gzipSync } from "node:zlib";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { AuthService } from "../../src/auth/types.js";
import { UnauthorizedError } from "../../src/errors.js";
import { makeTempDir } from "../helpers/spawn.js";
import { makeTestApp } from "../helpers/app.js";

const tmp = makeTempDir("lg-dev-studio-static-");
afterAll(() => tmp.cleanup());
const JS = `console.log(${JSON.stringify("x".repeat(4000))});`;
const INDEX = '<!doctype html><title>lg-dev Studio</title><script type="module" src="/studio/assets/app-abc123.js"></script>';
mkdirSync(join(tmp.dir, "assets"), { recursive: true });
writeFileSync(join(tmp.dir, "index.html"), INDEX);
writeFileSync(join(tmp.dir, "assets", "app-abc123.js"), JS);
writeFileSync(join(tmp.dir, "assets", "app-abc123.js.br"), brotliCompressSync(JS));
writeFileSync(join(tmp.dir, "assets", "app-abc123.js.gz"), gzipSync(JS));

/** An auth module that refuses everyone: only public routes answer. */
const refuseAll: AuthService = {
  enabled: true,
  authenticate: async () => {
    throw new UnauthorizedError("Invalid token");
  },
  authorize: async () => undefined,
};

let open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.map((a) => a.close()));
  open = [];
});
async function setup(studio: { dir: string } | false = { dir: tmp.dir }) {
  const t = await makeTestApp({ auth: refuseAll, deps: { studio } });
  open.push(t);
  return t.app;
}

describe("GET /studio", () => {
  it("serves the page without authentication, revalidated on every load; the API still asks for a token", async () => {
    const app = await setup();
    for (const url of ["/studio", "/studio/", "/studio/?assistant=agent&thread=t1"]) {
      const res = await app.inject({ method: "GET", url });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(res.headers["cache-control"]).toBe("no-cache");
      expect(res.body).toBe(INDEX);
      // Nothing but this server: the page works offline and cannot be made to call elsewhere.
      expect(res.headers["content-security-policy"]).toContain("default-src 'self'");
    }
    const etag = (await app.inject({ method: "GET", url: "/studio/" })).headers.etag as string;
    const again = await app.inject({ method: "GET", url: "/studio/", headers: { "if-none-match": etag } });
    expect(again.statusCode).toBe(304);
    expect((await app.inject({ method: "POST", url: "/threads/search", payload: {} })).statusCode).toBe(401);
  });

  it("serves hashed assets compressed (brotli, then gzip) and cached for a year", async () => {
    const app = await setup();
    const url = "/studio/assets/app-abc123.js";
    const br = await app.inject({ method: "GET", url, headers: { "accept-encoding": "gzip, deflate, br" } });
    expect(br.statusCode).toBe(200);
    expect(br.headers["content-encoding"]).toBe("br");
    expect(br.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(br.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(br.headers.vary).toBe("Accept-Encoding");
    expect(Number(br.headers["content-length"])).toBeLessThan(JS.length / 10);
    const gz = await app.inject({ method: "GET", url, headers: { "accept-encoding": "gzip, br;q=0" } });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gz.rawPayload).toString()).toBe(JS);
    const plain = await app.inject({ method: "GET", url });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body).toBe(JS);
  });

  it("answers 404 for a missing file, never anything outside the build", async () => {
    const app = await setup();
    expect((await app.inject({ method: "GET", url: "/studio/assets/nope.js" })).statusCode).toBe(404);
    for (const url of ["/studio/../package.json", "/studio/%2e%2e/%2e%2e/package.json", "/studio/assets/..%2f..%2findex.html.br"]) {
      const res = await app.inject({ method: "GET", url });
      expect(res.body).not.toContain('"name"');
      expect([200, 401, 404]).toContain(res.statusCode);
    }
  });

  it("is a 503 that says how to build it when the build is missing, and absent when turned off", async () => {
    const missing = await setup({ dir: join(tmp.dir, "nope") });
    const res = await missing.inject({ method: "GET", url: "/studio/" });
    expect(res.statusCode).toBe(503);
    expect(res.body).toMatch(/not built.*npm run build/);
    const off = await setup(false);
    const gone = await off.inject({ method: "GET", url: "/studio/" });
    // Not a route any more: an unknown path, which (as every unknown path) asks for authentication first.
    expect(gone.statusCode).toBe(401);
  });
});
