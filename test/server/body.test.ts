/** Request bodies: JSON whatever the Content-Type, where broken JSON breaks, and the nesting limit. */
import { Auth, HTTPException } from "@langchain/langgraph-sdk/auth";
import { afterEach, describe, expect, it } from "vitest";
import { createAuthService } from "../../src/auth/index.js";
import { MAX_BODY_DEPTH, parseBody, UnreadableBody } from "../../src/server/body.js";
import { tooDeep } from "../../src/json-limits.js";
import { resolveCustomApp } from "../../src/server/custom-routes.js";
import { makeTestApp } from "../helpers/app.js";

let open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.map((a) => a.close()));
  open = [];
});

async function app(opts: Parameters<typeof makeTestApp>[0] = {}) {
  const t = await makeTestApp(opts);
  open.push(t);
  return t.app;
}

const TYPES: Array<[string, string | undefined]> = [
  ["application/json", "application/json"],
  ["application/json with a charset", "application/json; charset=utf-8"],
  ["text/plain (browsers: no CORS preflight)", "text/plain;charset=UTF-8"],
  ["form-encoded", "application/x-www-form-urlencoded"],
  ["octet-stream", "application/octet-stream"],
  ["not a media type", "json"],
  ["no Content-Type at all", undefined],
];

describe("API request bodies", () => {
  it.each(TYPES)("are read as JSON: %s", async (_name, type) => {
    const a = await app();
    const res = await a.inject({
      method: "POST",
      url: "/threads",
      headers: type === undefined ? {} : { "content-type": type },
      payload: JSON.stringify({ metadata: { sent_as: type ?? "none" } }),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().metadata).toEqual({ sent_as: type ?? "none" });
  });

  it("an empty or missing body reads as {}", async () => {
    const a = await app();
    for (const type of ["text/plain", "application/json", "json", undefined]) {
      const headers = type === undefined ? {} : { "content-type": type };
      const res = await a.inject({ method: "POST", url: "/threads/search", headers, payload: "" });
      expect(res.statusCode, type).toBe(200);
      expect(res.json()).toEqual([]);
    }
    const required = await a.inject({ method: "POST", url: "/runs/wait" });
    expect(required.statusCode).toBe(422);
    expect(required.body).toBe("body must have required property 'assistant_id'");
  });

  it("broken JSON is a 400 saying where it broke, whatever the type", async () => {
    const a = await app();
    for (const type of ["application/json", "text/plain", undefined]) {
      const res = await a.inject({
        method: "POST",
        url: "/threads",
        headers: type ? { "content-type": type } : {},
        payload: '{\n  "metadata": {"a": 1,}\n}',
      });
      expect(res.statusCode).toBe(400);
      expect(res.body).toBe("Malformed JSON body: Trailing comma before '}' at line 2, column 23 (position 24)");
    }
    const cut = await a.inject({ method: "POST", url: "/threads", headers: { "content-type": "text/plain" }, payload: '{"a":' });
    expect(cut.body).toBe("Malformed JSON body: Unexpected end of JSON input at line 1, column 6 (position 5)");
  });

  it("authentication runs before the body is judged, for every content type", async () => {
    const auth = new Auth().authenticate(async (request: Request) => {
      if (request.headers.get("authorization") !== "Bearer ok") throw new HTTPException(401, { message: "no entry" });
      // authenticate() sees the body and the Content-Type as sent.
      if (request.headers.get("x-check-body")) {
        const seen = `${request.headers.get("content-type")}|${await request.text()}`;
        if (seen !== request.headers.get("x-check-body")) throw new HTTPException(418, { message: seen });
      }
      return { identity: "u", permissions: [] };
    });
    const a = await app({ auth: createAuthService({ module: { file: "/t/auth.ts", exportName: "auth", auth: auth as never } }) });
    for (const type of ["text/plain", "json"]) {
      const anonymous = await a.inject({ method: "POST", url: "/threads", headers: { "content-type": type }, payload: "{broken" });
      expect(anonymous.statusCode).toBe(401);
      const deep = await a.inject({ method: "POST", url: "/threads", headers: { "content-type": type }, payload: nested(500) });
      expect(deep.statusCode).toBe(401);
      const authed = await a.inject({
        method: "POST",
        url: "/threads",
        headers: { "content-type": type, authorization: "Bearer ok", "x-check-body": `${type}|{"metadata":{"x":1}}` },
        payload: '{"metadata":{"x":1}}',
      });
      expect(authed.statusCode, authed.body).toBe(200);
    }
  });

  it("custom routes of a fetch app still get the raw body and Content-Type", async () => {
    const custom = resolveCustomApp(
      { fetch: async (r: Request) => new Response(`${r.headers.get("content-type")}|${await r.text()}`) },
      "echo app",
    );
    const a = await app({ deps: { http: { app: custom } } });
    const res = await a.inject({ method: "POST", url: "/custom/echo", headers: { "content-type": "text/plain" }, payload: "not json {" });
    expect(res.body).toBe("text/plain|not json {");
  });
});

/** `{"metadata": {"a": {"a": ... }}}` with `depth` levels of objects in all. */
function nested(depth: number, field = "metadata"): string {
  return `{"${field}":${'{"a":'.repeat(depth - 2)}1${"}".repeat(depth - 2)}}`.replace(/1}/, "{}}").replace(/^/, "");
}

describe("the nesting limit", () => {
  it("counts levels of objects and arrays from the body itself", () => {
    expect(tooDeep({ a: 1 }, 1)).toBeUndefined();
    expect(tooDeep({ a: {} }, 1)).toBe("body/a");
    expect(tooDeep({ a: [[{}]] }, 3)).toBe("body/a/0");
    expect(tooDeep({ a: [[{}]] }, 4)).toBeUndefined();
    expect(tooDeep(JSON.parse(`{"x":{"y":${"[".repeat(200)}${"]".repeat(200)}}}`), 100)).toBe("body/x/y");
  });

  it("accepts a body exactly at the limit and refuses one level more, naming the field and the limit", () => {
    const at = JSON.parse(nested(MAX_BODY_DEPTH));
    expect(tooDeep(at, MAX_BODY_DEPTH)).toBeUndefined();
    expect(parseBody(nested(MAX_BODY_DEPTH))).toEqual(at);
    const over = parseBody(nested(MAX_BODY_DEPTH + 1));
    expect(over).toBeInstanceOf(UnreadableBody);
    expect((over as UnreadableBody).error.status).toBe(422);
    expect((over as UnreadableBody).error.message).toBe(
      `body/metadata/a nests deeper than ${MAX_BODY_DEPTH} levels of objects and arrays, the most lg-dev accepts in a request body`,
    );
  });

  it("a broken body nested beyond the stack still answers where it broke", () => {
    const out = parseBody(`{"a":${"[".repeat(200_000)}`);
    expect(out).toBeInstanceOf(UnreadableBody);
    expect((out as UnreadableBody).error.message).toMatch(/^Malformed JSON body: .* at line 1, column \d+ \(position \d+\)$/);
  });
});
