/**
 * The on-disk cache of extracted schemas, so that a restart answers at once. An entry is found by what was
 * asked (graph ids, files, exports; lg-dev's and TypeScript's versions) and holds only if everything the
 * extraction read is unchanged: the content of every project file (graph sources, what they import,
 * tsconfig files) and the version of every package whose declarations were read.
 *
 * Where: `node_modules/.cache/lg-dev/` of the project (the usual place for tools' caches, ignored by git and
 * by lg-dev's watcher), or a folder under the OS temp dir when the project has no node_modules;
 * `LG_DEV_CACHE_DIR` overrides both. Never `.langgraph_api/`: that is the data dir, which `--no-persist` keeps
 * untouched; these are derived files that can be deleted at any time.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ExtractionResult, Manifest, StaticGraphTarget } from "./types.js";

/** Bump when the extractor's output changes, so that older entries are not used. */
const FORMAT = 1;
/** Entries kept per project (each reload that changes a type adds one). */
const KEEP = 8;

/** The cache folder for a project: see the file comment. */
export function defaultCacheDir(projectDir: string): string {
  const fromEnv = process.env.LG_DEV_CACHE_DIR;
  if (fromEnv) return join(fromEnv, "schemas");
  if (existsSync(join(projectDir, "node_modules"))) return join(projectDir, "node_modules", ".cache", "lg-dev", "schemas");
  const project = createHash("sha256").update(projectDir).digest("hex").slice(0, 16);
  return join(tmpdir(), "lg-dev-cache", project, "schemas");
}

/** Cached extractions in one folder. */
export class SchemaCache {
  readonly dir: string;
  readonly #salt: string;

  /** `salt`: anything else the result depends on (lg-dev's version). */
  constructor(dir: string, salt: string) {
    this.dir = dir;
    this.#salt = `${FORMAT}:${salt}:${typescriptVersion()}`;
  }

  /** The cached result for `targets`, if there is one and all it read is unchanged. */
  async lookup(targets: StaticGraphTarget[]): Promise<ExtractionResult | undefined> {
    let entry: ExtractionResult;
    try {
      entry = JSON.parse(await readFile(this.#file(targets), "utf8")) as ExtractionResult;
    } catch {
      return undefined;
    }
    return (await manifestHolds(entry.manifest)) ? entry : undefined;
  }

  /** Keep `result` for `targets` (written atomically; the oldest entries beyond a few are removed). */
  async store(targets: StaticGraphTarget[], result: ExtractionResult): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = this.#file(targets);
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(result));
    await rename(tmp, file);
    await this.#prune();
  }

  #file(targets: StaticGraphTarget[]): string {
    const key = createHash("sha256")
      .update(this.#salt)
      .update(JSON.stringify(targets.map((t) => [t.graphId, t.file, t.exportName])))
      .digest("hex")
      .slice(0, 24);
    return join(this.dir, `${key}.json`);
  }

  async #prune(): Promise<void> {
    const names = (await readdir(this.dir)).filter((n) => n.endsWith(".json"));
    if (names.length <= KEEP) return;
    const dated = await Promise.all(names.map(async (n) => ({ n, t: (await stat(join(this.dir, n)).catch(() => undefined))?.mtimeMs ?? 0 })));
    dated.sort((a, b) => b.t - a.t);
    await Promise.all(dated.slice(KEEP).map(({ n }) => rm(join(this.dir, n), { force: true })));
  }
}

/** Whether every file and package a manifest lists is as it was. */
async function manifestHolds(manifest: Manifest | undefined): Promise<boolean> {
  if (!manifest || typeof manifest.files !== "object" || typeof manifest.packages !== "object") return false;
  const files = Object.entries(manifest.files).map(async ([file, hash]) => {
    const text = await readFile(file, "utf8").catch(() => undefined);
    return text !== undefined && createHash("sha256").update(text).digest("hex") === hash;
  });
  const packages = Object.entries(manifest.packages).map(async ([dir, version]) => {
    const pkg = await readFile(join(dir, "package.json"), "utf8").catch(() => undefined);
    try {
      return pkg !== undefined && (JSON.parse(pkg) as { version?: string }).version === version;
    } catch {
      return false;
    }
  });
  return (await Promise.all([...files, ...packages])).every(Boolean);
}

/** The version of the TypeScript lg-dev extracts with, read without loading the compiler. */
function typescriptVersion(): string {
  try {
    return (createRequire(import.meta.url)("typescript/package.json") as { version: string }).version;
  } catch {
    return "unknown";
  }
}
