/**
 * Error answers SDK users match on, worded as the official server words them (bench/compare/errors.mjs compares
 * the two servers side by side; hidden resources answer as these unknown ones do: see authz-sweep.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestApp } from "../helpers/app.js";

const UNKNOWN = "00000000-0000-4000-8000-000000000000";
let made: Awaited<ReturnType<typeof makeTestApp>>;
beforeAll(async () => {
  made = await makeTestApp();
});
afterAll(async () => made.close());

const call = (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, body?: unknown) =>
  made.app.inject({ method, url, ...(body !== undefined ? { headers: { "content-type": "application/json" }, payload: JSON.stringify(body) } : {}) });

describe("error wording", () => {
  it.each([
    ["GET", `/assistants/${UNKNOWN}`, undefined],
    ["PATCH", `/assistants/${UNKNOWN}`, { name: "x" }],
    ["DELETE", `/assistants/${UNKNOWN}`, undefined],
    ["GET", `/assistants/${UNKNOWN}/graph`, undefined],
    ["GET", `/assistants/${UNKNOWN}/schemas`, undefined],
    ["GET", `/assistants/${UNKNOWN}/subgraphs`, undefined],
    ["GET", `/assistants/${UNKNOWN}/subgraphs/child`, undefined],
    ["POST", `/assistants/${UNKNOWN}/latest`, { version: 1 }],
  ] as const)("%s %s: 404 Assistant not found", async (method, url, body) => {
    const res = await call(method, url, body);
    expect(res.statusCode).toBe(404);
    expect(res.body).toBe("Assistant not found");
  });

  it("versions: 404 Assistant \"<id>\" not found.", async () => {
    const res = await call("POST", `/assistants/${UNKNOWN}/versions`, {});
    expect(res.statusCode).toBe(404);
    expect(res.body).toBe(`Assistant "${UNKNOWN}" not found.`);
  });

  it("an unknown version: 404 Assistant version not found", async () => {
    const a = (await call("POST", "/assistants", { graph_id: "echo" })).json();
    const res = await call("POST", `/assistants/${a.assistant_id}/latest`, { version: 9 });
    expect(res.statusCode).toBe(404);
    expect(res.body).toBe("Assistant version not found");
  });

  it("DELETE /assistants/{id}: 200 with the deleted id, as the official server answers", async () => {
    const a = (await call("POST", "/assistants", { graph_id: "echo" })).json();
    const res = await call("DELETE", `/assistants/${a.assistant_id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([a.assistant_id]);
    expect((await call("GET", `/assistants/${a.assistant_id}`)).body).toBe("Assistant not found");
  });

  it("a run naming an unknown assistant: 404 No assistant found for \"<id>\"", async () => {
    for (const id of [UNKNOWN, "no-such-graph"]) {
      const res = await call("POST", "/runs/wait", { assistant_id: id, input: {} });
      expect(res.statusCode).toBe(404);
      expect(res.body).toBe(`No assistant found for "${id}"`);
    }
  });

  it("copying a missing thread: 409 Thread not found", async () => {
    const res = await call("POST", `/threads/${UNKNOWN}/copy`);
    expect(res.statusCode).toBe(409);
    expect(res.body).toBe("Thread not found");
  });
});
