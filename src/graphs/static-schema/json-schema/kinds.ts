/**
 * The schema of each kind of type: unions, intersections, enums, objects (classes, interfaces, type literals)
 * and the rest (primitives, literals, tuples, arrays, Date, template literals). Each fills `definition` in place;
 * builder.ts decides when a type is defined inline and when behind a `$ref`.
 */
import ts from "typescript";
import type { JsonSchema } from "../types.js";
import { initializerDefault, literalValue } from "./comments.js";
import type { TypeDefiner } from "./definer.js";

const NUMERIC_INDEX_PATTERN = "^[0-9]+$";

/** A union: literals gather into one `enum` (or `const`), schemas with only a `type` into one `type` list. */
export function defineUnion(b: TypeDefiner, union: ts.UnionType, keyword: "anyOf" | "oneOf", definition: JsonSchema): void {
  const values: Array<string | number | boolean> = [];
  const simpleTypes: string[] = [];
  const schemas: JsonSchema[] = [];
  const addSimple = (t: string) => void (simpleTypes.includes(t) || simpleTypes.push(t));
  for (const member of union.types) {
    const value = literalValue(member);
    if (value !== undefined) {
      if (!values.includes(value)) values.push(value);
      continue;
    }
    const alias = member.aliasSymbol;
    const def = b.define(member, { prop: alias, reffed: alias, allowUndefined: true });
    if (def.type === "undefined") continue;
    const keys = Object.keys(def);
    if (keys.length === 1 && keys[0] === "type" && typeof def.type === "string") addSimple(def.type);
    else if (!(keys.length === 1 && keys[0] === "type")) schemas.push(def);
  }
  if (values.length > 0) {
    if (values.length === 2 && typeof values[0] === "boolean" && typeof values[1] === "boolean" && values[0] !== values[1]) {
      addSimple("boolean");
    } else {
      // Sorted as JavaScript sorts by default (as strings), like typescript-json-schema.
      const literal: JsonSchema = values.length > 1 ? { enum: values.sort() } : { const: values[0] };
      for (const kind of ["string", "number", "boolean"]) {
        if (values.every((v) => typeof v === kind)) {
          literal.type = kind;
          break;
        }
      }
      schemas.push(literal);
    }
  }
  if (simpleTypes.length > 0) schemas.push({ type: simpleTypes.length === 1 ? simpleTypes[0] : simpleTypes });
  if (schemas.length === 1) {
    for (const [k, v] of Object.entries(schemas[0]!)) {
      if (k === "description" && "description" in definition) continue; // the more specific one stays
      definition[k] = v;
    }
  } else {
    definition[keyword] = schemas;
  }
}

/** An intersection: `allOf` its members (one member's schema is used as it is). */
export function defineIntersection(b: TypeDefiner, intersection: ts.IntersectionType, definition: JsonSchema): void {
  const simpleTypes: string[] = [];
  const schemas: JsonSchema[] = [];
  for (const member of intersection.types) {
    const def = b.define(member);
    const keys = Object.keys(def);
    if (keys.length === 1 && keys[0] === "type") {
      if (typeof def.type === "string" && !simpleTypes.includes(def.type)) simpleTypes.push(def.type);
    } else {
      schemas.push(def);
    }
  }
  if (simpleTypes.length > 0) schemas.push({ type: simpleTypes.length === 1 ? simpleTypes[0] : simpleTypes });
  if (schemas.length === 1) Object.assign(definition, schemas[0]);
  else definition.allOf = schemas;
}

/** An enum (or one member of it): its constant values. */
export function defineEnum(b: TypeDefiner, type: ts.Type, definition: JsonSchema): void {
  const node = type.getSymbol()!.getDeclarations()![0]!;
  const members = ts.isEnumDeclaration(node) ? [...node.members] : [node as ts.EnumMember];
  const values: unknown[] = [];
  const kinds: string[] = [];
  const add = (value: unknown, kind: string) => {
    values.push(value);
    if (!kinds.includes(kind)) kinds.push(kind);
  };
  for (const member of members) {
    const constant = b.checker.getConstantValue(member);
    if (constant !== undefined) {
      add(constant, typeof constant);
      continue;
    }
    const initial = member.initializer;
    if (!initial) continue;
    // `A = "a" as any` and friends: the literal inside the cast.
    const inner = (initial as { expression?: ts.Expression }).expression;
    if (inner) {
      const text = (inner as { text?: string }).text;
      if (text) add(text, "string");
      else if (inner.kind === ts.SyntaxKind.TrueKeyword || inner.kind === ts.SyntaxKind.FalseKeyword) add(inner.kind === ts.SyntaxKind.TrueKeyword, "boolean");
    } else if (initial.kind === ts.SyntaxKind.NoSubstitutionTemplateLiteral) {
      add(initial.getText(), "string");
    } else if (initial.kind === ts.SyntaxKind.NullKeyword) {
      add(null, "null");
    }
  }
  if (kinds.length) definition.type = kinds.length === 1 ? kinds[0] : kinds;
  if (values.length > 1) definition.enum = values;
  else if (values.length === 1) definition.const = values[0];
}

