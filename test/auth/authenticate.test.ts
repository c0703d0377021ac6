import path from "node:path";
import { isStudioUser } from "@langchain/langgraph-sdk/auth";
import { beforeAll, describe, expect, it } from "vitest";
import { ForbiddenError, LgDevError, UnauthorizedError } from "../../src/errors.js";
import { loadAuth, type AuthService } from "../../src/auth/index.js";
import { FIXTURES, importMjs, importTs, rejectionOf, requestInfo } from "./helpers.js";

const STUDIO = { "x-auth-scheme": "langsmith" };

describe("tutorial part 1: static bearer tokens", () => {
  let service: AuthService;
  beforeAll(async () => {
    service = await loadAuth({ authConfig: { path: "./auth.ts:auth" }, configDir: path.join(FIXTURES, "auth-tutorial"), importModule: importTs });
  });

  it("accepts the known tokens and keeps extra fields", async () => {
    const ctx = await service.authenticate(requestInfo({ headers: { authorization: "Bearer user1-token" } }));
    expect(ctx).toEqual({
      user: { identity: "user1", name: "Alice", display_name: "user1", is_authenticated: true, permissions: [] },
      permissions: [],
    });
    const bob = await service.authenticate(requestInfo({ headers: { authorization: "Bearer user2-token" } }));
    expect(bob?.user.identity).toBe("user2");
  });

  const malformed: Array<[string, string | undefined, string]> = [
    ["missing", undefined, "Missing authorization header"],
    ["empty", "", "Missing authorization header"],
    ["wrong scheme", "Basic x", "Invalid authorization header format"],
    ["scheme alone", "Bearer", "Invalid authorization header format"],
    ["too many parts", "Bearer a b", "Invalid authorization header format"],
    ["unknown token", "Bearer user3-token", "Invalid token"],
  ];
  it.each(malformed)("answers 401 with the challenge header: %s", async (_case, header, message) => {
    const err = await rejectionOf(service.authenticate(requestInfo({ headers: { authorization: header } })));
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect(err.status).toBe(401);
    expect(err.message).toBe(message);
    expect(err.headers).toEqual({ "WWW-Authenticate": 'Bearer realm="lg-dev"' });
  });

  it("lets a loopback Studio request through as the studio user", async () => {
    const ctx = await service.authenticate(requestInfo({ headers: STUDIO }));
    expect(ctx?.user).toEqual({
      kind: "StudioUser",
      identity: "langgraph-studio-user",
      display_name: "langgraph-studio-user",
      permissions: [],
      is_authenticated: true,
    });
    expect(isStudioUser(ctx!.user)).toBe(true);
    // A fresh user each time: a handler mutating it cannot affect the next request.
    const again = await service.authenticate(requestInfo({ headers: STUDIO }));
    expect(again?.user).not.toBe(ctx?.user);
  });

  it("ignores the Studio header from a remote peer", async () => {
    const err = await rejectionOf(service.authenticate(requestInfo({ headers: STUDIO, peerIsLoopback: false })));
    expect(err).toBeInstanceOf(UnauthorizedError);
  });
});

describe("normalisation and errors", () => {
  let service: AuthService;
  const file = path.join(FIXTURES, "auth-modules", "probe.mjs");
  beforeAll(async () => {
    service = await loadAuth({ authConfig: { path: "./probe.mjs:auth" }, configDir: path.dirname(file), importModule: importMjs });
  });
  const as = (mode: string, extra: Partial<Parameters<AuthService["authenticate"]>[0]> = {}) =>
    service.authenticate(requestInfo({ ...extra, headers: { "x-mode": mode, ...extra.headers } }));

  it("turns a string into a user", async () => {
    expect(await as("string")).toEqual({
      user: { identity: "alice", display_name: "alice", is_authenticated: true, permissions: [] },
      permissions: [],
    });
  });

  it("fills defaults on an object, keeps extras and only string permissions", async () => {
    const ctx = await as("object");
    expect(ctx?.user).toEqual({ identity: "bob", display_name: "bob", role: "admin", is_authenticated: true, permissions: ["read", "write"] });
    expect(ctx?.permissions).toEqual(["read", "write"]);
    expect(ctx?.permissions).not.toBe(ctx?.user.permissions);
  });

  it("keeps explicit display_name and is_authenticated", async () => {
    const ctx = await as("full");
    expect(ctx?.user).toMatchObject({ identity: "carol", display_name: "Carol", is_authenticated: false, permissions: [] });
  });

  it.each(["no-identity", "empty-string", "undefined"])("a result without identity is a 500 naming the file: %s", async (mode) => {
    const err = await rejectionOf(as(mode));
    expect(err).not.toBeInstanceOf(LgDevError);
    expect(err.message).toContain(file);
  });

  it("passes HTTPException status and Headers through", async () => {
    const err = await rejectionOf(as("http-headers"));
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect(err.status).toBe(429);
    expect(err.message).toBe("Slow down");
    expect(err.headers).toEqual({ "retry-after": "5" });
  });

  it("a 403 without message keeps the status and the SDK's default text", async () => {
    const err = await rejectionOf(as("http-default"));
    expect(err).toBeInstanceOf(ForbiddenError);
    expect(err.status).toBe(403);
    expect(err.message).toBe("Forbidden");
  });

  it("duck-types thrown objects with a status", async () => {
    const err = await rejectionOf(as("plain-object-throw"));
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect(err.message).toBe("thrown object");
  });

  it("wraps any other throw in a plain error that keeps the cause", async () => {
    const err = await rejectionOf(as("crash"));
    expect(err).not.toBeInstanceOf(LgDevError);
    expect(err.message).toContain("cannot read properties of undefined");
    expect(err.message).toContain(file);
    expect(err.cause).toBeInstanceOf(TypeError);
  });

  it("hands over method, full URL, every header and the body", async () => {
    const body = Buffer.from(JSON.stringify({ hello: "world" }));
    const ctx = await as("echo", {
      method: "post",
      url: "http://127.0.0.1:2024/threads?limit=2&x=%20y",
      headers: { "content-type": "application/json", "x-multi": ["a", "b"], "x-absent": undefined },
      body,
    });
    expect(ctx?.user).toMatchObject({
      method: "POST",
      url: "http://127.0.0.1:2024/threads?limit=2&x=%20y",
      body: '{"hello":"world"}',
    });
    expect(ctx?.user.headers).toMatchObject({ "content-type": "application/json", "x-multi": "a, b", "x-mode": "echo" });
    expect(ctx?.user.headers).not.toHaveProperty("x-absent");
    // The route still has its own, untouched copy.
    expect(body.toString()).toBe('{"hello":"world"}');
  });

  it("does not attach a body to GET and accepts string bodies", async () => {
    expect((await as("echo", { method: "GET", body: "ignored" }))?.user.body).toBeNull();
    expect((await as("echo", { method: "DELETE", body: '{"k":1}' }))?.user.body).toBe('{"k":1}');
  });

  it("honours the Studio header only from loopback, in any case", async () => {
    expect((await as("string", { headers: { "x-auth-scheme": "LangSmith" } }))?.user.identity).toBe("langgraph-studio-user");
    expect((await as("string", { headers: { "x-auth-scheme": ["langsmith"] } }))?.user.identity).toBe("langgraph-studio-user");
    expect((await as("string", { headers: STUDIO, peerIsLoopback: false }))?.user.identity).toBe("alice");
    expect((await as("string", { headers: { "x-auth-scheme": "bearer" } }))?.user.identity).toBe("alice");
  });
});
