/** Graph schemas read from TypeScript types (off the main thread, cached on disk). */
export { createStaticSchemaService, type StaticSchemaService, type StaticSchemaServiceOptions } from "./service.js";
export { SchemaCache, defaultCacheDir } from "./cache.js";
export type { StaticGraphSchemas, StaticGraphTarget, StaticSchemaSet, ExtractionResult } from "./types.js";
