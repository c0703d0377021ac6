import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from "jose";
import { HTTPException } from "@langchain/langgraph-sdk/auth";

/** Where tokens come from and who they are for; read from the environment (`.env`, see `.env.example`). */
export interface AuthSettings {
  /** Must equal the tokens' `iss` claim exactly, e.g. `https://your-tenant.eu.auth0.com/`. */
  issuer: string;
  /** Must appear in the tokens' `aud` claim: the identifier your provider gives this API. */
  audience: string;
  /** The provider's public signing keys (JWKS). */
  jwksUrl: string;
}

/** Reads the settings, failing with a message that says how to fix it (lg-dev prints it when it loads the auth module). */
export function loadAuthSettings(env: NodeJS.ProcessEnv = process.env): AuthSettings {
  const issuer = env.AUTH_ISSUER?.trim();
  const audience = env.AUTH_AUDIENCE?.trim();
  const missing = [!issuer && "AUTH_ISSUER", !audience && "AUTH_AUDIENCE"].filter(Boolean);
  if (!issuer || !audience) {
    throw new Error(`${missing.join(" and ")} not set: copy .env.example to .env and fill in your OAuth provider's values`);
  }
  // Most providers publish their keys here; those that do not document the URL (it is `jwks_uri` in their
  // /.well-known/openid-configuration).
  const jwksUrl = env.AUTH_JWKS_URL?.trim() || new URL(".well-known/jwks.json", issuer.replace(/\/?$/, "/")).href;
  return { issuer, audience, jwksUrl };
}

/** The user that lg-dev attaches to the request; extra fields (email, scopes) are kept and reach the graphs. */
export interface AuthenticatedUser {
  identity: string;
  display_name: string;
  permissions: string[];
  email?: string;
}

const CHALLENGE = { "WWW-Authenticate": "Bearer" };

// Errors that mean "this token is no good" (401). Anything else from jose - a timeout, a JWKS that is not JSON, a
// non-200 - means the provider could not be asked, which is not the caller's fault (503).
const TOKEN_ERRORS = [
  errors.JWTClaimValidationFailed,
  errors.JWTExpired,
  errors.JWTInvalid,
  errors.JWSInvalid,
  errors.JWSSignatureVerificationFailed,
  errors.JWKSNoMatchingKey,
  errors.JWKSMultipleMatchingKeys,
  errors.JOSEAlgNotAllowed,
  errors.JOSENotSupported,
];

/**
 * Builds the `authenticate` function: take the bearer token, check its signature against the provider's JWKS
 * and its `iss`, `aud` and `exp` claims, and turn its claims into the user.
 */
export function createAuthenticator(settings: AuthSettings): (request: Request) => Promise<AuthenticatedUser> {
  // Fetched on first use and cached; refetched when a token names a key id it has not seen (key rotation).
  const jwks = createRemoteJWKSet(new URL(settings.jwksUrl));

  return async function authenticate(request) {
    const [scheme, token, ...rest] = (request.headers.get("authorization") ?? "").trim().split(/\s+/);
    if (scheme?.toLowerCase() !== "bearer" || !token || rest.length > 0) {
      throw new HTTPException(401, { message: "Send 'Authorization: Bearer <access token>'", headers: CHALLENGE });
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, { issuer: settings.issuer, audience: settings.audience }));
    } catch (err) {
      if (TOKEN_ERRORS.some((kind) => err instanceof kind)) {
        throw new HTTPException(401, { message: `Invalid token: ${(err as Error).message}`, headers: CHALLENGE });
      }
      throw new HTTPException(503, {
        message: `Could not get the signing keys from ${settings.jwksUrl}: ${(err as Error).message}`,
        cause: err,
      });
    }
    if (!payload.sub) throw new HTTPException(401, { message: "Invalid token: no subject (sub)", headers: CHALLENGE });
    return {
      identity: payload.sub,
      display_name: stringClaim(payload, "name") ?? stringClaim(payload, "email") ?? payload.sub,
      permissions: permissionsOf(payload),
      ...(stringClaim(payload, "email") ? { email: stringClaim(payload, "email") } : {}),
    };
  };
}

function stringClaim(payload: JWTPayload, name: string): string | undefined {
  const value = payload[name];
  return typeof value === "string" ? value : undefined;
}

/** OAuth2 scopes (`scope`, space separated) plus Auth0-style `permissions`; handlers can check them. */
function permissionsOf(payload: JWTPayload): string[] {
  const scopes = stringClaim(payload, "scope")?.split(" ").filter(Boolean) ?? [];
  const listed = Array.isArray(payload.permissions) ? payload.permissions.filter((p) => typeof p === "string") : [];
  return [...new Set([...scopes, ...listed])];
}
