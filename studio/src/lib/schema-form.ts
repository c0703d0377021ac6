/**
 * Forms from JSON schemas (a graph's input, an assistant's config and context): one field per top-level property,
 * typed where the schema says how; anything else is edited as JSON. Pure data, so the React form stays dumb.
 */
export type JsonSchema = Record<string, unknown>;

export type FieldKind = "string" | "text" | "number" | "integer" | "boolean" | "enum" | "messages" | "json" | "any";

export interface Field {
  key: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  description?: string;
  /** For `enum`: the allowed values (as JSON so non-strings survive the select). */
  options?: string[];
  default?: unknown;
}

/** What the inputs hold: text for most kinds, a boolean for checkboxes. */
export type RawValues = Record<string, string | boolean>;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Follow a local `$ref` (`#/$defs/X`, `#/definitions/X`) against the root schema. */
export function deref(schema: unknown, root: JsonSchema, depth = 0): JsonSchema {
  if (!isObj(schema)) return {};
  const ref = schema.$ref;
  if (typeof ref !== "string" || !ref.startsWith("#/") || depth > 16) return schema;
  let target: unknown = root;
  for (const part of ref.slice(2).split("/")) target = isObj(target) ? target[part.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
  return deref(target, root, depth + 1);
}

/** `anyOf: [X, {type: "null"}]` (how optional values are often written) is X. */
function unwrapNullable(schema: JsonSchema, root: JsonSchema): JsonSchema {
  const options = (schema.anyOf ?? schema.oneOf) as unknown;
  if (Array.isArray(options)) {
    const real = options.map((o) => deref(o, root)).filter((o) => o.type !== "null");
    if (real.length === 1) return { ...real[0], ...(schema.description ? { description: schema.description } : {}), ...("default" in schema ? { default: schema.default } : {}) };
  }
  if (Array.isArray(schema.type)) {
    const types = (schema.type as string[]).filter((t) => t !== "null");
    if (types.length === 1) return { ...schema, type: types[0] };
  }
  return schema;
}

/** A list of chat messages: by name, or items that look like messages (`type`/`role` and `content`). */
function isMessages(key: string, schema: JsonSchema, root: JsonSchema): boolean {
  if (schema.type !== "array" && !(key === "messages" && schema.type === undefined)) return false;
  if (key === "messages") return true;
  const items = deref(schema.items, root);
  const props = isObj(items.properties) ? items.properties : {};
  return "content" in props && ("type" in props || "role" in props);
}

function kindOf(key: string, schema: JsonSchema, root: JsonSchema): Pick<Field, "kind" | "options"> {
  if (isMessages(key, schema, root)) return { kind: "messages" };
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return { kind: "enum", options: schema.enum.map((v) => JSON.stringify(v)) };
  switch (schema.type) {
    case "string":
      return { kind: typeof schema.maxLength === "number" && schema.maxLength <= 200 ? "string" : "text" };
    case "number":
      return { kind: "number" };
    case "integer":
      return { kind: "integer" };
    case "boolean":
      return { kind: "boolean" };
    default:
      // An untyped property (`{}`: an Annotation channel whose type only TypeScript knew): JSON if it parses, else text.
      return { kind: schema.type === undefined && !schema.anyOf && !schema.oneOf && !schema.allOf && !schema.properties && !schema.items ? "any" : "json" };
  }
}

/** The fields of an object schema, in the schema's order. A schema without properties has none (use a JSON editor). */
export function fieldsFromSchema(schema: object | null | undefined): Field[] {
  if (!schema) return [];
  const root = schema as JsonSchema;
  const object = deref(schema, root);
  const props = isObj(object.properties) ? object.properties : {};
  const required = new Set(Array.isArray(object.required) ? (object.required as string[]) : []);
  return Object.entries(props).map(([key, raw]) => {
    const prop = unwrapNullable(deref(raw, root), root);
    const title = typeof prop.title === "string" && prop.title !== key ? prop.title : undefined;
    return {
      key,
      label: key,
      ...kindOf(key, prop, root),
      required: required.has(key),
      ...(typeof prop.description === "string" ? { description: prop.description } : title ? { description: title } : {}),
      ...("default" in prop ? { default: prop.default } : {}),
    };
  });
}

/** Inputs filled from existing values (or each field's default). */
export function rawFromValues(fields: Field[], values: Record<string, unknown> = {}): RawValues {
  const raw: RawValues = {};
  for (const f of fields) {
    const v = f.key in values ? values[f.key] : f.default;
    if (f.kind === "boolean") raw[f.key] = v === true;
    else if (v === undefined || v === null) raw[f.key] = "";
    else if (f.kind === "enum") raw[f.key] = JSON.stringify(v);
    else if (f.kind === "string" || f.kind === "text" || f.kind === "number" || f.kind === "integer") raw[f.key] = typeof v === "string" ? v : JSON.stringify(v);
    else if (f.kind === "any") raw[f.key] = typeof v === "string" && !looksLikeJson(v) ? v : JSON.stringify(v, null, 2);
    else if (f.kind === "messages" && Array.isArray(v) && v.length === 0) raw[f.key] = "";
    else raw[f.key] = JSON.stringify(v, null, 2);
  }
  return raw;
}

/**
 * The value the inputs describe. Empty inputs are left out (the graph's defaults and reducers apply); a messages
 * field takes plain text as one human message, or a JSON array of messages.
 */
export function valuesFromRaw(fields: Field[], raw: RawValues): { value: Record<string, unknown>; errors: Record<string, string> } {
  const value: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const input = raw[f.key];
    if (f.kind === "boolean") {
      if (input === true || f.required || f.default !== undefined) value[f.key] = input === true;
      continue;
    }
    const text = typeof input === "string" ? input : "";
    if (text.trim() === "") {
      if (f.required) errors[f.key] = `${f.label} is required`;
      continue;
    }
    switch (f.kind) {
      case "string":
      case "text":
        value[f.key] = text;
        break;
      case "number":
      case "integer": {
        const n = Number(text);
        if (!Number.isFinite(n) || (f.kind === "integer" && !Number.isInteger(n))) errors[f.key] = `${f.label} must be ${f.kind === "integer" ? "an integer" : "a number"}`;
        else value[f.key] = n;
        break;
      }
      case "enum":
        value[f.key] = JSON.parse(text);
        break;
      case "messages": {
        const trimmed = text.trim();
        if (trimmed.startsWith("[")) {
          try {
            value[f.key] = JSON.parse(trimmed);
          } catch (err) {
            errors[f.key] = `${f.label}: invalid JSON (${(err as Error).message})`;
          }
        } else value[f.key] = [{ type: "human", content: text }];
        break;
      }
      case "any":
        try {
          value[f.key] = JSON.parse(text);
        } catch {
          value[f.key] = text;
        }
        break;
      default:
        try {
          value[f.key] = JSON.parse(text);
        } catch (err) {
          errors[f.key] = `${f.label}: invalid JSON (${(err as Error).message})`;
        }
    }
  }
  return { value, errors };
}

/** True when the schema has a `messages` list: the thread is shown as a chat. */
export function hasMessages(schema: object | null | undefined): boolean {
  return fieldsFromSchema(schema).some((f) => f.kind === "messages" && f.key === "messages");
}

/** Text that would parse as something other than itself (so a string holding it must be shown quoted). */
function looksLikeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
