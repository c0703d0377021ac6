/** The authenticated user as the API and graphs see it (snake_case, as on the wire). */
export interface AuthUser {
  identity: string;
  display_name: string;
  is_authenticated: boolean;
  permissions: string[];
  [extra: string]: unknown;
}

/** Who is making a request: the user and the permissions granted to them. */
export interface AuthContext {
  user: AuthUser;
  permissions: string[];
}

/** What `authenticate` needs to know about an incoming HTTP request. */
export interface AuthRequestInfo {
  method: string;
  /** Full URL including scheme, host and query string. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** Raw request body, when there is one (so that the user's function may read it). */
  body?: Buffer | string;
  /** True when the TCP peer is a loopback address: only then is `x-auth-scheme: langsmith` honoured. */
  peerIsLoopback: boolean;
}

export type AuthResource = "threads" | "assistants" | "crons" | "store";
export type AuthAction =
  | "create"
  | "read"
  | "update"
  | "delete"
  | "search"
  | "create_run"
  | "put"
  | "get"
  | "list_namespaces";

/** A metadata filter returned by an authorization handler: `{k: v}`, `{k: {$eq: v}}`, `{k: {$contains: v | v[]}}`. */
export type AuthFilters = Record<string, unknown>;

/** The authorization event handed to the user's `.on` handler. `value` may be mutated in place. */
export interface AuthEvent {
  resource: AuthResource;
  action: AuthAction;
  value: Record<string, unknown>;
}

/** Authentication and authorization as the server uses them; built once per (re)load of the auth module. */
export interface AuthService {
  /** True when langgraph.json names an auth module. */
  readonly enabled: boolean;
  /** Absolute path of the auth module, when enabled (for log lines). */
  readonly file?: string;
  /** Non-fatal problems found while loading (no authenticate function, handlers for unknown events): log them. */
  readonly warnings?: readonly string[];
  /**
   * Authenticate a request. Returns undefined when no custom auth is configured.
   * Throws `UnauthorizedError` (status/headers from the user's HTTPException) or a plain error (-> 500).
   */
  authenticate(request: AuthRequestInfo): Promise<AuthContext | undefined>;
  /**
   * Run the most specific `.on` handler for the event. Returns the filters to apply (undefined: no filter).
   * Throws `ForbiddenError` when the handler returns false or throws an HTTPException with 403.
   * With no auth configured, or no matching handler, returns undefined.
   */
  authorize(ctx: AuthContext | undefined, event: AuthEvent): Promise<AuthFilters | undefined>;
}
