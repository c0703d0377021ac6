/** `http.app` as a real Hono app in front of the API: middleware on API routes, overrides, auth, 404, streams. */
import { Auth, HTTPException } from "@langchain/langgraph-sdk/auth";
import { Hono } from "hono";
import { HTTPException as HonoHTTPException } from "hono/http-exception";
import { afterEach, describe, expect, it } from "vitest";
import { createAuthService } from "../../src/auth/index.js";
import type { HttpOptions } from "../../src/server/app.js";
import { resolveCustomApp } from "../../src/server/custom-routes.js";
import { makeTestApp } from "../helpers/app.js";

let open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.map((a) => a.close()));
  open = [];
});

const userAuth = new Auth().authenticate(async (request: Request) => {
  const token = request.headers.get("authorization");
  if (token !== "Bearer ok" && token !== "Bearer other") throw new HTTPException(401, { message: "no entry" });
  return { identity: token === "Bearer ok" ? "user-1" : "user-2", permissions: [] };
});

async function setup(hono: Hono, http: Omit<HttpOptions, "app"> = {}, withAuth = false, bodyLimit?: number) {
  const t = await makeTestApp({
    deps: { http: { ...http, app: resolveCustomApp(hono, "test hono app") }, ...(bodyLimit ? { bodyLimit } : {}) },
    ...(withAuth ? { auth: createAuthService({ module: { file: "/t/auth.ts", exportName: "auth", auth: userAuth as never } }) } : {}),
  });
  open.push(t);
  return t;
}

/** The app the official docs' examples look like: a middleware, an override, a custom route. */
function userApp() {
  const app = new Hono();
  app.use(async (c, next) => {
    if (c.req.header("x-block") === "yes") return c.text("blocked by middleware", 401);
    await next();
    c.header("x-middleware", "seen");
  });
  app.use("/threads", async (c, next) => {
    if (c.req.method === "POST") {
      const body = (await c.req.json()) as { metadata?: Record<string, unknown> };
      body.metadata = { ...body.metadata, stamped_by: "middleware" };
      c.req.raw = new Request(c.req.raw, { body: JSON.stringify(body) });
    }
    await next();
  });
  app.get("/health", (c) => c.json({ healthy: true }));
  app.get("/info", (c) => c.json({ overridden: true }));
  app.get("/whoami", (c) => c.json({ auth: (c.get as (k: string) => unknown)("auth") ?? null }));
  app.get("/boom", () => {
    throw new Error("custom route failed");
  });
  app.get("/teapot", () => {
    throw new HonoHTTPException(418, { message: "short and stout" });
  });
  return app;
}

