import { toWire } from "../wire.js";
import { checkpointPayload, debugPayload, isCheckpointEnvelope, taskPayload } from "./payloads.js";

/** Stream modes a client may ask for. */
export const STREAM_MODES = ["values", "updates", "messages", "messages-tuple", "custom", "events", "debug", "tasks", "checkpoints", "tools"] as const;
export type StreamMode = (typeof STREAM_MODES)[number];

/**
 * The modes to ask LangGraph for, given what the client asked. "values" is always on: it gives a run's final output.
 * `messages` asks for LangGraph's messages mode too although its chunks are not sent, as the official server does:
 * that mode names the messages nodes return (`run-<id>-out-0`, `run-<id>-tool-<call>`), and the ids are visible.
 */
export function libStreamModes(requested: string[]): string[] {
  const modes = new Set<string>(["values"]);
  for (const m of requested) {
    if (m === "messages-tuple") modes.add("messages");
    else if (m !== "events") modes.add(m);
  }
  return [...modes];
}

/**
 * The modes to ask LangGraph for on the `streamEvents` path: exactly the official server's (which always adds `debug`
 * and adds `values` only for `messages`), because the order in which callback events and stream chunks interleave
 * depends on them. Without `values` the run's outcome is read from its thread's state instead.
 */
export function eventStreamModes(requested: string[]): string[] {
  const modes = new Set(requested.filter((m) => m !== "events" && m !== "messages-tuple"));
  if (requested.includes("messages-tuple")) modes.add("messages");
  if (requested.includes("messages")) modes.add("values");
  modes.add("debug");
  return [...modes];
}

/**
 * True when the run must go through `streamEvents`: the `events` mode is made of its events, and the `messages` mode's
 * partial messages are its chat model token events (as on the official server, which streams every run that way).
 */
export const needsEventStream = (requested: string[]): boolean => requested.includes("events") || requested.includes("messages");

/**
 * True when LangGraph must be told it serves an event stream so that it passes on the checkpoint envelopes it pairs
 * with `values` chunks: the official server (always on `streamEvents`) sends them as `checkpoints` events to clients
 * streaming subgraphs with `values` or `messages` who did not ask for `checkpoints`.
 */
export const wantsCheckpointEnvelopes = (requested: string[], subgraphs: boolean): boolean =>
  subgraphs && !requested.includes("checkpoints") && (requested.includes("values") || requested.includes("messages"));

/**
 * An event ready to publish. `data` is the graph's own payload (LangChain messages included): it is serialised
 * once, by whoever writes it out (the SSE writer), and not at all when nobody listens (runs/wait).
 */
export interface OutEvent {
  event: string;
  data: unknown;
}

type Msg = { id?: string; concat?: (o: unknown) => unknown; lc_serializable?: boolean } & Record<string, unknown>;
type Obj = Record<string, unknown>;

/** A `streamEvents` event (the fields this mapper reads). */
export interface LibEvent {
  event: string;
  tags?: string[];
  metadata?: unknown;
  data: { chunk?: unknown };
}

/**
 * Turns LangGraph stream chunks into the API's SSE events for one run, as the official server sends them, keeping
 * the little state the `messages` mode needs (partial messages per id, ids already completed) and the latest values.
 */
export class ChunkMapper {
  private raw: unknown = undefined;
  private wire: unknown = undefined;
  private wireReady = true;
  private readonly partial = new Map<string, Msg>();
  private readonly completed = new Set<string>();
  private readonly requested: Set<string>;

  constructor(
    requested: string[],
    private readonly subgraphs: boolean,
    /** Called with each new state of the root graph (thread streams' `state_update`). */
    private readonly onValues?: (values: unknown) => void,
  ) {
    this.requested = new Set(requested);
  }

  /** The latest full state values seen (the run's output for wait/join), in wire form; serialised once, on demand. */
  get lastValues(): unknown {
    if (!this.wireReady) {
      this.wire = toWire(this.raw);
      this.wireReady = true;
    }
    return this.wire;
  }