/** An object type: its properties (methods and `never`/`undefined` ones left out), index signature, subclasses. */
export function defineClass(b: TypeDefiner, type: ts.Type, definition: JsonSchema): void {
  const node = type.getSymbol()!.getDeclarations()?.[0];
  if (!node) {
    definition.type = "object"; // e.g. `typeof globalThis`
    return;
  }
  const props = b.checker.getPropertiesOfType(type).filter((prop) => {
    const flags = b.checker.getTypeOfSymbolAtLocation(prop, node).getFlags();
    return flags !== ts.TypeFlags.Never && flags !== ts.TypeFlags.Undefined;
  });
  const fullName = b.checker.typeToString(type, undefined, ts.TypeFormatFlags.UseFullyQualifiedType);
  const inheriting = ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Abstract ? b.inheritingTypes(fullName) : [];
  if (inheriting.length > 0) {
    // An abstract class stands for its subclasses.
    definition.oneOf = inheriting.map((t) => b.define(t));
    return;
  }
  const members = (node as { members?: ts.NodeArray<ts.Node> }).members;
  const indexSignatures = members?.filter(ts.isIndexSignatureDeclaration) ?? [];
  if (indexSignatures.length === 1) {
    const signature = indexSignatures[0]!;
    if (signature.parameters.length !== 1) throw new Error("Not supported: an index signature with several parameters");
    const keyType = b.checker.getTypeOfSymbolAtLocation((signature.parameters[0] as unknown as { symbol: ts.Symbol }).symbol, node);
    if (keyType.flags !== ts.TypeFlags.String && keyType.flags !== ts.TypeFlags.Number) {
      throw new Error("Not supported: an index signature whose key is not a string or a number");
    }
    // Defined even when unused: its definitions are kept, as typescript-json-schema keeps them.
    const values = b.define(b.checker.getTypeAtLocation(signature.type), { unionKeyword: "anyOf" });
    definition.type = "object";
    if (!Object.keys((definition.patternProperties as object | undefined) ?? {}).length) definition.additionalProperties = values;
  }
  const properties: Record<string, JsonSchema> = {};
  for (const prop of props) {
    const def = defineProperty(b, prop, node);
    if (def) properties[prop.getName()] = def;
  }
  if (definition.type === undefined) definition.type = "object";
  if (definition.type === "object" && Object.keys(properties).length > 0) definition.properties = properties;
}

function defineProperty(b: TypeDefiner, prop: ts.Symbol, node: ts.Node): JsonSchema | undefined {
  if (prop.flags & ts.SymbolFlags.Method) return undefined;
  const definition = b.define(b.checker.getTypeOfSymbolAtLocation(prop, node), { prop, reffed: referencedSymbol(b, prop) });
  if ("ignore" in definition) return undefined;
  const fallback = initializerDefault(prop.valueDeclaration);
  if (fallback !== undefined) definition.default = fallback;
  return definition;
}

/** For `x: Foo`, the symbol `Foo` (through import aliases). */
function referencedSymbol(b: TypeDefiner, prop: ts.Symbol): ts.Symbol | undefined {
  const typeNode = (prop.getDeclarations()?.[0] as { type?: ts.TypeNode } | undefined)?.type;
  if (!typeNode || !ts.isTypeReferenceNode(typeNode)) return undefined;
  const symbol = b.checker.getSymbolAtLocation(typeNode.typeName);
  return symbol && symbol.flags & ts.SymbolFlags.Alias ? b.checker.getAliasedSymbol(symbol) : symbol;
}

