/**
 * `store.index` in langgraph.json: semantic search over store items, as LangGraph's stores do it. On put, the texts
 * at the configured `fields` (JSON paths: "text", "metadata.title", "chapters[*].content", "$" for the whole value;
 * or the put's own `index` list; `index: false` skips the item) are embedded, one vector per text; a search with a
 * `query` embeds it and ranks items by their best cosine similarity, which it returns as `score`. Items without
 * vectors follow the ranked ones, with a null score (as LangGraph's InMemoryStore orders them).
 *
 * The embedding function comes from graphs/embeddings.ts; every answer it gives is checked here (count and `dims`),
 * so a misconfigured model fails the put or search that met it with a message saying what was wrong.
 */
import { LgDevError } from "./errors.js";

/** The LangChain `Embeddings` surface lg-dev uses. */
export interface Embedder {
  embedDocuments(texts: string[]): Promise<number[][]>;
  embedQuery(text: string): Promise<number[]>;
}

/** `store.index`, loaded. */
export interface SemanticIndexSettings {
  dims: number;
  /** Default JSON paths to embed (`["$"]` when the config names none). */
  fields: string[];
  embedder: Embedder;
  /** How `embed` is named in messages (e.g. `"./src/embed.ts:embed"`). */
  label: string;
}

/** The embedding function answered something unusable (a wrong count or dimension, not numbers, a throw). */
export class EmbeddingError extends LgDevError {
  constructor(message: string) {
    super(500, "EMBEDDING_ERROR", message);
    this.name = "EmbeddingError";
  }
}

/** A put's `index`: undefined/null = the configured fields, false = not indexed, a list = those paths. */
export type IndexSpec = false | string[] | null | undefined;

export class SemanticIndex {
  constructor(readonly settings: SemanticIndexSettings) {}

  /** The texts of a value to embed under `index`. */
  textsOf(value: Record<string, unknown>, index: IndexSpec): string[] {
    if (index === false) return [];
    const paths = Array.isArray(index) ? index : this.settings.fields;
    return paths.flatMap((path) => textsAtPath(value, path)).filter((t) => t.length > 0);
  }

  /** The vectors of a value (undefined when nothing of it is indexed). */
  async embedValue(value: Record<string, unknown>, index: IndexSpec): Promise<number[][] | undefined> {
    const texts = this.textsOf(value, index);
    if (texts.length === 0) return undefined;
    const vectors = await this.call(() => this.settings.embedder.embedDocuments(texts));
    if (!Array.isArray(vectors) || vectors.length !== texts.length) {
      throw new EmbeddingError(`store.index.embed (${this.settings.label}) returned ${describeCount(vectors)} for ${texts.length} text${texts.length === 1 ? "" : "s"}: it must return one vector per text`);
    }
    return vectors.map((v) => this.checkVector(v));
  }

  /** The vector of a search query. */
  async embedQuery(query: string): Promise<number[]> {
    return this.checkVector(await this.call(() => this.settings.embedder.embedQuery(query)));
  }

  /** An item's score for a query vector: its best cosine similarity; null when it has no vectors. */
  score(query: number[], vectors: number[][] | undefined): number | null {
    if (!vectors || vectors.length === 0) return null;
    let best = -Infinity;
    for (const v of vectors) best = Math.max(best, cosine(query, v));
    return best;
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof EmbeddingError) throw err;
      const error = new EmbeddingError(`store.index.embed (${this.settings.label}) failed: ${err instanceof Error ? err.message : String(err)}`);
      error.cause = err;
      throw error;
    }
  }

  private checkVector(v: unknown): number[] {
    const { dims, label } = this.settings;
    if (!Array.isArray(v) || !v.every((x) => typeof x === "number" && Number.isFinite(x))) {
      throw new EmbeddingError(`store.index.embed (${label}) returned ${describeVector(v)}: each embedding must be an array of ${dims} finite numbers`);
    }
    if (v.length !== dims) {
      throw new EmbeddingError(`store.index.embed (${label}) returned a vector of ${v.length} dimensions, but store.index.dims in langgraph.json is ${dims}`);
    }
    return v as number[];
  }
}

/**
 * The texts at a JSON path, as LangGraph's stores read `fields`: "$" is the whole value (as JSON), "a.b" a nested
 * field, "list[*].text" every element, "list[0]" / "list[-1]" one. Strings are taken as they are, other scalars as
 * text, objects and arrays as JSON. (The package's exported `getTextAtPath` knows neither "$" nor non-strings.)
 */
export function textsAtPath(value: unknown, path: string): string[] {
  if (path === "$" || path === "") return [JSON.stringify(value)];
  const tokens = path.match(/[^.[\]]+|\[[^\]]*\]/g) ?? [];
  let current: unknown[] = [value];
  for (const token of tokens) {
    const next: unknown[] = [];
    for (const node of current) {
      if (token.startsWith("[")) {
        if (!Array.isArray(node)) continue;
        const inner = token.slice(1, -1).trim();
        if (inner === "*") next.push(...node);
        else if (/^-?\d+$/.test(inner)) {
          const i = Number(inner) < 0 ? node.length + Number(inner) : Number(inner);
          if (i >= 0 && i < node.length) next.push(node[i]);
        }
      } else if (typeof node === "object" && node !== null && !Array.isArray(node) && token in node) {
        next.push((node as Record<string, unknown>)[token]);
      }
    }
    current = next;
  }
  return current.flatMap((v) =>
    typeof v === "string" ? [v] : typeof v === "number" || typeof v === "boolean" ? [String(v)] : v !== null && typeof v === "object" ? [JSON.stringify(v)] : [],
  );
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

const describeCount = (v: unknown) => (Array.isArray(v) ? `${v.length} vector${v.length === 1 ? "" : "s"}` : describeVector(v));
const describeVector = (v: unknown) =>
  v === null ? "null" : Array.isArray(v) ? `an array holding ${v.find((x) => typeof x !== "number" || !Number.isFinite(x)) === undefined ? "numbers" : "something other than finite numbers"}` : typeof v;