  /** Map one chunk of the root graph's stream: `[ns, mode, payload]` (subgraphs) or `[mode, payload]`. */
  map(chunk: unknown[]): OutEvent[] {
    const [ns, mode, payload] = (chunk.length === 3 ? chunk : [[], ...chunk]) as [string[] | null, string, unknown];
    const isRoot = !ns || ns.length === 0;
    const name = (m: string) => (this.subgraphs && !isRoot ? `${m}|${ns!.join("|")}` : m);
    const out: OutEvent[] = [];
    if (mode === "checkpoints" && isCheckpointEnvelope(payload)) {
      if (wantsCheckpointEnvelopes([...this.requested], this.subgraphs)) out.push({ event: name("checkpoints"), data: payload });
      return out;
    }
    if (mode === "messages") {
      if (this.requested.has("messages-tuple")) out.push({ event: name("messages"), data: payload });
      return out;
    }
    if (this.requested.has(mode) && (isRoot || this.subgraphs)) out.push({ event: name(mode), data: this.shape(mode, payload as Obj) });
    if (isRoot) {
      if (this.requested.has("messages")) out.push(...this.completeMessages(payload));
      if (mode === "values") this.trackValues(payload);
    }
    return out;
  }

  /** Map a `streamEvents` event other than the root graph's chunks: chat model tokens become partial messages. */
  mapEvent(ev: LibEvent): OutEvent[] {
    if (ev.event !== "on_chat_model_stream" || !this.requested.has("messages") || ev.tags?.includes("nostream")) return [];
    const message = ev.data.chunk as Msg | undefined;
    const id = message?.id;
    if (!id) return [];
    const out: OutEvent[] = [];
    const prev = this.partial.get(id);
    if (!prev) {
      this.partial.set(id, message);
      out.push({ event: "messages/metadata", data: { [id]: { metadata: ev.metadata } } });
    } else {
      this.partial.set(id, typeof prev.concat === "function" ? (prev.concat(message) as Msg) : message);
    }
    out.push({ event: "messages/partial", data: [this.partial.get(id)] });
    return out;
  }

  private shape(mode: string, payload: Obj): unknown {
    if (mode === "debug") return debugPayload(payload);
    if (mode === "tasks") return taskPayload(payload);
    if (mode === "checkpoints") {
      const p = checkpointPayload(payload);
      return { values: p.values, metadata: p.metadata, next: p.next };
    }
    return payload;
  }

  /** Remember the state (serialised only if someone asks for `lastValues`). */
  private trackValues(payload: unknown): void {
    if (payload && typeof payload === "object" && !Array.isArray(payload)) {
      const keys = Object.keys(payload);
      // An interrupt arrives as `{__interrupt__: [...]}` alone: keep the values and add it.
      if (keys.length === 1 && keys[0] === "__interrupt__") {
        const prev = this.lastValues && typeof this.lastValues === "object" ? (this.lastValues as object) : {};
        this.wire = { ...prev, ...(toWire(payload) as object) };
        this.wireReady = true;
        return;
      }
    }
    this.raw = payload;
    this.wireReady = false;
    this.onValues?.(payload);
  }

  /**
   * `messages/complete` after a root chunk whose payload holds `messages` (a `values` chunk): the messages that have
   * an id and were not completed before.
   */
  private completeMessages(payload: unknown): OutEvent[] {
    if (typeof payload !== "object" || payload === null || !("messages" in payload) || isMessage(payload)) return [];
    const raw = (payload as { messages: unknown }).messages;
    const msgs = Array.isArray(raw) ? raw : [raw];
    const fresh: Msg[] = [];
    for (const m of msgs as Msg[]) {
      if (!m?.id || this.completed.has(m.id)) continue;
      this.completed.add(m.id);
      fresh.push(m);
    }
    return fresh.length > 0 ? [{ event: "messages/complete", data: fresh }] : [];
  }
}

/** A LangChain message instance (its own `messages` field must not be taken for a state's). */
const isMessage = (v: object): boolean => typeof (v as { _getType?: unknown })._getType === "function";
