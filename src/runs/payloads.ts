import { configToCheckpoint, taskConfigToCheckpoint } from "./checkpoint-ref.js";

/**
 * The shapes the official server gives LangGraph's `debug`, `tasks` and `checkpoints` payloads before sending them:
 * checkpoints as `{thread_id, checkpoint_id, checkpoint_ns, checkpoint_map}` references, snake_case `parent_config`,
 * configs without internal (`__`-prefixed) keys or callbacks, and tasks whose state is a config carrying `checkpoint`.
 */

type Obj = Record<string, unknown>;
type Config = { configurable?: Obj } & Obj;

const isConfig = (v: unknown): v is Config =>
  typeof v === "object" && v !== null && typeof (v as Config).configurable === "object" && (v as Config).configurable !== null;

/** A config as clients may see it: no `__`-prefixed configurable keys (checkpointer, stores, callbacks) and no callbacks. */
function publicConfig(config: unknown): unknown {
  if (!isConfig(config)) return config;
  const out: Config = { ...config, configurable: Object.fromEntries(Object.entries(config.configurable!).filter(([k]) => !k.startsWith("__"))) };
  delete out.callbacks;
  return out;
}

/** A task whose `state` is a config (a subgraph task not yet run) names its checkpoint instead. */
export function taskPayload(task: Obj): Obj {
  const checkpoint = isConfig(task.state) ? taskConfigToCheckpoint(task.state) : null;
  if (!checkpoint) return task;
  const { state: _state, ...rest } = task;
  return { ...rest, checkpoint };
}

/** A `debug` checkpoint payload (also the `checkpoints` mode's source) in the official server's shape. */
export function checkpointPayload(payload: Obj): Obj {
  const { parentConfig, ...rest } = payload;
  return {
    ...rest,
    checkpoint: configToCheckpoint(payload.config as Config),
    parent_checkpoint: configToCheckpoint(parentConfig as Config),
    tasks: Array.isArray(payload.tasks) ? payload.tasks.map((t) => taskPayload(t as Obj)) : payload.tasks,
    config: publicConfig(payload.config),
    parent_config: publicConfig(parentConfig),
  };
}

/** A `debug` event: checkpoints and task results reshaped, other types as they are. */
export function debugPayload(chunk: Obj): Obj {
  if (chunk.type === "checkpoint") return { ...chunk, payload: checkpointPayload(chunk.payload as Obj) };
  if (chunk.type === "task_result") return { ...chunk, payload: taskPayload(chunk.payload as Obj) };
  return chunk;
}

/** LangGraph's lightweight checkpoint envelope (`{id, parent_id?, step, source}`), not a full checkpoint payload. */
export function isCheckpointEnvelope(payload: unknown): boolean {
  if (payload === null || typeof payload !== "object") return false;
  const p = payload as Obj;
  return typeof p.id === "string" && ("source" in p || typeof p.step === "number") && !("values" in p) && !("config" in p);
}
