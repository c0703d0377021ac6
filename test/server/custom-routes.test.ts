/** `http.app` custom routes and the `http.disable_*` switches, through inject. */
import { Auth, HTTPException } from "@langchain/langgraph-sdk/auth";
import { afterEach, describe, expect, it } from "vitest";
import { createAuthService } from "../../src/auth/index.js";
import { ConfigError } from "../../src/errors.js";
import type { HttpOptions } from "../../src/server/app.js";
import { resolveCustomApp, type CustomApp } from "../../src/server/custom-routes.js";
import { makeTestApp } from "../helpers/app.js";

let open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.map((a) => a.close()));
  open = [];
});

async function setup(http: HttpOptions, withAuth = false) {
  const auth = new Auth().authenticate(async (request: Request) => {
    if (request.headers.get("authorization") !== "Bearer ok") throw new HTTPException(401, { message: "no entry" });
    return { identity: "user-1", permissions: [] };
  });
  const t = await makeTestApp({
    deps: { http },
    ...(withAuth ? { auth: createAuthService({ module: { file: "/t/auth.ts", exportName: "auth", auth: auth as never } }) } : {}),
  });
  open.push(t);
  return t;
}

/** A Hono-like app: an object whose `fetch` takes a Request and returns a Response. */
const fetchApp: CustomApp = resolveCustomApp(
  {
    async fetch(request: Request): Promise<Response> {
      const url = new URL(request.url);
      if (url.pathname === "/hello") return Response.json({ hello: "world", query: url.searchParams.get("q") });
      if (url.pathname === "/echo" && request.method === "POST") {
        const text = await request.text();
        return new Response(`${request.headers.get("content-type")}|${text}`, { status: 201, headers: { "x-custom": "yes" } });
      }
      if (url.pathname === "/cookies") {
        const headers = new Headers();
        headers.append("set-cookie", "a=1");
        headers.append("set-cookie", "b=2");
        return new Response(null, { status: 204, headers });
      }
      if (url.pathname === "/stream") {
        const body = new ReadableStream({
          start(c) {
            c.enqueue(new TextEncoder().encode("one,"));
            c.enqueue(new TextEncoder().encode("two"));
            c.close();
          },
        });
        return new Response(body, { headers: { "content-type": "text/plain" } });
      }
      if (url.pathname === "/ok") return Response.json({ mine: true });
      return new Response("custom 404", { status: 404 });
    },
  },
  "test fetch app",
);

