import { Auth, HTTPException } from "@langchain/langgraph-sdk/auth";
import { describe, expect, it } from "vitest";
import { ForbiddenError, LgDevError, UnauthorizedError } from "../../src/errors.js";
import {
  createAuthEvent,
  createAuthService,
  createRunAuthConfigurable,
  createStudioUser,
  type AuthContext,
  type ThreadCreateValue,
} from "../../src/auth/index.js";
import { rejectionOf, requestInfo } from "./helpers.js";

const FILE = "/proj/src/auth.ts";
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const serviceFor = (auth: Auth<any, any, any>, disableStudioAuth = false) =>
  createAuthService({ module: { file: FILE, exportName: "auth", auth }, disableStudioAuth });
const alice: AuthContext = {
  user: { identity: "alice", display_name: "alice", is_authenticated: true, permissions: ["threads:write"] },
  permissions: ["threads:write"],
};

describe("handler selection", () => {
  const marker = (key: string) => () => ({ by: key });
  const auth = new Auth()
    .authenticate(() => "alice")
    .on("threads:create", marker("threads:create"))
    .on("threads", marker("threads"))
    .on("*:read", marker("*:read"))
    .on("*", marker("*"));
  const service = serviceFor(auth);

  it.each([
    ["threads", "create", "threads:create"],
    ["threads", "read", "threads"],
    ["assistants", "read", "*:read"],
    ["store", "put", "*"],
  ] as const)("%s:%s runs only the %s handler", async (resource, action, expected) => {
    expect(await service.authorize(alice, { resource, action, value: {} })).toEqual({ by: expected });
  });

  it("allows without filter when no handler matches", async () => {
    const only = serviceFor(new Auth().authenticate(() => "a").on("store", () => false));
    expect(await only.authorize(alice, { resource: "threads", action: "read", value: {} })).toBeUndefined();
  });

  it("passes event, resource, action, value, user and permissions", async () => {
    let seen: unknown;
    const svc = serviceFor(new Auth().on("threads:search", (arg) => void (seen = arg)));
    const value = { metadata: { a: 1 }, limit: 10 };
    await svc.authorize(alice, { resource: "threads", action: "search", value });
    expect(seen).toEqual({ event: "threads:search", resource: "threads", action: "search", value, user: alice.user, permissions: ["threads:write"] });
  });
});

describe("handler results", () => {
  const svc = (result: unknown) => serviceFor(new Auth().on("*", () => result as boolean));
  const run = (result: unknown) => svc(result).authorize(alice, { resource: "threads", action: "create", value: {} });

  it("undefined, null, true and {} allow without a filter", async () => {
    for (const r of [undefined, null, true, {}]) expect(await run(r)).toBeUndefined();
  });

  it("an object is the filter", async () => {
    expect(await run({ owner: "alice" })).toEqual({ owner: "alice" });
  });

  it("false is a 403", async () => {
    const err = await rejectionOf(run(false));
    expect(err).toBeInstanceOf(ForbiddenError);
    expect(err.status).toBe(403);
  });

  it.each([[42], ["yes"], [["owner"]], [new Date()]])("%j is a 500-style error naming the event key", async (result) => {
    const err = await rejectionOf(run(result));
    expect(err).not.toBeInstanceOf(LgDevError);
    expect(err.message).toContain('"*" auth handler');
    expect(err.message).toContain(FILE);
  });

  it("a thrown HTTPException keeps its status, message and headers", async () => {
    const forbidden = serviceFor(new Auth().on("threads", () => {
      throw new HTTPException(403, { message: "Not yours" });
    }));
    const err = await rejectionOf(forbidden.authorize(alice, { resource: "threads", action: "read", value: {} }));
    expect(err).toBeInstanceOf(ForbiddenError);
    expect([err.status, err.message]).toEqual([403, "Not yours"]);

    const teapot = serviceFor(new Auth().on("threads", () => {
      throw new HTTPException(418, { message: "Teapot", headers: [["x-why", "because"]] });
    }));
    const err2 = await rejectionOf(teapot.authorize(alice, { resource: "threads", action: "read", value: {} }));
    expect(err2).toBeInstanceOf(UnauthorizedError);
    expect([err2.status, err2.message, err2.headers]).toEqual([418, "Teapot", { "x-why": "because" }]);
  });

  it("any other throw is a plain error naming the handler", async () => {
    const broken = serviceFor(new Auth().on("threads:read", () => {
      throw new Error("db down");
    }));
    const err = await rejectionOf(broken.authorize(alice, { resource: "threads", action: "read", value: {} }));
    expect(err).not.toBeInstanceOf(LgDevError);
    expect(err.message).toContain('"threads:read"');
    expect(err.message).toContain("db down");
  });
});

