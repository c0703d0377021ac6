import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { HTTPException } from "@langchain/langgraph-sdk/auth";
import { startDevIssuer, type DevIssuer } from "../scripts/dev-issuer.js";
import { createAuthenticator, loadAuthSettings } from "../src/security/jwt.js";

// A local stand-in provider plays the OAuth server, so the test needs no network and no account.
let issuer: DevIssuer;
let authenticate: (request: Request) => Promise<{ identity: string; permissions: string[] }>;

before(async () => {
  issuer = await startDevIssuer({ audience: "langgraph-api" });
  authenticate = createAuthenticator({ issuer: issuer.issuer, audience: "langgraph-api", jwksUrl: issuer.jwksUrl });
});
after(() => issuer.close());

function withToken(token?: string): Request {
  return new Request("http://localhost:2024/threads", { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

async function rejectsWith(request: Request, status: number, message: RegExp) {
  await assert.rejects(authenticate(request), (err: unknown) => {
    assert.ok(err instanceof HTTPException);
    assert.equal(err.status, status);
    assert.match(err.message, message);
    return true;
  });
}

test("a token signed by the provider authenticates its subject", async () => {
  const user = await authenticate(withToken(await issuer.mint("alice", { scope: "openid threads:write" })));
  assert.equal(user.identity, "alice");
  assert.deepEqual(user.permissions, ["openid", "threads:write"]);
});

test("missing, expired, foreign and tampered tokens are 401s", async () => {
  await rejectsWith(withToken(), 401, /Bearer/);
  await rejectsWith(withToken("not-a-jwt"), 401, /Invalid token/);
  await rejectsWith(withToken(await issuer.mint("alice", {}, "-1m")), 401, /Invalid token: .*exp/);
  await rejectsWith(withToken(await issuer.mint("alice", { aud: "another-api" })), 401, /Invalid token: .*aud/);
  await rejectsWith(withToken(await issuer.mint("alice", { iss: "https://evil.example" })), 401, /Invalid token: .*iss/);
  const [header, payload, signature] = (await issuer.mint("alice")).split(".");
  const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, "base64url").toString()), sub: "bob" })).toString("base64url");
  await rejectsWith(withToken(`${header}.${forged}.${signature}`), 401, /Invalid token: signature/);
});

test("an unreachable provider is a 503, not the caller's fault", async () => {
  const offline = createAuthenticator({ issuer: issuer.issuer, audience: "langgraph-api", jwksUrl: "http://127.0.0.1:9/jwks" });
  await assert.rejects(offline(withToken(await issuer.mint("alice"))), (err: unknown) => err instanceof HTTPException && err.status === 503);
});

test("settings come from the environment, with a clear message when missing", () => {
  assert.deepEqual(loadAuthSettings({ AUTH_ISSUER: "https://id.example.com", AUTH_AUDIENCE: "api" }), {
    issuer: "https://id.example.com",
    audience: "api",
    jwksUrl: "https://id.example.com/.well-known/jwks.json",
  });
  assert.equal(loadAuthSettings({ AUTH_ISSUER: "https://x", AUTH_AUDIENCE: "a", AUTH_JWKS_URL: "https://k/jwks" }).jwksUrl, "https://k/jwks");
  assert.throws(() => loadAuthSettings({}), /AUTH_ISSUER and AUTH_AUDIENCE not set: copy \.env\.example to \.env/);
});
