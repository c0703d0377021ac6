/**
 * `auth.cache`: authenticate runs once per credential within the TTL, never shares an answer between different
 * header values, forgets after ttl_seconds, keeps at most max_size answers, never keeps refusals, and a reload
 * (a new auth service) starts empty.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Auth, HTTPException } from "@langchain/langgraph-sdk/auth";
import { afterEach, describe, expect, it } from "vitest";
import { createAuthCache } from "../../src/auth/auth-cache.js";
import { createAuthService, loadAuth } from "../../src/auth/index.js";
import { ConfigError, UnauthorizedError } from "../../src/errors.js";
import { createLogger } from "../../src/logger.js";
import { createModuleLoader } from "../../src/graphs/loader.js";
import { createReloader } from "../../src/dev/reload.js";
import { GraphRegistry } from "../../src/graphs/registry.js";
import { loadConfig } from "../../src/config/load.js";
import type { AuthService } from "../../src/auth/types.js";
import { makeTempDir, linkNodeModules } from "../helpers/spawn.js";
import { rejectionOf, requestInfo } from "./helpers.js";

/** An auth service whose authenticate counts its calls: `Bearer <name>` is user <name>, anything else a 401. */
function countingService(cache: unknown, clock?: { now(): number }) {
  const calls: string[] = [];
  const auth = new Auth().authenticate(async (request: Request) => {
    const header = request.headers.get("authorization") ?? "";
    calls.push(header);
    const name = /^Bearer (\w+)$/.exec(header)?.[1];
    if (!name) throw new HTTPException(401, { message: "Invalid token" });
    return { identity: name, permissions: ["read"], org: `org-of-${name}` };
  });
  const service = createAuthService({ module: { file: "/t/auth.ts", exportName: "auth", auth: auth as never }, cache, cacheClock: clock });
  return { service, calls };
}

const as = (authorization?: string, extra: Record<string, string> = {}) =>
  requestInfo({ headers: { ...(authorization === undefined ? {} : { authorization }), ...extra } });

describe("auth.cache", () => {
  it("calls authenticate once for two requests with the same token", async () => {
    const { service, calls } = countingService({ cache_keys: ["Authorization"], ttl_seconds: 60 });
    const a = await service.authenticate(as("Bearer alice"));
    const b = await service.authenticate(as("Bearer alice"));
    expect(calls).toEqual(["Bearer alice"]);
    expect(b).toEqual(a);
    expect(b?.user).toMatchObject({ identity: "alice", org: "org-of-alice", permissions: ["read"] });
  });

  it("never shares an answer between different tokens, however alike", async () => {
    const { service, calls } = countingService({ cache_keys: ["authorization"] });
    const tokens = ["Bearer alice", "Bearer bob", "Bearer alice ", "bearer alice", "Bearer alic"];
    const users: Array<string | undefined> = [];
    for (const t of tokens) {
      try {
        users.push((await service.authenticate(as(t)))?.user.identity);
      } catch {
        users.push(undefined);
      }
    }
    expect(calls).toEqual(tokens);
    expect(users).toEqual(["alice", "bob", undefined, undefined, "alic"]);
    // and each cached answer stays with its own token
    expect((await service.authenticate(as("Bearer bob")))?.user.identity).toBe("bob");
    expect((await service.authenticate(as("Bearer alice")))?.user.identity).toBe("alice");
    expect(calls).toHaveLength(tokens.length);
  });

  it("keys by every listed header: one differing header is another entry", async () => {
    const { service, calls } = countingService({ cache_keys: ["authorization", "x-tenant"] });
    await service.authenticate(as("Bearer alice", { "x-tenant": "a" }));
    await service.authenticate(as("Bearer alice", { "x-tenant": "b" }));
    await service.authenticate(as("Bearer alice", { "x-tenant": "a" }));
    expect(calls).toHaveLength(2);
  });

  it("does not cache a request that lacks a listed header", async () => {
    const { service, calls } = countingService({ cache_keys: ["authorization", "x-tenant"] });
    await service.authenticate(as("Bearer alice"));
    await service.authenticate(as("Bearer alice"));
    expect(calls).toHaveLength(2);
  });

  it("does not cache refusals: each one calls authenticate again", async () => {
    const { service, calls } = countingService({ cache_keys: ["authorization"] });
    for (let i = 0; i < 3; i += 1) {
      const err = await rejectionOf(service.authenticate(as("Bearer !")));
      expect(err).toBeInstanceOf(UnauthorizedError);
    }
    expect(calls).toHaveLength(3);
  });

  it("forgets an answer after ttl_seconds", async () => {
    let now = 1_000;
    const { service, calls } = countingService({ cache_keys: ["authorization"], ttl_seconds: 2 }, { now: () => now });
    await service.authenticate(as("Bearer alice"));
    now += 1_999;
    await service.authenticate(as("Bearer alice"));
    expect(calls).toHaveLength(1);
    now += 2;
    await service.authenticate(as("Bearer alice"));
    expect(calls).toHaveLength(2);
  });

  it("keeps at most max_size answers, dropping the least recently used", async () => {
    const { service, calls } = countingService({ cache_keys: ["authorization"], max_size: 2 });
    await service.authenticate(as("Bearer a"));
    await service.authenticate(as("Bearer b"));
    await service.authenticate(as("Bearer a")); // a is now the most recent
    await service.authenticate(as("Bearer c")); // evicts b
    expect(calls).toEqual(["Bearer a", "Bearer b", "Bearer c"]);
    await service.authenticate(as("Bearer a"));
    expect(calls).toHaveLength(3);
    await service.authenticate(as("Bearer b"));
    expect(calls).toEqual(["Bearer a", "Bearer b", "Bearer c", "Bearer b"]);
  });

  it("hands each request its own user: a handler changing one cannot change the next", async () => {
    const { service } = countingService({ cache_keys: ["authorization"] });
    const first = await service.authenticate(as("Bearer alice"));
    first!.user.identity = "mallory";
    first!.user.permissions.push("admin");
    first!.permissions.push("admin");
    const second = await service.authenticate(as("Bearer alice"));
    expect(second?.user.identity).toBe("alice");
    expect(second?.user.permissions).toEqual(["read"]);
    expect(second?.permissions).toEqual(["read"]);
    second!.user.display_name = "changed";
    expect((await service.authenticate(as("Bearer alice")))?.user.display_name).toBe("alice");
  });

  it("leaves the Studio shortcut as it was (never cached, never keyed)", async () => {
    const { service, calls } = countingService({ cache_keys: ["x-auth-scheme"] });
    const ctx = await service.authenticate(as(undefined, { "x-auth-scheme": "langsmith" }));
    expect(ctx?.user.identity).toBe("langgraph-studio-user");
    expect(calls).toHaveLength(0);
  });

  it("without cache_keys caches nothing and says so", async () => {
    const { service, calls } = countingService({ ttl_seconds: 10 });
    await service.authenticate(as("Bearer alice"));
    await service.authenticate(as("Bearer alice"));
    expect(calls).toHaveLength(2);
    expect(service.warnings?.join("\n")).toMatch(/auth\.cache .* no cache_keys/);
  });

  it.each([
    [{ ttl_seconds: 0, cache_keys: ["a"] }, /auth\.cache\.ttl_seconds .* positive number, got 0/],
    [{ max_size: 2.5, cache_keys: ["a"] }, /auth\.cache\.max_size .* positive integer, got 2\.5/],
    [{ cache_keys: "authorization" }, /auth\.cache\.cache_keys .* list of header names/],
    [[], /auth\.cache .* must be an object/],
  ])("refuses %j with a clear error", (config, message) => {
    expect(() => createAuthCache(config)).toThrow(ConfigError);
    expect(() => createAuthCache(config)).toThrow(message);
  });
});