describe("value mutation and users", () => {
  it("mutations of value are visible to the caller (tutorial part 2)", async () => {
    const auth = new Auth().authenticate(() => "alice").on("threads:create", ({ value, user }) => {
      value.metadata ??= {};
      value.metadata.owner = user.identity;
      return { owner: user.identity };
    });
    const value: ThreadCreateValue = { thread_id: "t1", metadata: { topic: "x" } };
    const filters = await serviceFor(auth).authorize(alice, createAuthEvent("threads:create", value));
    expect(filters).toEqual({ owner: "alice" });
    expect(value.metadata).toEqual({ topic: "x", owner: "alice" });
  });

  it("handlers still run for the studio user", async () => {
    const service = serviceFor(new Auth().authenticate(() => "x").on("*", ({ user }) => ({ owner: user.identity })));
    const ctx = await service.authenticate(requestInfo({ headers: { "x-auth-scheme": "langsmith" } }));
    expect(ctx?.user).toEqual(createStudioUser());
    expect(await service.authorize(ctx, { resource: "threads", action: "read", value: {} })).toEqual({ owner: "langgraph-studio-user" });
  });

  it("without an authenticate function, requests run as anonymous and handlers still apply", async () => {
    const service = serviceFor(new Auth().on("*", ({ user }) => user.is_authenticated));
    expect(service.warnings?.join("\n")).toContain("no authenticate function");
    const ctx = await service.authenticate(requestInfo());
    expect(ctx?.user).toMatchObject({ identity: "anonymous", is_authenticated: false });
    await expect(service.authorize(ctx, { resource: "threads", action: "read", value: {} })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(service.authorize(undefined, { resource: "threads", action: "read", value: {} })).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("warns about handlers registered for events that never fire", () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const service = serviceFor(new Auth().authenticate(() => "a").on("thread:create" as any, () => true).on("*:put", () => true));
    expect(service.warnings).toEqual([`Auth module ${FILE}: handler for unknown event "thread:create" will never run.`]);
  });

  it("sees handlers registered after the service was built", async () => {
    const auth = new Auth().authenticate(() => "a");
    const service = serviceFor(auth);
    auth.on("threads", () => false);
    await expect(service.authorize(alice, { resource: "threads", action: "read", value: {} })).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe("concurrency", () => {
  it("a slow async handler does not block authorizations started after it", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const auth = new Auth().on("threads:read", async ({ value }) => {
      if (value.thread_id === "slow") await gate;
      return { thread: value.thread_id as string };
    });
    const service = serviceFor(auth);
    let slowDone = false;
    const slow = service.authorize(alice, { resource: "threads", action: "read", value: { thread_id: "slow" } }).then((f) => {
      slowDone = true;
      return f;
    });
    const fast = await service.authorize(alice, { resource: "threads", action: "read", value: { thread_id: "fast" } });
    expect(fast).toEqual({ thread: "fast" });
    expect(slowDone).toBe(false);
    release();
    expect(await slow).toEqual({ thread: "slow" });
  });
});

describe("createRunAuthConfigurable", () => {
  it("exposes the user to graphs the way the official servers do", () => {
    expect(createRunAuthConfigurable(undefined)).toEqual({});
    expect(createRunAuthConfigurable(alice)).toEqual({
      langgraph_auth_user: alice.user,
      langgraph_auth_user_id: "alice",
      langgraph_auth_permissions: ["threads:write"],
    });
  });
});
