import { describe, expect, it } from "vitest";
import { createLazyRequest } from "../../src/auth/authenticate.js";

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
