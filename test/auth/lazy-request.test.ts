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
});
