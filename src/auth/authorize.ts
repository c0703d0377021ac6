/** Authorization: pick the most specific `.on` handler for an event, run it, and interpret its answer. */
import { ForbiddenError } from "../errors.js";
import { errorMessage } from "./authenticate.js";
import { isPlainObject } from "../json-value.js";
import { isHttpExceptionLike, toHttpError } from "./http-exception.js";
import type { UserFunction } from "./load.js";
import type { AuthContext, AuthEvent, AuthFilters } from "./types.js";

/** The handler that runs for an event and the key it was registered under. */
export interface SelectedHandler {
  key: string;
  handler: UserFunction;
}

/** The most specific registered handler, in the order `resource:action`, `resource`, `*:action`, `*`. Pure. */
export function selectHandler(
  callbacks: Record<string, UserFunction>,
  resource: string,
  action: string,
): SelectedHandler | undefined {
  for (const key of [`${resource}:${action}`, resource, `*:${action}`, "*"]) {
    const handler = Object.hasOwn(callbacks, key) ? callbacks[key] : undefined;
    if (handler) return { key, handler };
  }
  return undefined;
}

/**
 * Run one handler. `event.value` is handed over by reference: the handler may mutate it and the caller stores
 * the result. Returns the filters, or undefined for "allowed, no filter".
 */
export async function runHandler(
  selected: SelectedHandler,
  ctx: AuthContext,
  event: AuthEvent,
  file: string,
): Promise<AuthFilters | undefined> {
  let result: unknown;
  try {
    result = await (selected.handler as (arg: unknown) => unknown)({
      event: `${event.resource}:${event.action}`,
      resource: event.resource,
      action: event.action,
      value: event.value,
      user: ctx.user,
      permissions: ctx.permissions,
    });
  } catch (err) {
    if (isHttpExceptionLike(err)) throw toHttpError(err);
    throw new Error(`The "${selected.key}" auth handler of ${file} threw: ${errorMessage(err)}`, { cause: err });
  }
  return interpretHandlerResult(result, selected.key, file);
}

/**
 * `undefined`/`null`/`true` allow without a filter, `false` forbids, a plain object is a filter (an empty one
 * filters nothing). Anything else is a bug in the handler: a plain Error (500) naming its event key, rather than
 * a guess that could expose or hide data.
 */
export function interpretHandlerResult(result: unknown, key: string, file: string): AuthFilters | undefined {
  if (result === undefined || result === null || result === true) return undefined;
  if (result === false) throw new ForbiddenError();
  if (isPlainObject(result)) return Object.keys(result).length > 0 ? result : undefined;
  const got = Array.isArray(result) ? "an array" : typeof result === "object" ? "a non-plain object" : `a ${typeof result}`;
  throw new Error(
    `The "${key}" auth handler of ${file} returned ${got}; expected undefined, a boolean or a filter object.`,
  );
}
