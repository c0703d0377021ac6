/**
 * `LANGGRAPH_CONFIG`: default config and context of the system assistants, as the official servers read it —
 * a JSON object keyed by graph id whose values are the assistant's config, with its `context` under `context`:
 *   {"agent": {"configurable": {"model": "x"}, "recursion_limit": 50, "context": {"user": "a"}}}
 * The shape `{"agent": {"config": {...}, "context": {...}}}` is accepted too.
 */
import { isPlainObject } from "../json-value.js";

/** Config and context for one graph's system assistant. */
export interface AssistantDefaults {
  config: Record<string, unknown>;
  context: Record<string, unknown>;
}

/** Parse the variable (pure). Entries that are not objects are skipped and reported in `warnings`. */
export function parseAssistantDefaults(raw: string | undefined): { defaults: Record<string, AssistantDefaults>; warnings: string[] } {
  if (raw === undefined || raw.trim() === "") return { defaults: {}, warnings: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    return { defaults: {}, warnings: [`LANGGRAPH_CONFIG is not valid JSON and is ignored: ${(err as Error).message}`] };
  }
  if (!isPlainObject(parsed)) return { defaults: {}, warnings: ["LANGGRAPH_CONFIG must be a JSON object keyed by graph id; ignored"] };
  const defaults: Record<string, AssistantDefaults> = {};
  const warnings: string[] = [];
  for (const [graphId, entry] of Object.entries(parsed)) {
    if (!isPlainObject(entry)) {
      warnings.push(`LANGGRAPH_CONFIG["${graphId}"] must be an object (the assistant's config); ignored`);
      continue;
    }
    const { context, config: nested, ...config } = entry;
    defaults[graphId] = {
      config: isPlainObject(nested) ? { ...config, ...nested } : entry.config === undefined ? config : { ...config, config: nested },
      context: isPlainObject(context) ? context : {},
    };
  }
  return { defaults, warnings };
}
