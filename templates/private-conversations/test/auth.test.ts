import assert from "node:assert/strict";
import { test } from "node:test";
import { HTTPException } from "@langchain/langgraph-sdk/auth";
import { authenticate, markOwner, ownerOnly, ownNamespaceOnly } from "../src/security/auth.js";

const alice = { identity: "user1", display_name: "Alice", is_authenticated: true, permissions: [] };
const studio = { ...alice, identity: "langgraph-studio-user", kind: "StudioUser" };

function request(authorization?: string): Request {
  return new Request("http://localhost:2024/threads", { headers: authorization ? { authorization } : {} });
}

test("tokens map to users; anything else is a 401", async () => {
  assert.equal((await authenticate(request("Bearer user1-token"))).identity, "user1");
  assert.equal((await authenticate(request("Bearer user2-token"))).identity, "user2");
  for (const header of [undefined, "Bearer wrong", "Token user1-token"]) {
    await assert.rejects(authenticate(request(header)), (err: unknown) => err instanceof HTTPException && err.status === 401);
  }
});

test("creating stamps the owner into the metadata and keeps what was there", () => {
  const value: { metadata?: Record<string, unknown> | null } = { metadata: { topic: "cats" } };
  assert.deepEqual(markOwner({ value, user: alice }), { owner: "user1" });
  assert.deepEqual(value.metadata, { topic: "cats", owner: "user1" });

  const bare: { metadata?: Record<string, unknown> | null } = {};
  markOwner({ value: bare, user: alice });
  assert.deepEqual(bare.metadata, { owner: "user1" });
});

test("reads and searches are filtered by owner", () => {
  assert.deepEqual(ownerOnly({ user: alice }), { owner: "user1" });
});

test("the store only opens namespaces that start with the user's id", () => {
  assert.equal(ownNamespaceOnly({ value: { namespace: ["user1", "notes"] }, user: alice }), undefined);
  for (const namespace of [["user2", "notes"], [], null]) {
    assert.throws(
      () => ownNamespaceOnly({ value: { namespace }, user: alice }),
      (err: unknown) => err instanceof HTTPException && err.status === 403,
    );
  }
});

test("the studio user is let through unfiltered", () => {
  const value: { metadata?: Record<string, unknown> | null } = {};
  assert.equal(markOwner({ value, user: studio }), undefined);
  assert.equal(value.metadata, undefined);
  assert.equal(ownerOnly({ user: studio }), undefined);
  assert.equal(ownNamespaceOnly({ value: { namespace: ["anyone"] }, user: studio }), undefined);
});
