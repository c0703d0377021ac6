/**
 * lg-dev's package entry, for projects that want more than the `lg-dev` command: the type of a langgraph.json as
 * lg-dev reads it, and where the JSON Schema for editors is (also importable as `lg-dev/langgraph.schema.json`).
 */
import { fileURLToPath } from "node:url";

export type { GraphEntry, LanggraphConfig } from "./config/index.js";

/** Absolute path of the JSON Schema of langgraph.json the package ships (schema/langgraph.schema.json). */
export const langgraphJsonSchemaPath: string = fileURLToPath(new URL("../schema/langgraph.schema.json", import.meta.url));
