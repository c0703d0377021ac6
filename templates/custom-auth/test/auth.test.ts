import assert from "node:assert/strict";
import { test } from "node:test";
import { HTTPException } from "@langchain/langgraph-sdk/auth";
import { authenticate } from "../src/security/auth.js";

function request(authorization?: string): Request {
  return new Request("http://localhost:2024/threads", {
    headers: authorization === undefined ? {} : { authorization },
  });
}

test("a known token authenticates its user", async () => {
  assert.deepEqual(await authenticate(request("Bearer user1-token")), {
    identity: "user1",
    display_name: "Alice",
    permissions: [],
  });
  assert.equal((await authenticate(request("bearer user2-token"))).identity, "user2");
});

test("anything else is a 401 with a message saying what is wrong", async () => {
  const cases: Array<[string | undefined, RegExp]> = [
    [undefined, /Missing Authorization header/],
    ["Basic dXNlcjE6cGFzcw==", /Bearer <token>/],
    ["Bearer", /Bearer <token>/],
    ["Bearer nope", /Invalid token/],
    ["Bearer constructor", /Invalid token/],
  ];
  for (const [header, message] of cases) {
    await assert.rejects(authenticate(request(header)), (err: unknown) => {
      assert.ok(err instanceof HTTPException);
      assert.equal(err.status, 401);
      assert.match(err.message, message);
      return true;
    });
  }
});
