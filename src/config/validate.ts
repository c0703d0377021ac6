/**
 * Checking a value against a JSON Schema with messages a person can act on: each names the key (`graphs.agent`,
 * `dependencies[1]`), what was expected and what was found, and every problem is reported at once. It covers the
 * keywords langgraph.json's schema uses (type, properties, required, additionalProperties, minProperties, items,
 * anyOf, format, description). A branch of `anyOf` is picked by the value's JSON type, so a message speaks of the
 * shape the user meant; `description` is the phrase for what was expected; `format` names one of FORMATS, which
 * checks (and may normalise) the value once its type is right, or the whole value when the schema names no type.
 */
import { checkExportRef } from "../graphs/ref.js";
import { mountPrefixProblem } from "./mount-prefix.js";
import { isPlainObject } from "../json-value.js";

/** The part of JSON Schema understood here. */
export interface Schema {
  readonly type?: JsonType | readonly JsonType[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: Schema | boolean;
  readonly minProperties?: number;
  readonly items?: Schema;
  readonly anyOf?: readonly Schema[];
  readonly format?: string;
  readonly description?: string;
}

type JsonType = "string" | "number" | "integer" | "boolean" | "object" | "array" | "null";

/** A problem at a dotted path (`graphs.agent`; "" for the whole value). */
export interface Issue {
  path: string;
  message: string;
}

/** What {@link validate} found: the value (normalised by the formats) when there is no issue. */
export interface Validation {
  value: unknown;
  issues: Issue[];
  warnings: Issue[];
}

/** A format: accepts a value (normalised), or refuses it: with what is wrong when more can be said, else undefined. */
type Format = (value: unknown) => { value: unknown } | { problem: string } | undefined;

const FORMATS: Record<string, Format> = {
  "export-ref": (value) => {
    if (typeof value !== "string") return undefined;
    const problem = checkExportRef(value);
    return problem === undefined ? { value } : { problem };
  },
  "mount-prefix": (value) => {
    if (typeof value !== "string") return undefined;
    const problem = mountPrefixProblem(value);
    return problem === undefined ? { value } : { problem };
  },
  boolish: (value) => {
    if (typeof value === "boolean") return { value };
    if (typeof value === "string" && /^(true|false)$/i.test(value.trim())) return { value: value.trim().toLowerCase() === "true" };
    return undefined;
  },
  "allowed-hosts": (value) => {
    if (value === true || value === "all") return { value: true };
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return { value: value.includes("all") ? true : value };
    return undefined;
  },
};

/**
 * Check `value` against `schema`. `unknownKey` may turn a top-level key the schema does not name into a warning
 * (such keys are kept either way).
 */
export function validate(schema: Schema, value: unknown, options: { unknownKey?: (key: string) => string | undefined } = {}): Validation {
  const result: Validation = { value: undefined, issues: [], warnings: [] };
  result.value = check(schema, value, "", result, options.unknownKey);
  return result;
}

/** The normalised value, or undefined after recording issues. */
function check(schema: Schema, value: unknown, path: string, out: Validation, unknownKey?: (key: string) => string | undefined): unknown {
  const refuse = (message = `must be ${expected(schema)}, got ${describeJson(value)}`) => void out.issues.push({ path, message });
  if (schema.anyOf) {
    const branch = schema.anyOf.find((s) => s.type !== undefined && typeMatches(s.type, value));
    if (branch) return check(branch, value, path, out);
    return refuse();
  }
  // A value of another JSON type is told the type it should have; the description says more once the type is right.
  if (schema.type !== undefined && !typeMatches(schema.type, value)) return refuse(`must be ${expected({ ...schema, description: undefined })}, got ${describeJson(value)}`);
  if (schema.format !== undefined) {
    const format = FORMATS[schema.format];
    if (!format) throw new Error(`unknown format "${schema.format}"`);
    const result = format(value);
    if (result && "value" in result) return result.value;
    return refuse(result && `${result.problem} (expected ${expected(schema)}, got ${JSON.stringify(value)})`);
  }
  if (Array.isArray(value)) return checkItems(schema, value, path, out);
  if (isPlainObject(value)) return checkObject(schema, value, path, out, unknownKey);
  return value;
}

function checkItems(schema: Schema, value: unknown[], path: string, out: Validation): unknown {
  if (!schema.items) return value;
  const before = out.issues.length;
  const items = value.map((v, i) => check(schema.items!, v, `${path}[${i}]`, out));
  return out.issues.length === before ? items : undefined;
}

function checkObject(schema: Schema, value: Record<string, unknown>, path: string, out: Validation, unknownKey?: (key: string) => string | undefined): unknown {
  if (schema.minProperties !== undefined && Object.keys(value).length < schema.minProperties) {
    out.issues.push({ path, message: `must be ${expected(schema)}, got ${Object.keys(value).length === 0 ? "an empty object" : "too few keys"}` });
    return undefined;
  }
  const before = out.issues.length;
  const result: Record<string, unknown> = {};
  const values = typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined;
  for (const [key, v] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key;
    const field = schema.properties?.[key] ?? values;
    if (field === undefined) {
      const warning = unknownKey?.(key);
      if (warning !== undefined) out.warnings.push({ path: childPath, message: warning });
      result[key] = v;
    } else if (v !== undefined) {
      result[key] = check(field, v, childPath, out);
    }
  }
  for (const key of schema.required ?? []) {
    if (value[key] === undefined) out.issues.push({ path: path ? `${path}.${key}` : key, message: `is required (${expected(schema.properties?.[key] ?? {})})` });
  }
  return out.issues.length === before ? result : undefined;
}

/** What a schema expects, as a phrase: "a string", "an array of strings", "a string or an object"… */
export function expected(schema: Schema): string {
  if (schema.description) return schema.description;
  if (schema.anyOf) return schema.anyOf.map(expected).join(" or ");
  const types = schema.type === undefined ? [] : typeof schema.type === "string" ? [schema.type] : schema.type;
  if (types.length === 0) return "any JSON value";
  return types
    .map((type) => {
      if (type === "array") return schema.items ? `an array of ${expected(schema.items).replace(/^an? /, "")}s` : "an array";
      if (type === "object") {
        const values = typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined;
        const what = schema.minProperties ? "a non-empty object" : "an object";
        return values ? `${what} whose values are ${expected(values)}` : what;
      }
      return type === "integer" ? "an integer" : `a ${type}`;
    })
    .join(" or ");
}

function typeMatches(type: JsonType | readonly JsonType[], value: unknown): boolean {
  const wanted: readonly JsonType[] = typeof type === "string" ? [type] : type;
  return wanted.some((t) => {
    switch (t) {
      case "null":
        return value === null;
      case "array":
        return Array.isArray(value);
      case "object":
        return isPlainObject(value);
      case "number":
        return typeof value === "number" && Number.isFinite(value);
      case "integer":
        return Number.isInteger(value);
      default:
        return typeof value === t;
    }
  });
}

/** A short human description of a JSON value for error messages. */
export function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "object") return "an object";
  return `${typeof value === "number" ? "the number" : "the boolean"} ${String(value)}`;
}
