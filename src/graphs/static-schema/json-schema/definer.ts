/**
 * What the kinds (kinds.ts) need of the builder (builder.ts): the checker, and the schema of a nested type. An
 * interface of its own, so that the builder uses the kinds and the kinds use the builder without importing each other.
 */
import type ts from "typescript";
import type { JsonSchema } from "../types.js";

/** How {@link TypeDefiner.define} treats one type. */
export interface DefineOptions {
  /** Answer a `$ref` for a named type (default true). */
  asRef?: boolean;
  /** Keyword for unions of several schemas (default `anyOf`). */
  unionKeyword?: "anyOf" | "oneOf";
  /** The property (or alias) the type belongs to: its comments apply. */
  prop?: ts.Symbol;
  /** The symbol the declaration referred to (`x: Foo` -> Foo): its comments apply. */
  reffed?: ts.Symbol;
  /** Comments of this symbol apply when the type comes from a default library. */
  paired?: ts.Symbol;
  /** Never turn this occurrence into a `$ref`, even when the type is already being defined. */
  forceInline?: boolean;
  /** `undefined` yields `{type: "undefined"}` (removed by unions) instead of failing. */
  allowUndefined?: boolean;
}

/** Builds the schema of a nested type while one type is being defined. */
export interface TypeDefiner {
  readonly checker: ts.TypeChecker;
  /** The schema of `type` here: inline, or a `$ref` to a definition added on the way. */
  define(type: ts.Type, opts?: DefineOptions): JsonSchema;
  /** Types declared as subclasses of the abstract class printed as `fullName`. */
  inheritingTypes(fullName: string): ts.Type[];
}
