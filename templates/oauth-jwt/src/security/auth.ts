import { Auth, isStudioUser } from "@langchain/langgraph-sdk/auth";
import { createAuthenticator, loadAuthSettings } from "./jwt.js";

/** The fields of the authenticated user that the handlers below look at. */
interface User {
  identity: string;
  display_name: string;
  is_authenticated: boolean;
  permissions: string[];
}

/** Part 2's rule: what you create is yours. */
function markOwner({ value, user }: { value: { metadata?: Record<string, unknown> | null }; user: User }) {
  if (isStudioUser(user)) return;
  value.metadata ??= {};
  value.metadata.owner = user.identity;
  return { owner: user.identity };
}

/** Part 2's rule: you only see what is yours (others' threads answer 404 and are skipped by searches). */
function ownerOnly({ user }: { user: User }) {
  if (isStudioUser(user)) return;
  return { owner: user.identity };
}

// Settings are read when lg-dev loads this module, so a missing .env stops start-up with a clear message
// instead of failing every request later.
export const auth = new Auth()
  .authenticate(createAuthenticator(loadAuthSettings()))
  .on("threads:create", markOwner)
  .on("threads:create_run", markOwner)
  .on("threads", ownerOnly);
