/**
 * A tiny declarative validator: each rule both checks a value and carries its TypeScript type, so the
 * langgraph.json rules below are the one source of truth for validation and for `LanggraphConfig`.
 */

/** A validation failure at a dotted path (`graphs.agent`), before it is turned into a ConfigError. */
export interface Issue {
  path: string;
  message: string;
}

/** What a check reports into: errors (the config is rejected) and warnings (it is accepted). */
export interface CheckContext {
  issues: Issue[];
  warnings: Issue[];
}

/** One rule: returns the normalised value, or records issues and returns undefined. */
export interface Rule<T> {
  readonly expected: string;
  check(value: unknown, path: string, ctx: CheckContext): T | undefined;
}

/** The TypeScript type a rule accepts. */
export type Infer<R> = R extends Rule<infer T> ? T : never;

function rule<T>(expected: string, accept: (value: unknown) => value is T): Rule<T> {
  return {
    expected,
    check(value, path, ctx) {
      if (accept(value)) return value;
      ctx.issues.push({ path, message: `must be ${expected}, got ${describeJson(value)}` });
      return undefined;
    },
  };
}

/** A short human description of a JSON value for error messages. */
export function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "object") return "an object";
  return `${typeof value === "number" ? "the number" : "the boolean"} ${String(value)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Primitive rules. */
export const str = rule("a string", (v): v is string => typeof v === "string");
export const bool = rule("a boolean", (v): v is boolean => typeof v === "boolean");
export const num = rule("a number", (v): v is number => typeof v === "number" && Number.isFinite(v));
export const anyObject = rule("an object", isPlainObject);
/** Anything present; for keys passed through untouched. */
export const anyValue = rule("any JSON value", (v): v is unknown => v !== undefined);

/** true/false, or the strings "true"/"false" in any case (as the Python CLI accepts); normalised to a boolean. */
export const boolish: Rule<boolean> = {
  expected: 'a boolean or the string "true"/"false"',
  check(value, path, ctx) {
    if (typeof value === "boolean") return value;
    if (typeof value === "string" && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === "true";
    ctx.issues.push({ path, message: `must be ${this.expected}, got ${describeJson(value)}` });
    return undefined;
  },
};

/** An array whose items all pass `item`. */
export function arrayOf<T>(item: Rule<T>): Rule<T[]> {
  return {
    expected: `an array of ${item.expected.replace(/^an? /, "")}s`,
    check(value, path, ctx) {
      if (!Array.isArray(value)) {
        ctx.issues.push({ path, message: `must be ${this.expected}, got ${describeJson(value)}` });
        return undefined;
      }
      const before = ctx.issues.length;
      const out = value.map((v, i) => item.check(v, `${path}[${i}]`, ctx) as T);
      return ctx.issues.length === before ? out : undefined;
    },
  };
}

/** An object with arbitrary keys whose values all pass `item`. */
export function recordOf<T>(item: Rule<T>, options: { nonEmpty?: boolean } = {}): Rule<Record<string, T>> {
  return {
    expected: `${options.nonEmpty ? "a non-empty" : "an"} object whose values are ${item.expected}`,
    check(value, path, ctx) {
      if (!isPlainObject(value) || (options.nonEmpty && Object.keys(value).length === 0)) {
        const got = isPlainObject(value) ? "an empty object" : describeJson(value);
        ctx.issues.push({ path, message: `must be ${this.expected}, got ${got}` });
        return undefined;
      }
      const before = ctx.issues.length;
      const out: Record<string, T> = {};
      for (const [k, v] of Object.entries(value)) out[k] = item.check(v, `${path}.${k}`, ctx) as T;
      return ctx.issues.length === before ? out : undefined;
    },
  };
}

/** A string, or an object checked by `objectRule`; which one applies follows from the value's JSON type. */
export function stringOr<T>(stringRule: Rule<string>, objectRule: Rule<T>): Rule<string | T> {
  return {
    expected: `${stringRule.expected} or ${objectRule.expected}`,
    check(value, path, ctx) {
      if (typeof value === "string") return stringRule.check(value, path, ctx);
      if (isPlainObject(value)) return objectRule.check(value, path, ctx);
      ctx.issues.push({ path, message: `must be ${this.expected}, got ${describeJson(value)}` });
      return undefined;
    },
  };
}

type Shape = Record<string, { rule: Rule<unknown>; required: boolean }>;
type ShapeType<S extends Shape> = { [K in keyof S as S[K]["required"] extends true ? K : never]: Infer<S[K]["rule"]> } & {
  [K in keyof S as S[K]["required"] extends true ? never : K]?: Infer<S[K]["rule"]>;
};

/** A key that must be present in an {@link objectOf}. */
export function required<T>(r: Rule<T>): { rule: Rule<T>; required: true } {
  return { rule: r, required: true };
}

/** A key that may be absent in an {@link objectOf}. */
export function optional<T>(r: Rule<T>): { rule: Rule<T>; required: false } {
  return { rule: r, required: false };
}

/**
 * An object with known keys. Unknown keys are kept (langgraph.json is shared with the Python CLI and the
 * platform, which know more keys than we do); `unknownKey` may turn one into a warning message.
 */
export function objectOf<S extends Shape>(
  shape: S,
  unknownKey?: (key: string) => string | undefined,
): Rule<ShapeType<S> & Record<string, unknown>> {
  return {
    expected: "an object",
    check(value, path, ctx) {
      if (!isPlainObject(value)) {
        ctx.issues.push({ path, message: `must be an object, got ${describeJson(value)}` });
        return undefined;
      }
      const before = ctx.issues.length;
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value)) {
        const childPath = path ? `${path}.${key}` : key;
        const field = shape[key];
        if (field === undefined) {
          const warning = unknownKey?.(key);
          if (warning !== undefined) ctx.warnings.push({ path: childPath, message: warning });
          out[key] = v;
        } else if (v !== undefined) {
          out[key] = field.rule.check(v, childPath, ctx);
        }
      }
      for (const [key, field] of Object.entries(shape)) {
        if (field.required && value[key] === undefined) {
          ctx.issues.push({ path: path ? `${path}.${key}` : key, message: `is required (${field.rule.expected})` });
        }
      }
      return ctx.issues.length === before ? (out as ShapeType<S> & Record<string, unknown>) : undefined;
    },
  };
}
