/**
 * What a declaration's documentation adds to a schema: its comment becomes `description`, and JSDoc tags named
 * after JSON Schema keywords (`@minimum 0`, `@format email`, `@default "x"`, `@TJS-type integer`,
 * `@items.minimum 1`) become those keywords, as typescript-json-schema (which the official server uses) reads them.
 * Also: literal values of literal types, and property defaults from literal initializers.
 */
import ts from "typescript";
import type { JsonSchema } from "../types.js";

/** Keywords a JSDoc tag may set. */
const KEYWORD_TAGS = new Set([
  "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern",
  "items", "maxItems", "minItems", "uniqueItems", "contains", "maxProperties", "minProperties", "additionalProperties",
  "enum", "type", "examples", "ignore", "description", "format", "default", "$ref", "id", "$id", "$comment", "title",
]);

/** Keywords whose JSDoc tags may address a sub-schema: `@items.minimum 1`. */
const SUB_SCHEMA_TAGS = new Set(["items", "additionalProperties", "contains"]);

/** Tags that are not keywords (`@nullable`, `@deprecated`, …) are collected here by name. */
export type Annotations = Record<string, true>;

/** Copy `symbol`'s description and keyword tags into `definition`; other tag names into `others`. */
export function applyComments(program: ts.Program, symbol: ts.Symbol | undefined, definition: JsonSchema, others: Annotations): void {
  if (!symbol) return;
  if (!isFromDefaultLib(program, symbol)) {
    const parts = symbol.getDocumentationComment(program.getTypeChecker());
    if (parts.length) {
      definition.description = parts
        .map((part) => (part.kind === "linkText" ? part.text.trim() : part.text.replace(/\r\n/g, "\n")))
        .join("")
        .trim();
    }
  }
  for (const tag of symbol.getJsDocTags()) {
    let name = tag.name;
    const raw = tag.text ? tag.text.map((t) => t.text).join("") : "";
    let text = raw;
    if (name.startsWith("TJS-")) {
      name = name.slice(4);
      if (!text) text = "true";
    } else if (name === "TJS" && text.startsWith("-")) {
      const match = /^-([\w]+)\s+(\S|\S[\s\S]*\S)\s*$/.exec(raw);
      if (match) [name, text] = [match[1]!, match[2]!];
      else [name, text] = [text.replace(/^[\s-]+/, ""), "true"];
    }
    if (SUB_SCHEMA_TAGS.has(name)) {
      const match = /^[.]?([\w]+)\s+(\S|\S[\s\S]*\S)\s*$/.exec(text);
      if (match) {
        definition[name] = { ...(definition[name] as object), [match[1]!]: match[2] ? parseTagValue(match[2]) : true };
        continue;
      }
    }
    const dotted = name.split(".");
    if (dotted.length === 2 && SUB_SCHEMA_TAGS.has(dotted[0]!)) {
      definition[dotted[0]!] = { ...(definition[dotted[0]!] as object), [dotted[1]!]: text ? parseTagValue(text) : true };
    }
    if (KEYWORD_TAGS.has(name)) definition[name] = parseTagValue(text);
    else others[tag.name] = true;
  }
}

/** JSON when it parses, the text otherwise. (typescript-json-schema also `require()`s files named in tags: not here.) */
function parseTagValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Declared in a default library file (lib.*.d.ts): their comments are not copied. */
export function isFromDefaultLib(program: ts.Program, symbol: ts.Symbol): boolean {
  const file = symbol.getDeclarations()?.[0]?.parent?.getSourceFile();
  // TypeScript 6's lib files no longer say `no-default-lib`; the program still knows them.
  return file ? file.hasNoDefaultLib || program.isSourceFileDefaultLibrary(file) : false;
}

/** The value of a string, number, boolean or enum literal type. */
export function literalValue(type: ts.Type): string | number | boolean | undefined {
  const literal = type as ts.Type & { value?: unknown; text?: string; intrinsicName?: string };
  const value = literal.value !== undefined ? literal.value : literal.text;
  if (type.flags & ts.TypeFlags.StringLiteral) return value as string;
  if (type.flags & ts.TypeFlags.BooleanLiteral) return literal.intrinsicName === "true";
  if (type.flags & ts.TypeFlags.EnumLiteral) {
    const n = parseFloat(String(value));
    return Number.isNaN(n) ? (value as string) : n;
  }
  if (type.flags & ts.TypeFlags.NumberLiteral) return parseFloat(String(value));
  return undefined;
}

const NO_VALUE = Symbol("no value");

/** The default a property declaration's initializer gives, when it is a literal (string, number, boolean, null, array). */
export function initializerDefault(declaration: ts.Declaration | undefined): unknown {
  let initial = (declaration as { initializer?: ts.Expression } | undefined)?.initializer;
  if (!initial) return undefined;
  while (ts.isTypeAssertionExpression(initial)) initial = initial.expression;
  // Calls, property reads, `as` casts…: computed, so no default (typescript-json-schema warns and skips them).
  if ("expression" in initial && initial.expression) return undefined;
  if (initial.kind === ts.SyntaxKind.NoSubstitutionTemplateLiteral) return initial.getText();
  const value = evaluateLiteral(initial);
  if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean" || Array.isArray(value)) return value;
  return undefined;
}

/** A literal expression's value without running any code; NO_VALUE for anything else. */
function evaluateLiteral(node: ts.Expression): unknown {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isNumericLiteral(node)) return Number(node.text);
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (node.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (node.kind === ts.SyntaxKind.NullKeyword) return null;
  if (ts.isPrefixUnaryExpression(node) && ts.isNumericLiteral(node.operand)) {
    if (node.operator === ts.SyntaxKind.MinusToken) return -Number(node.operand.text);
    if (node.operator === ts.SyntaxKind.PlusToken) return Number(node.operand.text);
  }
  if (ts.isArrayLiteralExpression(node)) {
    const items = node.elements.map((el) => evaluateLiteral(el));
    return items.includes(NO_VALUE) ? NO_VALUE : items;
  }
  if (ts.isObjectLiteralExpression(node)) {
    const out: Record<string, unknown> = {};
    for (const p of node.properties) {
      if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) return NO_VALUE;
      const v = evaluateLiteral(p.initializer);
      if (v === NO_VALUE) return NO_VALUE;
      out[p.name.text] = v;
    }
    return out;
  }
  return NO_VALUE;
}
