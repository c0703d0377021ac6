/**
 * Words for error messages about user code: what a value is, and where an error was thrown.
 */
import { inNodeModules, pathOf } from "./paths.js";

/** `a number (42)`, `an object with keys a, b`, `a class (Foo)`… */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "undefined":
      return "undefined";
    case "number":
    case "bigint":
    case "boolean":
      return `a ${typeof value} (${String(value)})`;
    case "string":
      return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
    case "symbol":
      return "a symbol";
    case "function":
      if (isClass(value)) return `a class (${value.name || "anonymous"})`;
      return value.name ? `a function (${value.name})` : "a function";
  }
  if (Array.isArray(value)) return `an array with ${value.length} item${value.length === 1 ? "" : "s"}`;
  if (typeof (value as { then?: unknown }).then === "function") return "a promise";
  const keys = Object.keys(value as object);
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  const ctor = proto?.constructor?.name;
  const what = !ctor || ctor === "Object" ? "an object" : `an instance of ${ctor}`;
  if (keys.length === 0) return what === "an object" ? "an empty object" : what;
  return `${what} with keys ${listNames(keys)}`;
}

/** `a, b, c` or `a, b, c, … (12 in all)`. */
export function listNames(names: string[], max = 8): string {
  if (names.length <= max) return names.join(", ");
  return `${names.slice(0, max).join(", ")}, … (${names.length} in all)`;
}

/** A class declaration, as opposed to an ordinary (factory) function. */
export function isClass(value: unknown): boolean {
  return typeof value === "function" && /^class[\s{]/.test(Function.prototype.toString.call(value));
}

/**
 * The first place in the user's own code (not node_modules, not Node internals) an error's stack points at,
 * as `path:line:col`; generation queries are removed so the path is the one in the editor.
 */
export function errorLocation(err: unknown): string | undefined {
  const stack = err instanceof Error ? err.stack : undefined;
  if (!stack) return undefined;
  const frame = /(?:^|[\s(])((?:file:\/\/)?\/[^\s()]*?|[A-Za-z]:\\[^\s()]*?):(\d+)(?::(\d+))?(?=\)|\s|$)/gm;
  for (const match of stack.matchAll(frame)) {
    const [, where, line, column] = match;
    if (inNodeModules(where!) || where!.startsWith("node:")) continue;
    const path = where!.startsWith("file:") ? pathOf(where!) : where!.split("?")[0]!;
    return column ? `${path}:${line}:${column}` : `${path}:${line}`;
  }
  return undefined;
}

/** An error's message, followed by where it happened unless the message already says so. */
export function describeError(err: unknown): string {
  const message = err instanceof Error ? `${err.name === "Error" ? "" : `${err.name}: `}${err.message}` : String(err);
  const location = errorLocation(err);
  if (!location || message.includes(location.replace(/:\d+(:\d+)?$/, ""))) return message;
  return `${message} (at ${location})`;
}
