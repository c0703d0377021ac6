import { Auth } from "@langchain/langgraph-sdk/auth";
import { describe, expect, it } from "vitest";
import { createAuthService } from "../../src/auth/index.js";
import { createLazyRequest } from "../../src/auth/lazy-request.js";

const info = {
  method: "post",
  url: "http://127.0.0.1:2024/threads?x=1",
  headers: { authorization: "Bearer t", "x-multi": ["a", "b"], "content-type": "application/json" },
  body: '{"a":1}',
  peerIsLoopback: true,
};

describe("the lazy Request given to authenticate", () => {
  it("is a Request with method, url and headers at once", () => {
    const req = createLazyRequest(info);
    expect(req).toBeInstanceOf(Request);
    expect(req.method).toBe("POST");
    expect(new URL(req.url).searchParams.get("x")).toBe("1");
    expect(req.headers.get("authorization")).toBe("Bearer t");
    expect(req.headers.get("x-multi")).toBe("a, b");
  });

  it("builds the body on first use, once", async () => {
    const req = createLazyRequest(info);
    expect(req.bodyUsed).toBe(false);
    expect(await req.json()).toEqual({ a: 1 });
    expect(req.bodyUsed).toBe(true);
    await expect(req.text()).rejects.toThrow();
  });

  it("clone() gives a real Request that fetch-style code accepts", async () => {
    const copy = createLazyRequest(info).clone();
    const again = new Request(copy);
    expect(await again.text()).toBe('{"a":1}');
    expect(copy.signal).toBeInstanceOf(AbortSignal);
  });

  it("its headers read Node's header object for get/has, and behave as a full Headers for everything else", () => {
    const req = createLazyRequest(info);
    expect(req.headers).toBeInstanceOf(Headers);
    expect(req.headers.get("Authorization")).toBe("Bearer t");
    expect(req.headers.get("missing")).toBeNull();
    expect(req.headers.has("CONTENT-TYPE")).toBe(true);
    expect(req.headers.has("missing")).toBe(false);
    expect([...req.headers]).toEqual([
      ["authorization", "Bearer t"],
      ["content-type", "application/json"],
      ["x-multi", "a, b"],
    ]);
    expect(Object.fromEntries(new Headers(req.headers))).toEqual({ authorization: "Bearer t", "content-type": "application/json", "x-multi": "a, b" });
    // Changes are the request's own: the server's header object is left alone.
    const other = createLazyRequest(info);
    other.headers.set("authorization", "changed");
    other.headers.delete("x-multi");
    expect(other.headers.get("authorization")).toBe("changed");
    expect(other.headers.has("x-multi")).toBe(false);
    expect(info.headers.authorization).toBe("Bearer t");
    expect(createLazyRequest(info).headers.get("x-multi")).toBe("a, b");
  });
});

/** How many undici Requests `fn` constructs (the lazy Request builds its real one through the global). */
async function requestsBuiltDuring(fn: () => Promise<void>): Promise<number> {
  const Original = globalThis.Request;
  let built = 0;
  globalThis.Request = new Proxy(Original, {
    construct(target, args, newTarget) {
      built += 1;
      return Reflect.construct(target, args, newTarget);
    },
  });
  try {
    await fn();
  } finally {
    globalThis.Request = Original;
  }
  return built;
}

/** An auth service whose authenticate reads what `read` reads of the request, keeping what it was handed. */
function serviceReading(read: (request: Request) => unknown, env: NodeJS.ProcessEnv) {
  const handed: Request[] = [];
  const auth = new Auth().authenticate(async (request: Request) => {
    handed.push(request);
    await read(request);
    return "alice";
  });
  return { service: createAuthService({ module: { file: "/p/auth.ts", exportName: "auth", auth }, env }), handed };
}

describe("what the lazy Request saves, and LG_DEV_NO_LAZY_REQUEST=1", () => {
  it("reading method, url and headers builds no undici Request; the body builds one, on first use", async () => {
    const headersOnly = serviceReading((r) => [r.method, r.url, r.headers.get("authorization")], {});
    expect(await requestsBuiltDuring(async () => void (await headersOnly.service.authenticate(info)))).toBe(0);
    const body = serviceReading((r) => r.json(), {});
    expect(await requestsBuiltDuring(async () => void (await body.service.authenticate(info)))).toBe(1);
  });

  it("switched off, authenticate gets a full Request built up front, whatever it reads", async () => {
    const env = { LG_DEV_NO_LAZY_REQUEST: "1" };
    const { service, handed } = serviceReading((r) => r.headers.get("authorization"), env);
    expect(await requestsBuiltDuring(async () => void (await service.authenticate(info)))).toBe(1);
    expect(Object.getPrototypeOf(handed[0])).toBe(Request.prototype);
    expect(handed[0]!.headers.get("x-multi")).toBe("a, b");
    expect(await handed[0]!.text()).toBe('{"a":1}');
  });
});
