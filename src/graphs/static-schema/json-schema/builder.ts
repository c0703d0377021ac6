/**
 * TypeScript type -> JSON Schema (draft-07), producing what the official server answers: it runs
 * typescript-json-schema with its defaults (named object types become `#/definitions/<type as printed>` refs,
 * no `required`, unions as `anyOf`, literal unions as sorted `enum`s, doc comments as descriptions). This is our
 * own code written against that output (the comparison script bench/compare/schemas.mjs checks it on a corpus).
 * Shapes of each kind of type are in kinds.ts; this file decides names, references and recursion.
 */
import ts from "typescript";
import type { JsonSchema } from "../types.js";
import { applyComments, isFromDefaultLib, type Annotations } from "./comments.js";
import type { DefineOptions, TypeDefiner } from "./definer.js";
import { defineClass, defineEnum, defineIntersection, defineRoot, defineUnion } from "./kinds.js";

export type { DefineOptions };

const DEFINITIONS = "#/definitions/";
/**
 * `import("…").` and `"…".` qualifiers and spaces are dropped from printed type names (also the
 * `import("…", { with: { "resolution-mode": … } }).` form TypeScript prints across module formats).
 */
const QUALIFIERS = /(\bimport\("[^"]*", \{ with: \{ "resolution-mode": "\w+" \} \}\)|\bimport\(".*?"\)|".*?")\.| /g;
/** Keywords a `$ref` may carry beside it. */
const ANNOTATION_KEYWORDS = new Set(["description", "default", "examples", "title", "$ref"]);

/** Builds schemas for the types of one program. One instance per graph, as the official server does. */
export class SchemaBuilder implements TypeDefiner {
  readonly checker: ts.TypeChecker;
  readonly program: ts.Program;
  #definitions: Record<string, JsonSchema> = {};
  #namesById = new Map<number, string>();
  #idsByName = new Map<string, number>();
  // Types being defined, by name: meeting one again means recursion, answered with a $ref. Lives as long as
  // the builder (not reset per schema), as in typescript-json-schema.
  #inProgress = new Map<string, JsonSchema>();
  #inheriting: (fullName: string) => ts.Type[];

  constructor(program: ts.Program, inheriting: (fullName: string) => ts.Type[]) {
    this.program = program;
    this.checker = program.getTypeChecker();
    this.#inheriting = inheriting;
  }

  /** The schema of a type alias, with the definitions it refers to. Throws when a type has no JSON form. */
  schemaOf(alias: ts.TypeAliasDeclaration): JsonSchema {
    this.#definitions = {};
    this.#namesById = new Map();
    this.#idsByName = new Map();
    const schema = this.define(this.checker.getTypeAtLocation(alias), { asRef: false });
    if (Object.keys(this.#definitions).length > 0) schema.definitions = this.#definitions;
    schema.$schema = "http://json-schema.org/draft-07/schema#";
    return schema;
  }

  /** Types declared as subclasses of the abstract class printed as `fullName`. */
  inheritingTypes(fullName: string): ts.Type[] {
    return this.#inheriting(fullName);
  }

  /** The schema of `type` here: inline, or a `$ref` to a definition added on the way. */
  define(input: ts.Type, opts: DefineOptions = {}): JsonSchema {
    let type = input;
    let reffed = opts.reffed;
    // Readonly<T> and Mutable<T> change nothing JSON can express.
    while ((type.aliasSymbol?.escapedName === "Readonly" || type.aliasSymbol?.escapedName === "Mutable") && type.aliasTypeArguments?.[0]) {
      type = type.aliasTypeArguments[0];
      reffed = undefined;
    }
    const definition: JsonSchema = {};
    if (opts.prop) {
      const own: JsonSchema = {};
      applyComments(this.program, opts.prop, own, {});
      // `@ignore` drops the property; `@type` overrides whatever the type says.
      if ("ignore" in own || "type" in own) return own;
    }

    const symbol = type.getSymbol();
    const qualified = symbol ? this.checker.getFullyQualifiedName(symbol) : undefined;
    let isRaw =
      !symbol ||
      (qualified !== "Window" && (qualified === "Date" || symbol.name === "integer" || this.checker.getIndexInfoOfType(type, ts.IndexKind.Number) !== undefined));
    if (isRaw && type.aliasSymbol?.escapedName && (type as ts.UnionOrIntersectionType).types) isRaw = false;
    const isStringEnum = !!(type.flags & ts.TypeFlags.Union) && (type as ts.UnionType).types.every((t) => (t.getFlags() & ts.TypeFlags.StringLiteral) !== 0);

    let asRef = opts.asRef ?? true;
    const asAliasRef = asRef && !!reffed && isStringEnum;
    if (!asAliasRef && (isRaw || (type.flags & ts.TypeFlags.Object && (type as ts.ObjectType).objectFlags & ts.ObjectFlags.Anonymous))) {
      // Inline types and primitives cannot be referenced (unless recursive, below).
      asRef = false;
    }
    const fullName = asAliasRef ? this.#uniqueName(type, this.#aliasName(reffed!)) : this.#typeName(type);

    if (!isRaw || type.aliasSymbol) {
      if (this.#inProgress.has(fullName) && !opts.forceInline) asRef = true;
      else this.#inProgress.set(fullName, definition);
    }
    let returned: JsonSchema = asRef ? { $ref: DEFINITIONS + fullName } : definition;

    const others: Annotations = {};
    applyComments(this.program, reffed, definition, others);
    applyComments(this.program, symbol, definition, others);
    applyComments(this.program, type.aliasSymbol, definition, others);
    if (opts.prop) applyComments(this.program, opts.prop, returned, others);
    if (opts.paired && symbol && isFromDefaultLib(this.program, symbol)) applyComments(this.program, opts.paired, definition, others);

    if (!asRef || !this.#definitions[fullName]) {
      if (asRef) {
        this.#definitions[fullName] =
          asAliasRef && reffed && type.symbol !== reffed && symbol ? this.define(type, { asRef: true, prop: symbol, reffed: symbol }) : definition;
      }
      const node = symbol?.getDeclarations()?.[0];
      if (definition.type === undefined) this.#fill(type, definition, { ...opts, reffed }, symbol, node, isRaw);
    }

    if (this.#inProgress.get(fullName) === definition) {
      this.#inProgress.delete(fullName);
      // It turned out recursive: it has a definition now, so refer to it (keeping annotations beside the $ref).
      if (this.#definitions[fullName]) {
        const annotations = Object.fromEntries(Object.entries(returned).filter(([k]) => ANNOTATION_KEYWORDS.has(k)));
        returned = { $ref: DEFINITIONS + fullName, ...annotations };
      }
    }
    if (others.nullable) makeNullable(returned);
    return returned;
  }

  #fill(type: ts.Type, definition: JsonSchema, opts: DefineOptions, symbol: ts.Symbol | undefined, node: ts.Declaration | undefined, isRaw: boolean): void {
    const isEnumNode = node && (node.kind === ts.SyntaxKind.EnumDeclaration || node.kind === ts.SyntaxKind.EnumMember);
    if (type.flags & ts.TypeFlags.Union && !(node && node.kind === ts.SyntaxKind.EnumDeclaration)) {
      defineUnion(this, type as ts.UnionType, opts.unionKeyword ?? "anyOf", definition);
    } else if (type.flags & ts.TypeFlags.Intersection) {
      defineIntersection(this, type as ts.IntersectionType, definition);
    } else if (isRaw) {
      if (opts.paired) applyComments(this.program, opts.paired, definition, {});
      defineRoot(this, type, opts.reffed, definition, opts.allowUndefined ?? false);
    } else if (isEnumNode) {
      defineEnum(this, type, definition);
    } else if (symbol && symbol.flags & ts.SymbolFlags.TypeLiteral && symbol.members?.size === 0 && !(node && node.kind === ts.SyntaxKind.MappedType)) {
      // `{}`: a type literal without members (and without declarations to read them from).
      definition.type = "object";
      definition.properties = {};
    } else {
      defineClass(this, type, definition);
    }
  }

  /** The name a type is defined under: as printed, unique per type within one schema. */
  #typeName(type: ts.Type): string {
    const id = typeIdOf(type);
    const known = this.#namesById.get(id);
    if (known) return known;
    const printed = this.checker.typeToString(type, undefined, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseFullyQualifiedType);
    return this.#uniqueName(type, printed.replace(QUALIFIERS, ""));
  }

  #aliasName(reffed: ts.Symbol): string {
    const target = reffed.getFlags() & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(reffed) : reffed;
    return this.checker.getFullyQualifiedName(target).replace(QUALIFIERS, "");
  }

  /** `base`, or `base_1`, `base_2`… when another type already has that name. */
  #uniqueName(type: ts.Type, base: string): string {
    const id = typeIdOf(type);
    let name = base;
    for (let i = 1; this.#idsByName.has(name) && this.#idsByName.get(name) !== id; i++) name = `${base}_${i}`;
    this.#namesById.set(id, name);
    this.#idsByName.set(name, id);
    return name;
  }
}

function typeIdOf(type: ts.Type): number {
  return (type as ts.Type & { id: number }).id;
}

/** `@nullable`: also accept null. */
function makeNullable(def: JsonSchema): void {
  const type = def.type;
  const onlySimple = Object.keys(def).every((k) => k === "type" || k === "description");
  if (onlySimple) {
    if (type === undefined) def.type = "null";
    else if (Array.isArray(type) && type.every((t) => typeof t === "string")) {
      if (!type.includes("null")) type.push("null");
    } else if (typeof type === "string" && type !== "null") def.type = [type, "null"];
    else if (typeof type !== "string") fallback();
    return;
  }
  fallback();
  function fallback(): void {
    const union = (def.oneOf ?? def.anyOf) as JsonSchema[] | undefined;
    if (union) union.push({ type: "null" });
    else {
      const inner = { ...def };
      for (const k of Object.keys(def)) delete def[k];
      def.anyOf = [inner, { type: "null" }];
    }
  }
}
