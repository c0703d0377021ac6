/**
 * Finding and importing the user's `Auth` object (`auth.path` in langgraph.json). Every failure here is a
 * `ConfigError` naming the file: start-up (or a reload) stops with a message the user can act on.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../errors.js";
import { AUTH_EVENT_NAMES } from "./events.js";

/** A user function as registered on the SDK's Auth; called with whatever the SDK documents. */
export type UserFunction = (arg: never) => unknown;

/**
 * The part of the SDK's `Auth` we rely on. The SDK stores registrations in the `~handlerCache` field
 * (`authenticate` and `callbacks: {[event]: handler}`), which is what its own server reads too.
 */
export interface AuthLike {
  "~handlerCache": { authenticate?: unknown; callbacks?: unknown };
}

/** Importing a module by absolute path (the graphs/ layer provides one that understands TypeScript). */
export type ImportModule = (absFile: string) => Promise<Record<string, unknown>>;

/** An imported, checked Auth export. */
export interface LoadedAuthModule {
  /** Absolute path of the module. */
  file: string;
  exportName: string;
  auth: AuthLike;
}

/** Split `"./auth.ts:auth"` on its last colon; no (or an empty) `:name` means the default export. Pure. */
export function resolveAuthPath(spec: string, configDir: string): { file: string; exportName: string } {
  const colon = spec.lastIndexOf(":");
  const tail = colon >= 0 ? spec.slice(colon + 1) : "";
  // Only an identifier after the colon is an export name: that keeps `C:\proj\auth.ts` a path on Windows.
  const isExport = colon > 0 && (tail === "" || /^[A-Za-z_$][\w$]*$/.test(tail));
  const file = isExport ? spec.slice(0, colon) : spec;
  return { file: path.resolve(configDir, file), exportName: isExport && tail !== "" ? tail : "default" };
}

/** True for an object shaped like the SDK's `Auth` instance (any copy of the SDK). */
export function isAuthLike(value: unknown): value is AuthLike {
  if (typeof value !== "object" || value === null) return false;
  const cache = (value as Record<string, unknown>)["~handlerCache"];
  return typeof cache === "object" && cache !== null;
}

/** The registrations of an Auth, read at call time so handlers added after export are seen too. */
export function readHandlers(auth: AuthLike): {
  authenticate?: UserFunction;
  callbacks: Record<string, UserFunction>;
} {
  const cache = auth["~handlerCache"] ?? {};
  const authenticate = typeof cache.authenticate === "function" ? (cache.authenticate as UserFunction) : undefined;
  const callbacks: Record<string, UserFunction> = {};
  if (typeof cache.callbacks === "object" && cache.callbacks !== null) {
    for (const [event, fn] of Object.entries(cache.callbacks)) {
      if (typeof fn === "function") callbacks[event] = fn as UserFunction;
    }
  }
  return { authenticate, callbacks };
}

/** Import `spec` relative to `configDir` and check that the export is an Auth. */
export async function loadAuthModule(spec: string, configDir: string, importModule: ImportModule): Promise<LoadedAuthModule> {
  const { file, exportName } = resolveAuthPath(spec, configDir);
  const where = `auth.path "${spec}"`;
  const info = await stat(file).catch(() => undefined);
  if (!info) throw new ConfigError(`Auth module not found: ${file} (${where} in langgraph.json)`);
  if (!info.isFile()) throw new ConfigError(`Auth module is not a file: ${file} (${where} in langgraph.json)`);

  let mod: Record<string, unknown>;
  try {
    mod = await importModule(file);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const error = new ConfigError(`Failed to import auth module ${file}: ${reason}`);
    error.cause = err;
    throw error;
  }

  let exported = pickExport(mod, exportName);
  if (exported === undefined) {
    const names = Object.keys(mod ?? {}).filter((k) => mod[k] !== undefined);
    const available = names.length > 0 ? names.join(", ") : "none";
    throw new ConfigError(`Auth module ${file} has no export "${exportName}" (exports: ${available})`);
  }
  // `export default (async () => new Auth())()` is rare but harmless to accept.
  if (isThenable(exported)) exported = await exported;
  if (!isAuthLike(exported)) {
    throw new ConfigError(
      `Export "${exportName}" of ${file} is not an Auth from @langchain/langgraph-sdk/auth (got ${describe(exported)}). ` +
        `Export an instance: \`export const auth = new Auth().authenticate(...)\`.`,
    );
  }
  return { file, exportName, auth: exported };
}

/** Problems worth a log line that do not stop start-up: handlers that can never run, a missing authenticate. */
export function describeAuthWarnings(loaded: LoadedAuthModule): string[] {
  const { authenticate, callbacks } = readHandlers(loaded.auth);
  const warnings: string[] = [];
  if (!authenticate) {
    warnings.push(
      `Auth module ${loaded.file} registers no authenticate function: requests run as the anonymous, unauthenticated user.`,
    );
  }
  const known = new Set<string>(["*", ...AUTH_EVENT_NAMES]);
  for (const event of AUTH_EVENT_NAMES) {
    const [resource, action] = event.split(":");
    known.add(resource);
    known.add(`*:${action}`);
  }
  for (const event of Object.keys(callbacks)) {
    if (!known.has(event)) warnings.push(`Auth module ${loaded.file}: handler for unknown event "${event}" will never run.`);
  }
  return warnings;
}

/** The named export, looking through one level of CommonJS interop (`mod.default.name`, `mod.default.default`). */
function pickExport(mod: Record<string, unknown>, exportName: string): unknown {
  if (mod === null || typeof mod !== "object") return undefined;
  const direct = mod[exportName];
  if (direct !== undefined && (isAuthLike(direct) || exportName !== "default")) return direct;
  const inner = mod.default;
  if (typeof inner === "object" && inner !== null) {
    const nested = (inner as Record<string, unknown>)[exportName];
    if (isAuthLike(nested)) return nested;
  }
  return direct;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

/** A short description of what was exported instead, with a hint for the usual mistakes. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function") {
    if (/^class\s/.test(Function.prototype.toString.call(value)) || value.name === "Auth") {
      return `the class ${value.name || "(anonymous)"}, not an instance; use \`new Auth()\``;
    }
    return `a function${value.name ? ` "${value.name}"` : ""}`;
  }
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") {
    const keys = Object.keys(value).slice(0, 5);
    return keys.length > 0 ? `an object with keys ${keys.join(", ")}` : "an empty object";
  }
  return `a ${typeof value}`;
}
