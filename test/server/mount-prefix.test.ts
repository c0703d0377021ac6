/**
 * `http.mount_prefix`: the API, /docs, /openapi.json, /studio, /ui and the custom app (http.app) under one path;
 * nothing outside it; the URLs the server writes (Content-Location, the Studio's assets, the UI snippet, the
 * OpenAPI server) carry it.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Hono } from "hono";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { resolveCustomApp } from "../../src/server/custom-routes.js";
import type { HttpOptions } from "../../src/server/deps.js";
import { stripMountPrefix } from "../../src/server/mount.js";
import { UiBundles } from "../../src/ui/bundles.js";
import { makeTestApp } from "../helpers/app.js";
import { copyFixture, makeTempDir } from "../helpers/spawn.js";

const studioDir = makeTempDir("lg-dev-mount-studio-");
afterAll(() => studioDir.cleanup());
mkdirSync(join(studioDir.dir, "assets"), { recursive: true });
writeFileSync(
  join(studioDir.dir, "index.html"),
  '<!doctype html><html><head><script type="module" src="/studio/assets/app-1.js"></script><link rel="stylesheet" href="/studio/assets/app-1.css"></head></html>',
);
writeFileSync(join(studioDir.dir, "assets", "app-1.js"), "console.log(1)");
writeFileSync(join(studioDir.dir, "assets", "app-1.css"), "body{}");

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(http: HttpOptions = {}) {
  const t = await makeTestApp({ deps: { http: { mount_prefix: "/my-api", ...http }, studio: { dir: studioDir.dir } } });
  cleanups.push(t.close);
  return t;
}

describe("stripMountPrefix", () => {
  it("takes the prefix off paths below it, and only those", () => {
    expect(stripMountPrefix("/my-api/threads?limit=1", "/my-api")).toBe("/threads?limit=1");
    expect(stripMountPrefix("/my-api", "/my-api")).toBe("/");
    expect(stripMountPrefix("/my-api?x=1", "/my-api")).toBe("/?x=1");
    expect(stripMountPrefix("/my-apix/threads", "/my-api")).toBeUndefined();
    expect(stripMountPrefix("/threads", "/my-api")).toBeUndefined();
    expect(stripMountPrefix("/api/v1/ok", "/api/v1")).toBe("/ok");
  });
});

describe("http.mount_prefix", () => {
  it("serves the API under the prefix and nothing outside it", async () => {
    const { inject } = await setup();
    expect((await inject({ method: "GET", url: "/my-api/ok" })).json()).toEqual({ ok: true });
    expect((await inject({ method: "GET", url: "/my-api/info" })).statusCode).toBe(200);
    for (const url of ["/ok", "/threads/search", "/my-apix/ok", "/docs", "/studio/"]) {
      const res = await inject({ method: url.includes("search") ? "POST" : "GET", url, payload: url.includes("search") ? {} : undefined });
      expect(res.statusCode, url).toBe(404);
      expect(res.body).toBe(`Not Found: ${url.includes("search") ? "POST" : "GET"} ${url}`);
    }
    const missing = await inject({ method: "GET", url: "/my-api/nowhere" });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toBe("Not Found: GET /my-api/nowhere");
  });

  it("a run's Content-Location names it under the prefix", async () => {
    const { inject } = await setup();
    const thread = (await inject({ method: "POST", url: "/my-api/threads", payload: {} })).json() as { thread_id: string };
    const created = await inject({ method: "POST", url: `/my-api/threads/${thread.thread_id}/runs`, payload: { assistant_id: "echo", input: { messages: [] } } });
    expect(created.statusCode).toBe(200);
    const { run_id } = created.json() as { run_id: string };
    expect(created.headers["content-location"]).toBe(`/my-api/threads/${thread.thread_id}/runs/${run_id}`);
    const joined = await inject({ method: "GET", url: `${created.headers["content-location"]}/join` });
    expect(joined.statusCode).toBe(200);
    const stream = await inject({ method: "POST", url: "/my-api/runs/stream", payload: { assistant_id: "echo", input: { messages: [] } } });
    expect(stream.headers["content-location"]).toMatch(/^\/my-api\/threads\/[^/]+\/runs\/[^/]+$/);
  });

  it("/docs and /openapi.json are under the prefix, and the document's server is the prefix", async () => {
    const { inject } = await setup();
    const docs = await inject({ method: "GET", url: "/my-api/docs" });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers["content-type"]).toMatch(/text\/html/);
    const doc = (await inject({ method: "GET", url: "/my-api/openapi.json" })).json() as { servers?: Array<{ url: string }>; paths: Record<string, unknown> };
    expect(doc.servers).toEqual([{ url: "/my-api" }]);
    expect(Object.keys(doc.paths)).toContain("/threads");
  });

  it("the Studio page loads its assets and finds the API under the prefix", async () => {
    const { inject } = await setup();
    const page = await inject({ method: "GET", url: "/my-api/studio/", headers: { "accept-encoding": "br, gzip" } });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-encoding"]).toBeUndefined();
    expect(page.body).toContain('src="/my-api/studio/assets/app-1.js"');
    expect(page.body).toContain('href="/my-api/studio/assets/app-1.css"');
    expect(page.body).toContain('<meta name="lg-dev-mount-prefix" content="/my-api" />');
    expect((await inject({ method: "GET", url: "/my-api/studio/assets/app-1.js" })).body).toBe("console.log(1)");
  });

  it("the custom app's routes are under the prefix; the app routes them as written and passes the rest to the API", async () => {
    const hono = new Hono();
    hono.use(async (c, next) => {
      await next();
      c.header("x-seen-path", c.req.path);
    });
    hono.get("/hello", (c) => c.json({ hello: "world" }));
    const { inject } = await setup({ app: resolveCustomApp(hono, "test hono app") });
    const hello = await inject({ method: "GET", url: "/my-api/hello" });
    expect(hello.json()).toEqual({ hello: "world" });
    expect(hello.headers["x-seen-path"]).toBe("/hello");
    const ok = await inject({ method: "GET", url: "/my-api/ok" });
    expect(ok.json()).toEqual({ ok: true });
    expect(ok.headers["x-seen-path"]).toBe("/ok");
    expect((await inject({ method: "GET", url: "/hello" })).statusCode).toBe(404);
  });

  it("a Fastify plugin's routes are under the prefix too", async () => {
    const plugin = async (app: import("fastify").FastifyInstance) => {
      app.get("/custom", async () => ({ custom: true }));
    };
    const { inject } = await setup({ app: resolveCustomApp(plugin, "test plugin") });
    expect((await inject({ method: "GET", url: "/my-api/custom" })).json()).toEqual({ custom: true });
    expect((await inject({ method: "GET", url: "/custom" })).statusCode).toBe(404);
  });

  it("the UI snippet links the built files under the prefix", async () => {
    const fixture = copyFixture("ui");
    cleanups.push(() => fixture.cleanup());
    const ui = new UiBundles({ projectDir: fixture.dir, logger: createLogger("silent") });
    cleanups.push(() => ui.close());
    void ui.configure({ ui: { echo: "./src/agent/ui.tsx" }, shared: ["@acme/format"] });
    const t = await makeTestApp({ deps: { ui, http: { mount_prefix: "/my-api" } } });
    cleanups.push(t.close);
    const res = await t.inject({ method: "POST", url: "/my-api/ui/echo", payload: { name: "weather" }, headers: { host: "localhost:2024" } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('src="http://localhost:2024/my-api/ui/echo/entrypoint.js"');
    const js = await t.inject({ method: "GET", url: "/my-api/ui/echo/entrypoint.js" });
    expect(js.statusCode).toBe(200);
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
  });
});
