import { afterEach, describe, expect, it } from "vitest";
import { makeTestApp } from "../helpers/app.js";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe("/openapi.json", () => {
  it("is generated from the route schemas that validate requests", async () => {
    const made = await makeTestApp();
    close = made.close;
    const spec = (await made.app.inject({ method: "GET", url: "/openapi.json" })).json();
    const search = spec.paths["/threads/search"].post;
    expect(search.requestBody.content["application/json"].schema.properties.limit).toMatchObject({ maximum: 1000, minimum: 1 });
    expect(spec.paths["/threads/{thread_id}"].get.parameters[0]).toMatchObject({ name: "thread_id", in: "path" });
    expect(spec.components?.securitySchemes).toBeUndefined();
  });

  it("carries the security schemes of langgraph.json auth.openapi", async () => {
    const made = await makeTestApp({
      deps: {
        openapiAuth: {
          securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
          security: [{ bearer: [] }],
        },
      },
    });
    close = made.close;
    const spec = (await made.app.inject({ method: "GET", url: "/openapi.json" })).json();
    expect(spec.components.securitySchemes.bearer).toEqual({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
    expect(spec.security).toEqual([{ bearer: [] }]);
  });
});
