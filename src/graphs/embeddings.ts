/**
 * `store.index.embed` in langgraph.json, loaded into an {@link Embedder}. Two forms, as the Python server takes them:
 *
 * - a `"path/to/file.ts:export"` reference to the project's own code, imported like a graph: a function from texts
 *   to vectors (sync or async), or an object with `embedDocuments` / `embedQuery` (a LangChain `Embeddings`);
 * - a `"provider:model"` string (`"openai:text-embedding-3-small"`), built from the provider's LangChain package as
 *   the project installed it (`@langchain/openai` …); a missing package stops start-up naming what to install.
 *
 * Every failure is a ConfigError naming the key; the answers of the function are checked where they are used
 * (src/semantic-index.ts).
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../errors.js";
import { installedPackage } from "../version.js";
import { SemanticIndex, type Embedder } from "../semantic-index.js";
import { describeValue } from "./describe.js";
import { splitExportRef } from "./ref.js";

/** A provider of `"provider:model"`: the LangChain package and the class it exports. */
interface Provider {
  pkg: string;
  className: string;
}

/** The providers of LangChain's `init_embeddings`, with their JavaScript packages. */
export const EMBEDDING_PROVIDERS: Record<string, Provider> = {
  openai: { pkg: "@langchain/openai", className: "OpenAIEmbeddings" },
  azure_openai: { pkg: "@langchain/openai", className: "AzureOpenAIEmbeddings" },
  cohere: { pkg: "@langchain/cohere", className: "CohereEmbeddings" },
  google_genai: { pkg: "@langchain/google-genai", className: "GoogleGenerativeAIEmbeddings" },
  google_vertexai: { pkg: "@langchain/google-vertexai", className: "VertexAIEmbeddings" },
  bedrock: { pkg: "@langchain/aws", className: "BedrockEmbeddings" },
  mistralai: { pkg: "@langchain/mistralai", className: "MistralAIEmbeddings" },
  ollama: { pkg: "@langchain/ollama", className: "OllamaEmbeddings" },
};

/** How lg-dev reaches the project's code and packages (the graphs' module loader). */
export interface EmbedderLoadOptions {
  configDir: string;
  /** Import a project file (at the generation the graphs were loaded at). */
  importModule(absFile: string): Promise<Record<string, unknown>>;
  /** Import a package as the project resolves it. */
  importPackage(specifier: string): Promise<Record<string, unknown>>;
}

/** True when `embed` names project code rather than a provider: a relative/absolute path or a script file. */
export function isPathRef(embed: string): boolean {
  return /^[./\\]/.test(embed) || /^[A-Za-z]:[\\/]/.test(embed) || /\.[cm]?[jt]sx?(:|$)/.test(embed);
}

/** Check `store.index` and load its embedding function; undefined when there is no `store.index`. */
export async function loadSemanticIndex(store: unknown, o: EmbedderLoadOptions): Promise<SemanticIndex | undefined> {
  const index = typeof store === "object" && store !== null ? (store as Record<string, unknown>).index : undefined;
  if (index === undefined || index === null) return undefined;
  if (typeof index !== "object" || Array.isArray(index)) throw new ConfigError(`langgraph.json: "store.index" must be an object {dims, embed, fields}`);
  const { dims, embed, fields } = index as Record<string, unknown>;
  if (typeof dims !== "number" || !Number.isInteger(dims) || dims < 1) {
    throw new ConfigError(`langgraph.json: "store.index.dims" must be a positive integer (the length of the embedding vectors), got ${JSON.stringify(dims)}`);
  }
  if (typeof embed !== "string" || embed.trim() === "") {
    throw new ConfigError(`langgraph.json: "store.index.embed" must be a "provider:model" string or a "./path/to/file.ts:export" reference, got ${JSON.stringify(embed)}`);
  }
  if (fields !== undefined && fields !== null && (!Array.isArray(fields) || fields.length === 0 || !fields.every((f) => typeof f === "string" && f !== ""))) {
    throw new ConfigError(`langgraph.json: "store.index.fields" must be a non-empty array of JSON paths (e.g. ["text", "metadata.title"] or ["$"]), got ${JSON.stringify(fields)}`);
  }
  const embedder = isPathRef(embed) ? await loadProjectEmbedder(embed, o) : await loadProviderEmbedder(embed, o);
  return new SemanticIndex({ dims, fields: (fields as string[] | undefined) ?? ["$"], embedder, label: embed });
}

