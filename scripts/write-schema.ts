/** `npm run schema`: write schema/langgraph.schema.json from src/config/schema.ts (test/config/json-schema.test.ts checks it is current). */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { editorSchema, JSON_SCHEMA_FILE } from "../src/config/json-schema.js";

const file = join(import.meta.dirname, "..", JSON_SCHEMA_FILE);
writeFileSync(file, `${JSON.stringify(editorSchema(), null, 2)}\n`);
console.log(`wrote ${JSON_SCHEMA_FILE}`);
