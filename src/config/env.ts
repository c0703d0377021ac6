/**
 * Apply langgraph.json `env` to process.env. Variables the user already had win; on reload the ones lg-dev set
 * itself are updated or removed. process.env is process-wide, so the record of what we set lives beside it on
 * `process` (not in this module), which also keeps it right when several copies of this module are loaded.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "dotenv";
import { ConfigError } from "../errors.js";
import type { LoadedConfig } from "./load.js";

/** What `applyEnv` did. */
export interface AppliedEnv {
  /** Keys whose value now comes from `env` (set by this call or kept from an earlier one). */
  applied: string[];
  /** Keys left alone because the environment already defined them. */
  skipped: string[];
  /** Keys a previous call had set that are no longer in `env`, now removed. */
  removed: string[];
}

const OWNED = Symbol.for("lg-dev.config.env-owned");
type ProcessWithOwned = NodeJS.Process & { [OWNED]?: Map<string, string> };

/** Read the variables `env` names: a dotenv file (relative to the config dir) or an inline object. */
export function loadEnvValues(loaded: LoadedConfig): Record<string, string> {
  const env = loaded.config.env;
  if (env === undefined) return {};
  if (typeof env !== "string") return { ...env };
  const file = resolve(loaded.configDir, env);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "not found" : (err as Error).message;
    throw new ConfigError(`The env file named in ${loaded.configPath} ("env": ${JSON.stringify(env)}) could not be read: ${file} ${reason}`);
  }
  return parse(text);
}

/** Apply `env` to process.env; callable again after a reload. */
export function applyEnv(loaded: LoadedConfig): AppliedEnv {
  const values = loadEnvValues(loaded);
  const proc = process as ProcessWithOwned;
  const owned = (proc[OWNED] ??= new Map());
  const result: AppliedEnv = { applied: [], skipped: [], removed: [] };

  for (const [key, value] of owned) {
    // Someone else changed it since we set it: it is theirs now.
    if (process.env[key] !== value) owned.delete(key);
    else if (!(key in values)) {
      delete process.env[key];
      owned.delete(key);
      result.removed.push(key);
    }
  }
  for (const [key, value] of Object.entries(values)) {
    if (process.env[key] !== undefined && !owned.has(key)) {
      result.skipped.push(key);
      continue;
    }
    process.env[key] = value;
    result.applied.push(key);
    owned.set(key, value);
  }
  return result;
}
