import type { RunnableConfig } from "@langchain/core/runnables";
import type { CheckpointMetadata } from "@langchain/langgraph-checkpoint";

/** Configurable keys that address a checkpoint rather than describe the run. */
const CONFIG_KEYS_NOT_METADATA = new Set(["checkpoint_ns", "checkpoint_id", "run_id", "thread_id"]);

/**
 * What every backend's checkpointer stores as a checkpoint's metadata: as on LangGraph Platform, the run's
 * configurable (graph_id, assistant_id, user...) and config metadata (run_id...) under the graph's own metadata, so
 * history filters and the Studio find them there.
 */
export function checkpointMetadata(config: RunnableConfig, metadata: CheckpointMetadata): CheckpointMetadata {
  const fromConfig = Object.fromEntries(Object.entries(config.configurable ?? {}).filter(([k]) => !k.startsWith("__") && !CONFIG_KEYS_NOT_METADATA.has(k)));
  return { ...fromConfig, ...(config.metadata ?? {}), ...metadata } as CheckpointMetadata;
}
