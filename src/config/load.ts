/**
 * Find, read and validate langgraph.json.
 */
import { readFile, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, dirname } from "node:path";
import { ConfigError } from "../errors.js";
import type { GraphSpec } from "../graphs/types.js";
import { parseJsonFile } from "./json.js";
import { configSchema, httpWarnings, PYTHON_ONLY_NESTED_KEYS, unknownTopLevelKey, type LanggraphConfig } from "./schema.js";
import { validate } from "./validate.js";

/** A langgraph.json that was read and validated, with the paths it is relative to. */
export interface LoadedConfig {
  config: LanggraphConfig;
  /** Absolute path of the file. */
  configPath: string;
  /** Directory of the file: graph paths, `env` and `auth.path` are relative to it. */
  configDir: string;
  /** `config.graphs`, normalised. */
  graphs: GraphSpec[];
  /** One line per accepted-but-ignored key (and similar); the caller decides how to print them. */
  warnings: string[];
}

/** The default file name looked up when a directory is given. */
export const CONFIG_FILE_NAME = "langgraph.json";

/** Read `pathOrDir` (a langgraph.json, or a directory holding one) relative to `cwd`, and validate it. */
export async function loadConfig(pathOrDir: string, cwd: string = process.cwd()): Promise<LoadedConfig> {
  const configPath = await locateConfig(resolve(cwd, pathOrDir));
  const label = displayPath(configPath, cwd);
  const text = await readFile(configPath, "utf8").catch((err: NodeJS.ErrnoException) => {
    throw new ConfigError(`Cannot read ${label}: ${err.message}`);
  });
  const raw = parseJsonFile(text, label);
  const config = resolveConfig(raw, label);
  return {
    config: config.config,
    configPath,
    configDir: dirname(configPath),
    graphs: config.graphs,
    warnings: config.warnings,
  };
}

/** Validate parsed JSON (pure); `label` names the file in messages. */
export function resolveConfig(raw: unknown, label: string): { config: LanggraphConfig; graphs: GraphSpec[]; warnings: string[] } {
  const checked = validate(configSchema, raw, { unknownKey: unknownTopLevelKey });
  // The schema is the type: a value it accepts (formats applied) is a LanggraphConfig.
  const config = checked.value as LanggraphConfig | undefined;
  if (config === undefined || checked.issues.length > 0) {
    const lines = checked.issues.map((issue) => (issue.path ? `"${issue.path}" ${issue.message}` : `the file ${issue.message}`));
    const head = lines.length === 1 ? `Invalid ${label}: ` : `Invalid ${label}:\n  - `;
    throw new ConfigError(head + lines.join("\n  - "));
  }
  const warnings = checked.warnings.map((w) => `${label}: ${w.message}`);
  for (const [key, message] of Object.entries(PYTHON_ONLY_NESTED_KEYS)) {
    const [top, nested] = key.split(".");
    const section = (config as Record<string, unknown>)[top];
    if (typeof section === "object" && section !== null && (section as Record<string, unknown>)[nested] !== undefined) warnings.push(`${label}: ${message}`);
  }
  for (const message of httpWarnings(config.http)) warnings.push(`${label}: ${message}`);
  const nodeWarning = checkNodeVersion(config.node_version);
  if (nodeWarning) warnings.push(`${label}: ${nodeWarning}`);

  const graphs: GraphSpec[] = Object.entries(config.graphs).map(([graphId, entry]) =>
    typeof entry === "string"
      ? { graphId, path: entry }
      : { graphId, path: entry.path, ...(entry.description !== undefined ? { description: entry.description } : {}) },
  );
  return { config, graphs, warnings };
}

function checkNodeVersion(wanted: string | undefined, running = process.versions.node): string | undefined {
  const major = wanted && /^\s*v?(\d+)/.exec(wanted)?.[1];
  if (!major || major === running.split(".")[0]) return undefined;
  return `"node_version" is ${wanted} but lg-dev runs on Node ${running}`;
}

async function locateConfig(target: string): Promise<string> {
  const info = await stat(target).catch(() => undefined);
  if (info === undefined) {
    throw new ConfigError(`Config file not found: ${target}`);
  }
  if (!info.isDirectory()) return target;
  const file = join(target, CONFIG_FILE_NAME);
  const fileInfo = await stat(file).catch(() => undefined);
  if (fileInfo === undefined || fileInfo.isDirectory()) {
    throw new ConfigError(`No ${CONFIG_FILE_NAME} in ${target} (looked for ${file})`);
  }
  return file;
}

/** A path as the user would type it: relative to cwd when below it, absolute otherwise. */
export function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
}