describe("custom routes: a plain fetch(request) app (itty-router and similar; Hono: http-app-hono.test.ts)", () => {
  it("answers first, converting requests and responses", async () => {
    const { app } = await setup({ app: fetchApp });
    const hello = await app.inject({ method: "GET", url: "/hello?q=1" });
    expect(hello.statusCode).toBe(200);
    expect(hello.json()).toEqual({ hello: "world", query: "1" });
    const echo = await app.inject({ method: "POST", url: "/echo", payload: '{"raw": tru', headers: { "content-type": "application/json" } });
    expect(echo.statusCode).toBe(201);
    expect(echo.body).toBe('application/json|{"raw": tru');
    expect(echo.headers["x-custom"]).toBe("yes");
    const form = await app.inject({ method: "POST", url: "/echo", payload: "a=1&b=2", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(form.body).toBe("application/x-www-form-urlencoded|a=1&b=2");
    const cookies = await app.inject({ method: "GET", url: "/cookies" });
    expect(cookies.statusCode).toBe(204);
    expect(cookies.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
    expect((await app.inject({ method: "GET", url: "/stream" })).body).toBe("one,two");
  });

  it("its routes win over the API's; its 404 hands the request on to the API, body and all", async () => {
    const { app } = await setup({ app: fetchApp });
    expect((await app.inject({ method: "GET", url: "/ok" })).json()).toEqual({ mine: true });
    expect((await app.inject({ method: "GET", url: "/info" })).json()).toMatchObject({ context: "js" });
    const created = await app.inject({ method: "POST", url: "/threads", payload: { metadata: { via: "fall-through" } } });
    expect(created.statusCode).toBe(200);
    expect(created.json().metadata).toEqual({ via: "fall-through" });
    const nowhere = await app.inject({ method: "GET", url: "/nowhere" });
    expect(nowhere.statusCode).toBe(404);
    expect(nowhere.body).toBe("Not Found: GET /nowhere");
  });

  it("an answer that is not a Response is a logged 500", async () => {
    const bad = resolveCustomApp({ fetch: () => ({ status: 200 }) as unknown as Response }, "bad app");
    const { app } = await setup({ app: bad });
    const res = await app.inject({ method: "GET", url: "/x" });
    expect(res.statusCode).toBe(500);
    expect(res.body).toBe("Internal Server Error");
  });

  it("authentication applies unless turned off", async () => {
    const secured = await setup({ app: fetchApp }, true);
    const denied = await secured.app.inject({ method: "GET", url: "/hello" });
    expect(denied.statusCode).toBe(401);
    expect(denied.body).toBe("no entry");
    expect((await secured.app.inject({ method: "GET", url: "/hello", headers: { authorization: "Bearer ok" } })).statusCode).toBe(200);

    const open = await setup({ app: fetchApp, customRouteAuth: false }, true);
    expect((await open.app.inject({ method: "GET", url: "/hello" })).statusCode).toBe(200);
    expect((await open.app.inject({ method: "POST", url: "/threads/search", payload: {} })).statusCode).toBe(401);
  });
});

describe("custom routes: a Fastify plugin", () => {
  const plugin: CustomApp = resolveCustomApp(async (app: import("fastify").FastifyInstance) => {
    app.get("/custom/me", async (req) => ({ user: req.ctx?.auth?.user.identity ?? null }));
    app.post("/custom/json", async (req) => ({ got: req.body }));
  }, "test plugin");

  it("registers its routes beside the API, with the authenticated user on the request", async () => {
    const { app } = await setup({ app: plugin }, true);
    expect((await app.inject({ method: "GET", url: "/custom/me" })).statusCode).toBe(401);
    const me = await app.inject({ method: "GET", url: "/custom/me", headers: { authorization: "Bearer ok" } });
    expect(me.json()).toEqual({ user: "user-1" });
    const json = await app.inject({ method: "POST", url: "/custom/json", payload: { a: 1 }, headers: { authorization: "Bearer ok" } });
    expect(json.json()).toEqual({ got: { a: 1 } });
    expect((await app.inject({ method: "GET", url: "/missing", headers: { authorization: "Bearer ok" } })).statusCode).toBe(404);
  });

  it("public when custom route auth is off", async () => {
    const { app } = await setup({ app: plugin, customRouteAuth: false }, true);
    expect((await app.inject({ method: "GET", url: "/custom/me" })).json()).toEqual({ user: null });
  });

  it("a route the API already serves is a start-up error naming the app", async () => {
    const clash = resolveCustomApp(async (app: import("fastify").FastifyInstance) => {
      app.get("/ok", async () => "mine");
    }, "export \"app\" of clash.ts");
    await expect(setup({ app: clash })).rejects.toThrow(ConfigError);
    await expect(setup({ app: clash })).rejects.toThrow(/clash\.ts/);
    // ...unless that group is switched off.
    const { app } = await setup({ app: clash, disable_meta: true });
    expect((await app.inject({ method: "GET", url: "/ok" })).body).toBe("mine");
  });
});

describe("resolveCustomApp", () => {
  it("recognises plugins and fetch apps and explains anything else", () => {
    expect(resolveCustomApp(async () => {}, "x").kind).toBe("fastify");
    expect(resolveCustomApp({ fetch: () => new Response("") }, "x").kind).toBe("fetch");
    const express = Object.assign((_req: unknown, _res: unknown, _next: unknown) => {}, { use() {}, handle() {} });
    expect(() => resolveCustomApp(express, "export app of a.ts")).toThrow(/Express/);
    expect(() => resolveCustomApp({ get() {} }, "export app of a.ts")).toThrow(/export app of a\.ts is an object without a fetch/);
    expect(() => resolveCustomApp(undefined, "x")).toThrow(ConfigError);
  });
});

describe("http.disable_*", () => {
  it("removes whole route groups", async () => {
    const { app } = await setup({ disable_assistants: true, disable_threads: true, disable_store: true, disable_meta: true });
    expect((await app.inject({ method: "POST", url: "/assistants/search", payload: {} })).statusCode).toBe(404);
    expect((await app.inject({ method: "POST", url: "/threads", payload: {} })).statusCode).toBe(404);
    expect((await app.inject({ method: "POST", url: "/store/items/search", payload: {} })).statusCode).toBe(404);
    expect((await app.inject({ method: "GET", url: "/ok" })).statusCode).toBe(404);
    expect((await app.inject({ method: "GET", url: "/info" })).statusCode).toBe(404);
    // Runs stay.
    expect((await app.inject({ method: "POST", url: "/runs/wait", payload: { assistant_id: "echo", input: { messages: [] } } })).statusCode).toBe(200);
    expect((await app.inject({ method: "POST", url: "/runs/crons/count", payload: {} })).statusCode).toBe(200);
  });

  it("disable_runs removes runs and crons", async () => {
    const { app } = await setup({ disable_runs: true });
    expect((await app.inject({ method: "POST", url: "/runs/wait", payload: { assistant_id: "echo" } })).statusCode).toBe(404);
    expect((await app.inject({ method: "POST", url: "/runs/crons/search", payload: {} })).statusCode).toBe(404);
    expect((await app.inject({ method: "POST", url: "/threads", payload: {} })).statusCode).toBe(200);
  });
});
