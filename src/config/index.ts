/** langgraph.json: find, read, validate, and apply its `env`. */
export { loadConfig, resolveConfig, displayPath, CONFIG_FILE_NAME, type LoadedConfig } from "./load.js";
export { applyEnv, loadEnvValues, type AppliedEnv } from "./env.js";
export type { LanggraphConfig, GraphEntry } from "./schema.js";