/** Everything else: tuples, primitives, literals, Date, `object`, array-likes and template literals. */
export function defineRoot(b: TypeDefiner, type: ts.Type, reffed: ts.Symbol | undefined, definition: JsonSchema, allowUndefined: boolean): void {
  const tuple = tupleTarget(type);
  if (tuple) {
    const items = b.checker.getTypeArguments(type as ts.TypeReference).map((t) => b.define(t));
    definition.type = "array";
    if (items.length > 0) definition.items = items;
    definition.minItems = tuple.minLength;
    if (tuple.hasRestElement) {
      definition.additionalItems = items[items.length - 1];
      items.splice(items.length - 1, 1);
    } else {
      definition.maxItems = tuple.fixedLength;
    }
    return;
  }
  const printed = b.checker.typeToString(type, undefined, ts.TypeFormatFlags.UseFullyQualifiedType);
  const flags = type.flags;
  const elementType = b.checker.getIndexTypeOfType(type, ts.IndexKind.Number);
  if (flags & ts.TypeFlags.String) definition.type = "string";
  else if (flags & ts.TypeFlags.Number) definition.type = definition.type === "integer" || reffed?.getName() === "integer" ? "integer" : "number";
  else if (flags & ts.TypeFlags.Boolean) definition.type = "boolean";
  else if (flags & ts.TypeFlags.ESSymbol) definition.type = "object";
  else if (flags & ts.TypeFlags.Null) definition.type = "null";
  else if (flags & ts.TypeFlags.Undefined || printed === "void") {
    if (!allowUndefined) throw new Error("Not supported: root type undefined");
    definition.type = "undefined"; // dropped by the union that asked
  } else if (flags & ts.TypeFlags.Any || flags & ts.TypeFlags.Unknown) {
    // anything goes
  } else if (printed === "Date") {
    definition.type = "string";
    definition.format ??= "date-time";
  } else if (printed === "object") {
    Object.assign(definition, { type: "object", properties: {}, additionalProperties: true });
  } else if (printed === "bigint") {
    Object.assign(definition, { type: "number", properties: {}, additionalProperties: false });
  } else {
    const value = literalValue(type);
    if (value !== undefined) {
      definition.type = typeof value;
      definition.const = value;
    } else if (elementType !== undefined) {
      defineArrayLike(b, type, elementType, definition);
    } else {
      throw new TypeError(`Unsupported type: ${printed}`);
    }
  }
}

function defineArrayLike(b: TypeDefiner, type: ts.Type, elementType: ts.Type, definition: JsonSchema): void {
  const objectFlags = (type as ts.ObjectType).objectFlags;
  if (type.flags & ts.TypeFlags.Object && objectFlags & (ts.ObjectFlags.Anonymous | ts.ObjectFlags.Interface | ts.ObjectFlags.Mapped)) {
    // An object with a numeric index signature (not an array).
    definition.type = "object";
    definition.additionalProperties = false;
    definition.patternProperties = { [NUMERIC_INDEX_PATTERN]: b.define(elementType) };
    const members = (type as ts.Type & { members?: Map<string, unknown> }).members;
    if (members && [...members.keys()].some((k) => k !== "__index")) defineClass(b, type, definition);
  } else if (type.flags & ts.TypeFlags.TemplateLiteral) {
    definition.type = "string";
    definition.pattern = templatePattern(type as ts.TemplateLiteralType);
  } else {
    definition.type = "array";
    definition.items ??= b.define(elementType);
  }
}

/** `${string}-${number}` -> `^.*-[0-9]*$`. */
function templatePattern(type: ts.TemplateLiteralType): string {
  const parts: string[] = [];
  type.texts.forEach((raw, i) => {
    const text = raw.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
    const inner = type.types[i];
    if (i === 0) parts.push("^");
    if (inner) {
      if (inner.flags & ts.TypeFlags.String) parts.push(`${text}.*`);
      if (inner.flags & ts.TypeFlags.Number || inner.flags & ts.TypeFlags.BigInt) parts.push(`${text}[0-9]*`);
      if (inner.flags & ts.TypeFlags.Undefined) parts.push(`${text}undefined`);
      if (inner.flags & ts.TypeFlags.Null) parts.push(`${text}null`);
    }
    if (i === type.texts.length - 1) parts.push(`${text}$`);
  });
  return parts.join("");
}

/** The tuple behind a type reference without a symbol (which is how tuples appear). */
function tupleTarget(type: ts.Type): ts.TupleType | undefined {
  if (type.getSymbol() || !(type.flags & ts.TypeFlags.Object)) return undefined;
  if (!((type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference)) return undefined;
  return (type as ts.TypeReference).target as ts.TupleType;
}
