/**
 * Custom auth (`auth` in langgraph.json): load the user's `Auth` object and expose it as an `AuthService`.
 * Built once per (re)load by dev/ and passed into the server; nothing here is module-level state.
 */
import { ConfigError } from "../errors.js";
import { createAuthCache, type AuthCacheClock } from "./auth-cache.js";
import { createAnonymousUser, createAuthContext, createStudioUser, isStudioRequest, runAuthenticate } from "./authenticate.js";
import { runHandler, selectHandler } from "./authorize.js";
import { requestMaker } from "./lazy-request.js";
import { describeAuthWarnings, loadAuthModule, readHandlers, type ImportModule, type LoadedAuthModule } from "./load.js";
import { authenticateTraces } from "./traceless-refusals.js";
import type { AuthContext, AuthService } from "./types.js";

export type * from "./types.js";
export type * from "./events.js";
export { AUTH_EVENT_NAMES, createAuthEvent } from "./events.js";
export { matchesFilters, mergeFilters, storeFilterTarget } from "./filters.js";
export { isLocalPeer, isLoopbackAddress } from "./loopback.js";
export { STUDIO_USER_IDENTITY, createStudioUser } from "./authenticate.js";
export { resolveAuthPath, type ImportModule, type LoadedAuthModule } from "./load.js";

/** The `auth` section of langgraph.json, as far as the server is concerned. */
export interface AuthConfig {
  /** `"./src/auth.ts:auth"`; no `:name` means the default export. */
  path?: string;
  /** Turn off the Studio shortcut (`x-auth-scheme: langsmith`). The strings "true"/"false" are accepted too. */
  disable_studio_auth?: boolean | string;
  /** `{cache_keys, ttl_seconds, max_size}`: reuse authenticate's answers (auth-cache.ts). */
  cache?: unknown;
  [key: string]: unknown;
}

/** What `loadAuth` needs. */
export interface LoadAuthOptions {
  authConfig?: AuthConfig;
  /** Directory of langgraph.json: `auth.path` is resolved from it. */
  configDir: string;
  importModule: ImportModule;
}

/** Options of `createAuthService`: an already imported Auth module (tests may build one in memory). */
export interface AuthServiceOptions {
  module: LoadedAuthModule;
  disableStudioAuth?: boolean;
  /** Where the speed tricks' switches are read (`LG_DEV_NO_LAZY_REQUEST`, `LG_DEV_NO_TRACELESS_REFUSALS`). */
  env?: NodeJS.ProcessEnv;
  /** `auth.cache` from langgraph.json (validated here: a bad value throws `ConfigError`). */
  cache?: unknown;
  /** The cache's clock (tests). */
  cacheClock?: AuthCacheClock;
}

/** Load the auth module named in langgraph.json; without one, a disabled service. Throws `ConfigError`. */
export async function loadAuth(opts: LoadAuthOptions): Promise<AuthService> {
  const spec = opts.authConfig?.path;
  if (spec === undefined || spec === null || spec === "") return createDisabledAuthService();
  if (typeof spec !== "string") throw new ConfigError(`auth.path in langgraph.json must be a string, got ${typeof spec}`);
  const disableStudioAuth = parseDisableStudioAuth(opts.authConfig?.disable_studio_auth);
  const module = await loadAuthModule(spec, opts.configDir, opts.importModule);
  return createAuthService({ module, disableStudioAuth, cache: opts.authConfig?.cache });
}

/** The service when no auth is configured: everyone is allowed, nobody is identified. */
export function createDisabledAuthService(): AuthService {
  return {
    enabled: false,
    authenticate: async () => undefined,
    authorize: async () => undefined,
  };
}

/** An AuthService over an imported Auth object. */
export function createAuthService(opts: AuthServiceOptions): AuthService {
  const { module, disableStudioAuth = false, env = process.env } = opts;
  const { auth, file } = module;
  const call = { traces: authenticateTraces(env), makeRequest: requestMaker(env) };
  const warnings = describeAuthWarnings(module);
  // One cache per service: a reload builds a new service, so editing the auth module drops every cached answer.
  const cache = createAuthCache(opts.cache, { clock: opts.cacheClock, warnings });
  return {
    enabled: true,
    file,
    warnings,
    async authenticate(request) {
      if (isStudioRequest(request, disableStudioAuth)) return createAuthContext(createStudioUser());
      // Handlers are read per call (not cached at load) so registrations made after the export are honoured.
      const { authenticate } = readHandlers(auth);
      // The official JS server skips the handlers too in this case (fail open); we keep them running for an
      // anonymous user so that a module with only `.on(...)` rules still enforces them.
      if (!authenticate) return createAuthContext(createAnonymousUser());
      const key = cache?.keyOf(request.headers);
      if (key === undefined) return runAuthenticate(authenticate, request, file, call);
      const hit = cache!.get(key);
      if (hit) return hit;
      // Only answers are kept: a refusal or an error throws past this line.
      const ctx = await runAuthenticate(authenticate, request, file, call);
      cache!.set(key, ctx);
      return ctx;
    },
    async authorize(ctx, event) {
      const selected = selectHandler(readHandlers(auth).callbacks, event.resource, event.action);
      if (!selected) return undefined;
      return runHandler(selected, ctx ?? createAuthContext(createAnonymousUser()), event, file);
    },
  };
}

/**
 * The `config.configurable` keys through which graphs see the caller (as the official servers set them):
 * merge into every run's configurable. Empty when auth is off.
 */
export function createRunAuthConfigurable(ctx: AuthContext | undefined): Record<string, unknown> {
  if (!ctx) return {};
  return {
    langgraph_auth_user: ctx.user,
    langgraph_auth_user_id: ctx.user.identity,
    langgraph_auth_permissions: [...ctx.permissions],
  };
}

/** `disable_studio_auth` as written in langgraph.json: a boolean or the strings "true"/"false" in any case. */
function parseDisableStudioAuth(value: unknown): boolean {
  const text = typeof value === "string" ? value.trim().toLowerCase() : value;
  if (text === undefined || text === null || text === false || text === "false") return false;
  if (text === true || text === "true") return true;
  throw new ConfigError(`auth.disable_studio_auth in langgraph.json must be true or false, got ${JSON.stringify(value)}`);
}
