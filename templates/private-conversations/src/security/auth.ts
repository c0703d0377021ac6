import { Auth, HTTPException, isStudioUser } from "@langchain/langgraph-sdk/auth";

/**
 * A toy user database: bearer token -> user (the same as in part 1). Never do this in production:
 * the oauth-jwt template checks tokens issued by a real identity provider instead.
 * A Map (not an object literal) so that a token such as "constructor" cannot match a prototype property.
 */
const VALID_TOKENS = new Map<string, { id: string; name: string }>([
  ["user1-token", { id: "user1", name: "Alice" }],
  ["user2-token", { id: "user2", name: "Bob" }],
]);

const CHALLENGE = { "WWW-Authenticate": "Bearer" };

/** Who is calling? Runs on every request except /ok, /info and /docs. */
export async function authenticate(request: Request) {
  const [scheme, token, ...rest] = (request.headers.get("authorization") ?? "").trim().split(/\s+/);
  if (scheme?.toLowerCase() !== "bearer" || !token || rest.length > 0) {
    throw new HTTPException(401, { message: "Send 'Authorization: Bearer <token>'", headers: CHALLENGE });
  }
  const user = VALID_TOKENS.get(token);
  if (!user) throw new HTTPException(401, { message: "Invalid token", headers: CHALLENGE });
  return { identity: user.id, display_name: user.name, permissions: [] };
}

/** The fields of the authenticated user that the handlers below look at. */
interface User {
  identity: string;
  display_name: string;
  is_authenticated: boolean;
  permissions: string[];
}

// Studio (from your own machine only) runs as a special studio user. Letting it see everything keeps Studio useful
// while you develop; remove these early returns to hold Studio to the same rules as everyone else.

/** On create: record the caller as the owner, so the filters below can recognise their resources later. */
export function markOwner({ value, user }: { value: { metadata?: Record<string, unknown> | null }; user: User }) {
  if (isStudioUser(user)) return;
  value.metadata ??= {};
  value.metadata.owner = user.identity;
  // Returning the filter too makes creating over someone else's id look like a clash, not a takeover.
  return { owner: user.identity };
}

/** On read, update, delete and search: a filter, so resources owned by others are invisible (404, skipped in searches). */
export function ownerOnly({ user }: { user: User }) {
  if (isStudioUser(user)) return;
  return { owner: user.identity };
}

/** Store items live in namespaces; each user may only use the ones that start with their own id: [identity, ...]. */
export function ownNamespaceOnly({ value, user }: { value: { namespace?: string[] | null }; user: User }) {
  if (isStudioUser(user)) return;
  if (value.namespace?.[0] !== user.identity) {
    throw new HTTPException(403, {
      message: `Store namespaces must start with your user id: ["${user.identity}", ...]`,
    });
  }
}

// Only the most specific handler runs for an event, so "threads:create" wins over "threads" for creates.
export const auth = new Auth()
  .authenticate(authenticate)
  .on("threads:create", markOwner)
  // A run's metadata gets the owner too; the filter means you can only run on your own threads.
  .on("threads:create_run", markOwner)
  .on("threads", ownerOnly)
  .on("assistants:create", markOwner)
  .on("assistants", ownerOnly)
  .on("store", ownNamespaceOnly);