describe("http.app: a Hono app in front of the API", () => {
  it("its middleware wraps API routes: headers on the API's answers", async () => {
    const { app } = await setup(userApp());
    const created = await app.inject({ method: "POST", url: "/threads", payload: {} });
    expect(created.statusCode).toBe(200);
    expect(created.headers["x-middleware"]).toBe("seen");
    expect(created.headers["content-type"]).toMatch(/^application\/json/);
    const searched = await app.inject({ method: "POST", url: "/threads/search", payload: {} });
    expect(searched.headers["x-middleware"]).toBe("seen");
    expect(searched.json()).toHaveLength(1);
  });

  it("a middleware may answer early, before the API", async () => {
    const { app, storage } = await setup(userApp());
    const res = await app.inject({ method: "POST", url: "/threads", payload: {}, headers: { "x-block": "yes" } });
    expect(res.statusCode).toBe(401);
    expect(res.body).toBe("blocked by middleware");
    expect(storage.threads.size).toBe(0);
  });

  it("the JSON a middleware changed is the body the API route reads", async () => {
    const { app } = await setup(userApp());
    const res = await app.inject({ method: "POST", url: "/threads", payload: { metadata: { own: 1 } } });
    expect(res.json().metadata).toEqual({ own: 1, stamped_by: "middleware" });
  });

  it("a middleware may replace the request before reading it (another body)", async () => {
    const hono = new Hono();
    hono.use("/threads", async (c, next) => {
      c.req.raw = new Request(c.req.raw.url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-replaced": "1" },
        body: JSON.stringify({ metadata: { replaced: true } }),
      });
      await next();
    });
    const { app } = await setup(hono);
    const res = await app.inject({ method: "POST", url: "/threads", payload: { metadata: { original: true } } });
    expect(res.json().metadata).toEqual({ replaced: true });
  });

  it("its routes win over the API's; the API keeps the rest", async () => {
    const { app } = await setup(userApp());
    expect((await app.inject({ method: "GET", url: "/info" })).json()).toEqual({ overridden: true });
    expect((await app.inject({ method: "GET", url: "/health" })).json()).toEqual({ healthy: true });
    expect((await app.inject({ method: "GET", url: "/ok" })).json()).toEqual({ ok: true });
  });

  it("CORS applies to custom routes too; preflights are answered before the app", async () => {
    const { app } = await setup(userApp());
    const origin = "http://localhost:5173";
    const custom = await app.inject({ method: "GET", url: "/health", headers: { origin } });
    expect(custom.headers["access-control-allow-origin"]).toBe(origin);
    const api = await app.inject({ method: "POST", url: "/threads/search", payload: {}, headers: { origin } });
    expect(api.headers["access-control-allow-origin"]).toBe(origin);
    const preflight = await app.inject({ method: "OPTIONS", url: "/health", headers: { origin, "access-control-request-method": "GET" } });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers["x-middleware"]).toBeUndefined();
  });

  it("a path nobody serves is lg-dev's own 404, with the middleware's headers", async () => {
    const { app } = await setup(userApp());
    const res = await app.inject({ method: "GET", url: "/nowhere?x=1" });
    expect(res.statusCode).toBe(404);
    expect(res.body).toBe("Not Found: GET /nowhere");
    expect(res.headers["x-middleware"]).toBe("seen");
  });

  it("API errors come through unchanged", async () => {
    const { app } = await setup(userApp());
    const missing = await app.inject({ method: "GET", url: "/threads/00000000-0000-4000-8000-000000000000" });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toBe("Thread with ID 00000000-0000-4000-8000-000000000000 not found");
    expect(missing.headers["x-middleware"]).toBe("seen");
    const broken = await app.inject({ method: "POST", url: "/assistants/search", payload: "{nope", headers: { "content-type": "application/json" } });
    expect(broken.statusCode).toBe(400);
  });

  it("a throw in a custom route is a logged 500; Hono's HTTPException is its own answer", async () => {
    const { app } = await setup(userApp());
    const boom = await app.inject({ method: "GET", url: "/boom" });
    expect(boom.statusCode).toBe(500);
    expect(boom.body).toBe("Internal Server Error");
    const teapot = await app.inject({ method: "GET", url: "/teapot" });
    expect(teapot.statusCode).toBe(418);
    expect(teapot.body).toBe("short and stout");
  });

  it("HEAD, TRACE and the body limit work as without a custom app", async () => {
    const { app } = await setup(userApp(), {}, false, 1000);
    expect((await app.inject({ method: "TRACE", url: "/ok" })).statusCode).toBe(404);
    const head = await app.inject({ method: "HEAD", url: "/ok" });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe("");
    expect(head.headers["x-middleware"]).toBe("seen");
    const big = await app.inject({ method: "POST", url: "/threads", payload: { metadata: { x: "y".repeat(2000) } } });
    expect(big.statusCode).toBe(413);
    expect(big.body).toBe("Request body is too large");
  });

  it("event streams of the API pass through the middleware", async () => {
    const { app } = await setup(userApp());
    const res = await app.inject({
      method: "POST",
      url: "/runs/stream",
      payload: { assistant_id: "echo", input: { messages: [{ type: "human", content: "hi" }] }, stream_mode: ["values"] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/event-stream/);
    expect(res.headers["x-middleware"]).toBe("seen");
    const events = [...res.body.matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
    expect(events[0]).toBe("metadata");
    expect(events).toContain("values");
    expect(res.body).toContain("echo: hi");
  });
});

describe("http.app: a Hono app with middleware on some paths only", () => {
  it("requests its middleware and routes do not match go straight to the API; the others through them", async () => {
    const seen: string[] = [];
    const hono = new Hono();
    hono.use("/custom/*", async (c, next) => {
      seen.push(c.req.path);
      await next();
      c.header("x-scoped", "yes");
    });
    hono.get("/custom/hello", (c) => c.json({ q: c.req.query("q") ?? null }));
    hono.post("/threads/:id/special", (c) => c.text(`special ${c.req.param("id")}`));
    const { app } = await setup(hono);
    const created = await app.inject({ method: "POST", url: "/threads", payload: {} });
    expect(created.statusCode).toBe(200);
    expect(created.headers["x-scoped"]).toBeUndefined();
    const hello = await app.inject({ method: "GET", url: "/custom/hello?q=1" });
    expect(hello.json()).toEqual({ q: "1" });
    expect(hello.headers["x-scoped"]).toBe("yes");
    const encoded = await app.inject({ method: "GET", url: "/custom/h%65llo" });
    expect(encoded.json()).toEqual({ q: null });
    // A path under the middleware that no route serves: the API's 404, through the middleware.
    const missing = await app.inject({ method: "GET", url: "/custom/nothing" });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toBe("Not Found: GET /custom/nothing");
    expect(missing.headers["x-scoped"]).toBe("yes");
    expect((await app.inject({ method: "POST", url: `/threads/${created.json().thread_id}/special` })).body).toBe(`special ${created.json().thread_id}`);
    expect(seen).toEqual(["/custom/hello", "/custom/h%65llo", "/custom/nothing"].map((p) => decodeURI(p)));
  });
});

describe("http.app (Hono) and authentication", () => {
  it("custom routes are authenticated by default, and see the caller", async () => {
    const { app } = await setup(userApp(), {}, true);
    const denied = await app.inject({ method: "GET", url: "/whoami" });
    expect(denied.statusCode).toBe(401);
    expect(denied.body).toBe("no entry");
    const me = await app.inject({ method: "GET", url: "/whoami", headers: { authorization: "Bearer ok" } });
    expect(me.statusCode).toBe(200);
    expect(me.json().auth.user.identity).toBe("user-1");
    // API routes: authenticated once, as the caller.
    const created = await app.inject({ method: "POST", url: "/threads", payload: {}, headers: { authorization: "Bearer ok" } });
    expect(created.statusCode).toBe(200);
    expect((await app.inject({ method: "POST", url: "/threads", payload: {} })).statusCode).toBe(401);
    // lg-dev's public routes stay public.
    expect((await app.inject({ method: "GET", url: "/ok" })).statusCode).toBe(200);
  });

  it("with enable_custom_route_auth false, custom routes are open and the API is not", async () => {
    const { app } = await setup(userApp(), { customRouteAuth: false }, true);
    const me = await app.inject({ method: "GET", url: "/whoami" });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({ auth: null });
    const api = await app.inject({ method: "POST", url: "/threads", payload: {} });
    expect(api.statusCode).toBe(401);
    expect(api.headers["x-middleware"]).toBe("seen");
    expect((await app.inject({ method: "POST", url: "/threads", payload: {}, headers: { authorization: "Bearer ok" } })).statusCode).toBe(200);
  });

  it("a ticket header sent by a client counts for nothing", async () => {
    const { app } = await setup(userApp(), { customRouteAuth: false }, true);
    const res = await app.inject({ method: "POST", url: "/threads", payload: {}, headers: { "x-lg-dev-front-ticket": "00000000-0000-4000-8000-000000000000" } });
    expect(res.statusCode).toBe(401);
  });
});
