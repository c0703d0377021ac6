/** Route validators compiled on first use: same verdicts and errors as Fastify's own, no compile before. */
import AjvCompiler from "@fastify/ajv-compiler";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { lazyValidators } from "../../src/server/lazy-validators.js";

const schema = { type: "object", properties: { limit: { type: "integer", minimum: 1 }, tags: { type: "array", items: { type: "string" } } }, required: ["limit"] };
const route = { schema, method: "POST", url: "/x", httpPart: "body" };
const options = { customOptions: { coerceTypes: "array" as const, removeAdditional: false, allErrors: false } };

/** Fastify's compiler, counting the validators it compiles. */
function countingCompiler() {
  const real = AjvCompiler();
  const counter = { compiles: 0 };
  const build = ((ext: never, opts: never) => {
    const compile = real(ext, opts);
    return (r: never) => {
      counter.compiles += 1;
      return compile(r);
    };
  }) as ReturnType<typeof AjvCompiler>;
  return { build, counter };
}

describe("lazyValidators", () => {
  it("compiles a route's validator on its first use, once", () => {
    const { build, counter } = countingCompiler();
    const validate = lazyValidators(build)({}, options)(route as never);
    expect(counter.compiles).toBe(0);
    for (let i = 0; i < 5; i++) validate({ limit: 3 });
    expect(counter.compiles).toBe(1);
  });

  it("with LG_DEV_NO_LAZY_VALIDATORS=1, is Fastify's own compiler: every route compiles when the server starts", async () => {
    for (const [env, atStart] of [[{}, 0], [{ LG_DEV_NO_LAZY_VALIDATORS: "1" }, 2]] as const) {
      const { build, counter } = countingCompiler();
      const app = Fastify({ ajv: options, schemaController: { compilersFactory: { buildValidator: lazyValidators(build, env) } } });
      app.post("/x", { schema: { body: schema } }, async (req) => req.body);
      app.post("/y", { schema: { body: schema } }, async (req) => req.body);
      await app.ready();
      expect(counter.compiles).toBe(atStart);
      expect((await app.inject({ method: "POST", url: "/x", payload: { limit: 1 } })).statusCode).toBe(200);
      expect(counter.compiles).toBe(atStart === 0 ? 1 : 2);
      await app.close();
    }
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