describe("auth.cache and reloads", () => {
  const cleanups: Array<() => void | Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it("a reload (a new auth service) starts with an empty cache", async () => {
    const tmp = makeTempDir("lg-dev-auth-cache-");
    cleanups.push(tmp.cleanup);
    linkNodeModules(tmp.dir);
    const counter = path.join(tmp.dir, "calls.log");
    writeFileSync(counter, "");
    writeFileSync(
      path.join(tmp.dir, "auth.mjs"),
      `import { appendFileSync } from "node:fs";
import { Auth } from "@langchain/langgraph-sdk/auth";
export const auth = new Auth().authenticate(async (request) => {
  appendFileSync(${JSON.stringify(counter)}, "x");
  return request.headers.get("authorization").slice(7);
});
`,
    );
    writeFileSync(path.join(tmp.dir, "graph.mjs"), `import { StateGraph, MessagesAnnotation } from "@langchain/langgraph";
export const graph = new StateGraph(MessagesAnnotation).addNode("a", () => ({})).addEdge("__start__", "a").compile();
`);
    writeFileSync(
      path.join(tmp.dir, "langgraph.json"),
      JSON.stringify({ graphs: { g: "./graph.mjs:graph" }, auth: { path: "./auth.mjs:auth", cache: { cache_keys: ["authorization"], ttl_seconds: 600 } } }),
    );
    const loaded = await loadConfig(tmp.dir);
    const loader = createModuleLoader({ projectDir: tmp.dir });
    const authRef: { current: AuthService } = { current: { enabled: false, authenticate: async () => undefined, authorize: async () => undefined } };
    const registry = new GraphRegistry(new Map());
    const reloader = createReloader({
      loaded,
      loader,
      registry,
      authRef,
      checkpointer: undefined as never,
      store: undefined as never,
      ensureSystemAssistants: async () => undefined,
      logger: createLogger("silent"),
    });
    await reloader.load();
    const calls = () => readFileSync(counter, "utf8").length;
    await authRef.current.authenticate(as("Bearer alice"));
    await authRef.current.authenticate(as("Bearer alice"));
    expect(calls()).toBe(1);
    const outcome = await reloader.reload([path.join(tmp.dir, "auth.mjs")]);
    expect(outcome.ok).toBe(true);
    expect((await authRef.current.authenticate(as("Bearer alice")))?.user.identity).toBe("alice");
    expect(calls()).toBe(2);
  });

  it("loadAuth passes auth.cache through and rejects a bad one at load", async () => {
    const dir = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../fixtures/auth-tutorial");
    const importTs = (await import("./helpers.js")).importTs;
    const bad = await rejectionOf(loadAuth({ authConfig: { path: "./auth.ts:auth", cache: { cache_keys: ["authorization"], max_size: 0 } }, configDir: dir, importModule: importTs }));
    expect(bad).toBeInstanceOf(ConfigError);
    const good = await loadAuth({ authConfig: { path: "./auth.ts:auth", cache: { cache_keys: ["authorization"] } }, configDir: dir, importModule: importTs });
    const a = await good.authenticate(as("Bearer user1-token"));
    const b = await good.authenticate(as("Bearer user1-token"));
    expect(b).toEqual(a);
    expect(b).not.toBe(a);
  });
});