async function loadProjectEmbedder(embed: string, o: EmbedderLoadOptions): Promise<Embedder> {
  const ref = splitExportRef(embed);
  const file = path.resolve(o.configDir, ref.path);
  const where = `store.index.embed "${embed}" in langgraph.json`;
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new ConfigError(`Embedding module not found: ${file} (${where})`);
  let mod: Record<string, unknown>;
  try {
    mod = await o.importModule(file);
  } catch (err) {
    const error = new ConfigError(`Failed to import embedding module ${file} (${where}): ${err instanceof Error ? err.message : String(err)}`);
    error.cause = err;
    throw error;
  }
  let exported = ref.exportName in mod ? mod[ref.exportName] : undefined;
  if (exported === undefined) {
    const names = Object.keys(mod).filter((k) => mod[k] !== undefined);
    throw new ConfigError(`Embedding module ${file} has no export "${ref.exportName}" (exports: ${names.length ? names.join(", ") : "none"}) (${where})`);
  }
  if (exported instanceof Promise) exported = await exported;
  const embedder = asEmbedder(exported);
  if (!embedder) {
    throw new ConfigError(
      `Export "${ref.exportName}" of ${file} is ${describeValue(exported)}: store.index.embed needs a function (texts: string[]) => number[][] ` +
        `(sync or async) or an object with embedDocuments and embedQuery (a LangChain Embeddings)`,
    );
  }
  return embedder;
}

/** A function of texts, or an Embeddings-like object, as an Embedder; undefined for anything else. */
export function asEmbedder(value: unknown): Embedder | undefined {
  if (typeof value === "function") {
    const fn = value as (texts: string[]) => unknown;
    return {
      embedDocuments: async (texts) => (await fn(texts)) as number[][],
      embedQuery: async (text) => {
        const out = (await fn([text])) as unknown;
        return (Array.isArray(out) ? out[0] : out) as number[];
      },
    };
  }
  if (typeof value === "object" && value !== null) {
    const e = value as Partial<Embedder>;
    if (typeof e.embedDocuments === "function" && typeof e.embedQuery === "function") {
      return { embedDocuments: (texts) => e.embedDocuments!.call(value, texts), embedQuery: (text) => e.embedQuery!.call(value, text) };
    }
  }
  return undefined;
}

async function loadProviderEmbedder(embed: string, o: EmbedderLoadOptions): Promise<Embedder> {
  const colon = embed.indexOf(":");
  const providerName = colon > 0 ? embed.slice(0, colon).trim().toLowerCase() : "";
  const model = colon > 0 ? embed.slice(colon + 1).trim() : "";
  const provider = EMBEDDING_PROVIDERS[providerName];
  if (!provider || model === "") {
    throw new ConfigError(
      `langgraph.json: "store.index.embed" ${JSON.stringify(embed)} is neither a "provider:model" string with a known provider ` +
        `(${Object.keys(EMBEDDING_PROVIDERS).join(", ")}) nor a "./path/to/file.ts:export" reference`,
    );
  }
  if (!installedPackage(provider.pkg, o.configDir)) {
    throw new ConfigError(`store.index.embed "${embed}" needs ${provider.pkg}, which the project does not have installed. Run: npm install ${provider.pkg}`);
  }
  let mod: Record<string, unknown>;
  try {
    mod = await o.importPackage(provider.pkg);
  } catch (err) {
    throw new ConfigError(`store.index.embed "${embed}": importing ${provider.pkg} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const Cls = mod[provider.className];
  if (typeof Cls !== "function") throw new ConfigError(`store.index.embed "${embed}": ${provider.pkg} does not export ${provider.className} (update it: npm install ${provider.pkg}@latest)`);
  let instance: unknown;
  try {
    instance = new (Cls as new (fields: Record<string, unknown>) => unknown)({ model });
  } catch (err) {
    throw new ConfigError(`store.index.embed "${embed}": creating ${provider.className} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const embedder = asEmbedder(instance);
  if (!embedder) throw new ConfigError(`store.index.embed "${embed}": ${provider.pkg}'s ${provider.className} has no embedDocuments/embedQuery`);
  return embedder;
}
