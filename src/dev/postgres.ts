import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { OfficialPostgres, PostgresLayer } from "../storage/postgres/index.js";
import { installedPackage, PACKAGE_ROOT, placeVersion } from "../version.js";

/**
 * The official package for checkpoints and store items on PostgreSQL. Not a dependency of lg-dev: its peer ranges
 * (@langchain/core ^1.1.44, @langchain/langgraph-checkpoint ^1.1.4) are narrower than lg-dev's, so it is loaded
 * only with --postgres, from the project, and a missing or mismatched copy is a one-line error saying what to install.
 */
export const CHECKPOINT_POSTGRES = "@langchain/langgraph-checkpoint-postgres";
/** The versions lg-dev is tested with. */
export const CHECKPOINT_POSTGRES_RANGE = "^1.0.5";

interface PackageJson {
  version: string;
  peerDependencies?: Record<string, string>;
  exports?: Record<string, unknown>;
}

/** The ESM file of one export of a package (`exports[sub].import.default` or a plain string). */
function esmEntry(dir: string, json: PackageJson, sub: string): string {
  const target = json.exports?.[sub] as { import?: { default?: string } | string; default?: string } | string | undefined;
  const file = typeof target === "string" ? target : typeof target?.import === "string" ? target.import : (target?.import?.default ?? target?.default);
  if (!file) throw new ConfigError(`${CHECKPOINT_POSTGRES} ${json.version} has no "${sub}" export lg-dev can import: install ${CHECKPOINT_POSTGRES}@${CHECKPOINT_POSTGRES_RANGE}`);
  return pathToFileURL(join(dir, file)).href;
}

/**
 * Load PostgresSaver and PostgresStore as the project resolves them (else from beside lg-dev), after checking the
 * package's version and that its own peers are satisfied where it is installed. Throws ConfigError naming the fix.
 */
export async function loadOfficialPostgres(projectDir: string, ownDir: string = PACKAGE_ROOT): Promise<OfficialPostgres> {
  const install = `npm install ${CHECKPOINT_POSTGRES}@${CHECKPOINT_POSTGRES_RANGE}`;
  const found = installedPackage(CHECKPOINT_POSTGRES, projectDir) ?? installedPackage(CHECKPOINT_POSTGRES, ownDir);
  if (!found) throw new ConfigError(`--postgres needs ${CHECKPOINT_POSTGRES} (checkpoints and store items on PostgreSQL), which is not installed. Run: ${install}`);
  const json = JSON.parse(readFileSync(join(found.dir, "package.json"), "utf8")) as PackageJson;
  if (placeVersion(json.version, CHECKPOINT_POSTGRES_RANGE) !== "inside") {
    throw new ConfigError(`--postgres needs ${CHECKPOINT_POSTGRES} ${CHECKPOINT_POSTGRES_RANGE}, found ${json.version}. Run: ${install}`);
  }
  const problems: string[] = [];
  for (const [peer, range] of Object.entries(json.peerDependencies ?? {})) {
    const have = installedPackage(peer, found.dir);
    if (!have) problems.push(`${peer} ${range} is not installed`);
    else if (placeVersion(have.version, range) === "below") problems.push(`${peer} ${have.version} is too old, it needs ${range}`);
  }
  if (problems.length > 0) {
    const fixes = Object.entries(json.peerDependencies ?? {}).map(([peer, range]) => `"${peer}@${range}"`);
    throw new ConfigError(`${CHECKPOINT_POSTGRES} ${json.version}: ${problems.join("; ")}. Run: npm install ${fixes.join(" ")}`);
  }
  const saver = (await import(esmEntry(found.dir, json, "."))) as { PostgresSaver?: unknown };
  const store = (await import(esmEntry(found.dir, json, "./store"))) as { PostgresStore?: unknown };
  if (typeof saver.PostgresSaver !== "function" || typeof store.PostgresStore !== "function") {
    throw new ConfigError(`${CHECKPOINT_POSTGRES} ${json.version} does not export PostgresSaver and PostgresStore: ${install}`);
  }
  return { PostgresSaver: saver.PostgresSaver, PostgresStore: store.PostgresStore } as OfficialPostgres;
}

/**
 * Connect to PostgreSQL and migrate it (lg-dev's tables, the checkpoint and store tables), so a wrong URL, an
 * unreachable server or bad credentials stop the start with one clear line. Returns the open layer.
 */
export async function connectPostgres(url: string, projectDir: string, logger: Logger): Promise<PostgresLayer> {
  const pgLayer = await import("../storage/postgres/index.js");
  let target;
  try {
    target = pgLayer.parsePostgresUrl(url);
  } catch (err) {
    throw new ConfigError(`--postgres / POSTGRES_URI: ${(err as Error).message}`);
  }
  const official = await loadOfficialPostgres(projectDir);
  try {
    const layer = await pgLayer.openPostgres({ url, official, logger });
    const { from, to } = layer.migration;
    logger.info(`PostgreSQL ${target.label}: connected, schema version ${to}${from === to ? "" : ` (migrated from ${from})`}`, {
      database: target.redacted,
      server_version: layer.db.serverVersion,
    });
    return layer;
  } catch (err) {
    if (err instanceof pgLayer.DatabaseUnavailableError) {
      throw new ConfigError(`PostgreSQL at ${target.label} is unreachable: ${pgLayer.describeConnectionError((err as { cause?: unknown }).cause ?? err)}`);
    }
    if (err instanceof pgLayer.SchemaTooNewError) throw new ConfigError(err.message);
    // The server's own refusal (wrong password, unknown database, no permission): its message says it best.
    if (typeof (err as { code?: unknown }).code === "string" && (err as { severity?: unknown }).severity !== undefined) {
      throw new ConfigError(`PostgreSQL ${target.redacted}: ${(err as Error).message}`);
    }
    throw err;
  }
}
