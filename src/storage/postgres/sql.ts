/**
 * SQL building blocks for the PostgreSQL backend: numbered parameters, LangGraph auth filters and containment as
 * WHERE clauses (the same answers as auth/filters.ts `matchesFilters` and json-value.ts `contains`), and ORDER BY for
 * the search endpoints' sort and paging (the same order as paging.ts `selectPage`).
 */
import { createHash } from "node:crypto";
import { isPlainObject } from "../../json-value.js";
import type { NamedStatement } from "./database.js";

const namedStatements = new Map<string, NamedStatement>();
/**
 * A statement of a fixed text (never built from input: a bounded set) as a named one: each connection has the
 * server parse and plan it once, not at every execution. For the statements every run and request goes through.
 */
export function named(text: string): NamedStatement {
  let s = namedStatements.get(text);
  if (!s) namedStatements.set(text, (s = { name: `lgdev_${createHash("sha1").update(text).digest("hex").slice(0, 24)}`, text }));
  return s;
}

/** Parameters of one statement: `add(v)` returns its placeholder (`$1`, `$2`, ...). */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
  /** A JSON value as a jsonb parameter (pg would turn a JS array into a PostgreSQL array: always stringify). */
  json(value: unknown): string {
    return `${this.add(JSON.stringify(value))}::jsonb`;
  }
}

/** JSON text for a json/jsonb parameter; `undefined` becomes SQL NULL. */
export const jsonParam = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

/** The SQL expression of a filtered field (e.g. `metadata -> $1`). */
export type FieldOf = (key: string, p: Params) => string;

/**
 * `matchesFilters(target, filters)` as a WHERE clause, `field(key)` being the jsonb expression of `target[key]`.
 * - a plain value, or `{$eq: v}`: deep equality (jsonb `=`: objects compared by content, arrays in order)
 * - `{$contains: v | [v...]}`: the field is an array holding every `v` (equal, not merely contained)
 * - `{$and: [...]}`: every condition
 * - anything else (an unknown operator, a malformed operand, filters that are not an object) matches nothing
 */
export function filtersSql(filters: unknown, field: FieldOf, p: Params): string {
  if (filters === undefined || filters === null) return "TRUE";
  if (!isPlainObject(filters)) return "FALSE";
  const parts = Object.entries(filters).map(([key, condition]) => {
    const mark = p.values.length;
    return dropIfFalse(conditionSql(field(key, p), condition, p), p, mark);
  });
  return parts.length === 0 ? "TRUE" : parts.map((s) => `(${s})`).join(" AND ");
}

const isOperatorObject = (v: unknown): v is Record<string, unknown> => isPlainObject(v) && Object.keys(v).some((k) => k.startsWith("$"));

/** A condition that matches nothing leaves no parameter behind (PostgreSQL cannot type a parameter it never sees). */
function dropIfFalse(sql: string, p: Params, mark: number): string {
  if (sql === "FALSE") p.values.length = mark;
  return sql;
}

function conditionSql(actual: string, condition: unknown, p: Params): string {
  const mark = p.values.length;
  return dropIfFalse(conditionParts(actual, condition, p), p, mark);
}

function conditionParts(actual: string, condition: unknown, p: Params): string {
  if (!isOperatorObject(condition)) return equalSql(actual, condition, p);
  const parts: string[] = [];
  for (const [op, operand] of Object.entries(condition)) {
    if (op === "$eq") parts.push(equalSql(actual, operand, p));
    else if (op === "$contains") {
      const wanted = Array.isArray(operand) ? operand : [operand];
      if (wanted.some((w) => w === undefined)) return "FALSE";
      const w = p.json(wanted);
      // @> first (index-friendly and prunes), then the exact test: every wanted value equals some element.
      parts.push(
        `jsonb_typeof(${actual}) = 'array' AND ${actual} @> ${w} AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(${w}) AS w(v) ` +
          `WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(${actual}) AS a(v) WHERE a.v = w.v))`,
      );
    } else if (op === "$and") {
      if (!Array.isArray(operand)) return "FALSE";
      for (const c of operand) parts.push(conditionSql(actual, c, p));
    } else return "FALSE";
  }
  return parts.length === 0 ? "TRUE" : parts.map((s) => `(${s})`).join(" AND ");
}

function equalSql(actual: string, value: unknown, p: Params): string {
  // undefined equals nothing stored (a missing key is SQL NULL, and `NULL = x` is not true).
  if (value === undefined) return "FALSE";
  return `${actual} = ${p.json(value)}`;
}

/** The record's jsonb `column` contains `subset` (json-value.ts `contains`: for an object subset, jsonb `@>`). */
export function containsSql(column: string, subset: unknown, p: Params): string {
  return `${column} @> ${p.json(subset)}`;
}

/** Paging as the search endpoints take it: non-negative integers (others are clamped). */
export function limitOffset(q: { offset?: number; limit?: number }, defaultLimit: number, p: Params): string {
  const offset = Math.max(0, Math.floor(q.offset ?? 0));
  const limit = Math.max(0, Math.floor(q.limit ?? defaultLimit));
  return `LIMIT ${p.add(Number.isFinite(limit) ? limit : null)}::bigint OFFSET ${p.add(Number.isFinite(offset) ? offset : 0)}::bigint`;
}

/**
 * ORDER BY for a search: `sortBy` among `columns` (anything else sorts as if every value were missing: creation
 * order), desc by default, nulls last both ways, ties in creation order (`tie`, an ascending expression); `prefix` qualifies the column. Text compares by code
 * point (COLLATE "C"), as JavaScript's `<` does for the characters of the Basic Multilingual Plane.
 */
export function orderBy(q: { sortBy?: string; sortOrder?: "asc" | "desc" }, columns: Record<string, "text" | "other">, tie: string, prefix = ""): string {
  const key = q.sortBy ?? "created_at";
  const kind = Object.hasOwn(columns, key) ? columns[key] : undefined;
  if (kind === undefined) return `ORDER BY ${tie}`;
  const dir = (q.sortOrder ?? "desc") === "asc" ? "ASC" : "DESC";
  return `ORDER BY ${prefix}${key}${kind === "text" ? ' COLLATE "C"' : ""} ${dir} NULLS LAST, ${tie}`;
}
