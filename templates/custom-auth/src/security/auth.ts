import { Auth, HTTPException } from "@langchain/langgraph-sdk/auth";

/**
 * A toy user database: bearer token -> user. Fine for trying things out, never for production:
 * the oauth-jwt template shows how to check tokens issued by a real identity provider instead.
 * A Map (not an object literal) so that a token such as "constructor" cannot match a prototype property.
 */
const VALID_TOKENS = new Map<string, { id: string; name: string }>([
  ["user1-token", { id: "user1", name: "Alice" }],
  ["user2-token", { id: "user2", name: "Bob" }],
]);

/** Tells the client which scheme to use, as RFC 6750 asks of a 401. */
const CHALLENGE = { "WWW-Authenticate": "Bearer" };

/**
 * Runs on every request (except /ok, /info and /docs). The returned identity becomes the request's user:
 * the authorization handlers see it, and graphs find it in `config.configurable.langgraph_auth_user`.
 */
export async function authenticate(request: Request) {
  const header = request.headers.get("authorization");
  if (!header) {
    throw new HTTPException(401, {
      message: "Missing Authorization header: send 'Authorization: Bearer <token>'",
      headers: CHALLENGE,
    });
  }
  const [scheme, token, ...rest] = header.trim().split(/\s+/);
  if (scheme?.toLowerCase() !== "bearer" || !token || rest.length > 0) {
    throw new HTTPException(401, { message: "Authorization header must look like 'Bearer <token>'", headers: CHALLENGE });
  }
  const user = VALID_TOKENS.get(token);
  if (!user) throw new HTTPException(401, { message: "Invalid token", headers: CHALLENGE });
  return { identity: user.id, display_name: user.name, permissions: [] };
}

export const auth = new Auth().authenticate(authenticate);
