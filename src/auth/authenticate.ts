/**
 * Authentication: the studio shortcut, calling the user's function with the standard `Request` it expects
 * (lazy-request.ts), refusals without stack traces (traceless-refusals.ts), and normalising whatever it returns
 * into an `AuthContext`.
 */
import { isHttpExceptionLike, toHttpError } from "./http-exception.js";
import { createLazyRequest } from "./lazy-request.js";
import type { UserFunction } from "./load.js";
import { callShallow, lostTraceNote, type AuthenticateTraces } from "./traceless-refusals.js";
import type { AuthContext, AuthRequestInfo, AuthUser } from "./types.js";

/** The identity LangGraph Studio runs as; the SDK's `isStudioUser()` recognises it (and `kind: "StudioUser"`). */
export const STUDIO_USER_IDENTITY = "langgraph-studio-user";

/** A fresh studio user: a new object per request, so a handler that mutates `user` cannot leak into the next one. */
export function createStudioUser(): AuthUser {
  return {
    kind: "StudioUser",
    identity: STUDIO_USER_IDENTITY,
    display_name: STUDIO_USER_IDENTITY,
    permissions: [],
    is_authenticated: true,
  };
}

/** The user of an Auth module without an authenticate function: handlers still run, and can tell it apart. */
export function createAnonymousUser(): AuthUser {
  return { identity: "anonymous", display_name: "anonymous", permissions: [], is_authenticated: false };
}

/** An AuthContext for a user, with its own copy of the permissions. */
export function createAuthContext(user: AuthUser): AuthContext {
  return { user, permissions: [...user.permissions] };
}

/**
 * True when the request claims to come from Studio and may: the header alone is forgeable, so it only counts from
 * this machine (a remote client must not skip authentication by sending it).
 */
export function isStudioRequest(request: AuthRequestInfo, studioAuthDisabled: boolean): boolean {
  if (studioAuthDisabled || !request.peerIsLoopback) return false;
  const raw = request.headers["x-auth-scheme"];
  const scheme = Array.isArray(raw) ? raw[0] : raw;
  return typeof scheme === "string" && scheme.trim().toLowerCase() === "langsmith";
}

/** How {@link runAuthenticate} calls the user's function. */
export interface AuthenticateOptions {
  /** The trace policy of the auth service (none: traces always kept, as for one-off calls). */
  traces?: AuthenticateTraces;
  /** The Request handed to the function (lazy by default). */
  makeRequest?: (info: AuthRequestInfo) => Request;
}

/** Call the user's authenticate function and normalise its answer; see `normaliseAuthResult` for the rules. */
export async function runAuthenticate(fn: UserFunction, request: AuthRequestInfo, file: string, options: AuthenticateOptions = {}): Promise<AuthContext> {
  const { traces, makeRequest = createLazyRequest } = options;
  const req = makeRequest(request);
  const quiet = traces?.quiet ?? false;
  let result: unknown;
  try {
    result = await callShallow(fn as (req: Request) => unknown, req, quiet);
  } catch (err) {
    if (isHttpExceptionLike(err)) {
      traces?.expected();
      throw toHttpError(err);
    }
    traces?.unexpected();
    // Wrapped so that the server never mistakes user errors for its own (or for an HTTP status), and logs the cause.
    throw new Error(`The authenticate function of ${file} threw: ${errorMessage(err)}${lostTraceNote(err, quiet)}`, { cause: err });
  }
  traces?.expected();
  return createAuthContext(normaliseAuthResult(result, file));
}

const NORMALISED_FIELDS = new Set(["identity", "display_name", "is_authenticated", "permissions"]);

/**
 * A string is the identity; an object needs a non-empty string `identity` and keeps its extra fields, with
 * `display_name` defaulting to the identity, `is_authenticated` to true and `permissions` to [] (strings only).
 * Anything else is a bug in the user's module: a plain Error (500) naming the file.
 */
export function normaliseAuthResult(result: unknown, file: string): AuthUser {
  if (typeof result === "string" && result !== "") {
    return { identity: result, display_name: result, is_authenticated: true, permissions: [] };
  }
  if (typeof result === "object" && result !== null && !Array.isArray(result)) {
    const fields = result as Record<string, unknown>;
    const identity = fields.identity;
    if (typeof identity === "string" && identity !== "") {
      const permissions = Array.isArray(fields.permissions)
        ? fields.permissions.filter((p): p is string => typeof p === "string")
        : [];
      // Extra fields first, then the four normalised ones (as an object spread would, at a tenth of its cost:
      // this runs on every authenticated request).
      const user: Record<string, unknown> = {};
      for (const key of Object.keys(fields)) {
        if (!NORMALISED_FIELDS.has(key) && key !== "__proto__") user[key] = fields[key];
      }
      user.identity = identity;
      user.display_name = typeof fields.display_name === "string" ? fields.display_name : identity;
      user.is_authenticated = typeof fields.is_authenticated === "boolean" ? fields.is_authenticated : true;
      user.permissions = permissions;
      return user as unknown as AuthUser;
    }
  }
  throw new Error(
    `The authenticate function of ${file} returned ${describeResult(result)}; ` +
      "return a non-empty string identity or an object with a string `identity`, or throw an HTTPException.",
  );
}

function describeResult(result: unknown): string {
  if (result === undefined || result === null) return String(result);
  if (typeof result === "string") return "an empty string";
  if (Array.isArray(result)) return "an array";
  if (typeof result === "object") return "an object without a string `identity`";
  return `a ${typeof result}`;
}

/** The message of anything thrown, for wrapping. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  try {
    return typeof err === "string" ? err : JSON.stringify(err);
  } catch {
    return String(err);
  }
}
