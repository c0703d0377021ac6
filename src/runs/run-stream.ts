import type { CompiledGraphLike } from "../graphs/types.js";
import { type ChunkMapper, eventStreamModes, needsEventStream, wantsCheckpointEnvelopes } from "./modes.js";

/** What streaming one run needs besides the graph, its input and its options. */
export interface RunStreamOptions {
  runId: string;
  modes: string[];
  subgraphs: boolean;
  mapper: ChunkMapper;
  publish: (event: string, data: unknown) => void;
}

/**
 * Run a graph and publish its events: through `streamEvents` when the modes need LangChain's callback events
 * (`events`, and `messages`' chat model tokens), as the official server does for every run; through the cheaper
 * `stream` otherwise.
 */
export async function streamRun(graph: CompiledGraphLike, input: unknown, options: Record<string, unknown>, o: RunStreamOptions): Promise<void> {
  const publishAll = (out: Array<{ event: string; data: unknown }>) => {
    for (const e of out) o.publish(e.event, e.data);
  };
  if (needsEventStream(o.modes)) {
    const wantEvents = o.modes.includes("events");
    for await (const ev of graph.streamEvents(input, { ...options, streamMode: eventStreamModes(o.modes), version: "v2" })) {
      if (ev.tags?.includes("langsmith:hidden")) continue;
      if (ev.event === "on_chain_stream" && ev.run_id === o.runId) {
        publishAll(o.mapper.map(ev.data.chunk));
      } else {
        if (wantEvents) o.publish("events", ev);
        publishAll(o.mapper.mapEvent(ev));
      }
    }
    return;
  }
  // LangGraph passes on the checkpoint envelopes the official server forwards only when it believes it serves an
  // event stream, which it tells by a `version` option.
  const opts = wantsCheckpointEnvelopes(o.modes, o.subgraphs) ? { ...options, version: "v2" } : options;
  for await (const chunk of await graph.stream(input, opts)) publishAll(o.mapper.map(chunk));
}
