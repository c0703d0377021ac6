/** Route validators compiled on first use: same verdicts and errors as Fastify's own, no compile before. */
import AjvCompiler from "@fastify/ajv-compiler";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { lazyValidators } from "../../src/server/lazy-validators.js";

const schema = { type: "object", properties: { limit: { type: "integer", minimum: 1 }, tags: { type: "array", items: { type: "string" } } }, required: ["limit"] };
const route = { schema, method: "POST", url: "/x", httpPart: "body" };
const options = { customOptions: { coerceTypes: "array" as const, removeAdditional: false, allErrors: false } };

describe("lazyValidators", () => {
  it("compiles a route's validator on its first use, once", () => {
    const real = AjvCompiler();
    let compiles = 0;
    const counting = ((ext: never, opts: never) => {
      const compile = real(ext, opts);
      return (r: never) => {
        compiles += 1;
        return compile(r);
      };
    }) as ReturnType<typeof AjvCompiler>;
    const validate = lazyValidators(counting)({}, options)(route as never);
    expect(compiles).toBe(0);
    for (let i = 0; i < 5; i++) validate({ limit: 3 });
    expect(compiles).toBe(1);
  });

  it("gives the verdicts, coercions and errors of the eager validator", () => {
    const eager = AjvCompiler()({}, options)(route as never);
    const lazy = lazyValidators()({}, options)(route as never);
    const cases: unknown[] = [{ limit: 2 }, { limit: "7", tags: "one" }, { limit: 0 }, {}, { limit: "x" }];
    for (const c of cases) {
      const a = structuredClone(c);
      const b = structuredClone(c);
      expect(lazy(b)).toBe(eager(a));
      expect(b).toEqual(a);
      expect(lazy.errors).toEqual(eager.errors);
    }
    expect(lazy({ limit: 1 })).toBe(true);
    expect(lazy.errors).toBeNull();
  });

  it("answers an invalid body through Fastify as before (400 naming the field)", async () => {
    for (const factory of [undefined, lazyValidators()]) {
      const app = Fastify({ ajv: options, ...(factory ? { schemaController: { compilersFactory: { buildValidator: factory } } } : {}) });
      app.post("/x", { schema: { body: schema } }, async (req) => req.body);
      const bad = await app.inject({ method: "POST", url: "/x", payload: { limit: 0 } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().message).toBe("body/limit must be >= 1");
      const good = await app.inject({ method: "POST", url: "/x", payload: { limit: "4", tags: "a" } });
      expect(good.json()).toEqual({ limit: 4, tags: ["a"] });
      await app.close();
    }
  });
});
