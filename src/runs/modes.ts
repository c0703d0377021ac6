import { toWire } from "../services/util.js";

/** Stream modes a client may ask for. */
export const STREAM_MODES = ["values", "updates", "messages", "messages-tuple", "custom", "events", "debug", "tasks", "checkpoints"] as const;
export type StreamMode = (typeof STREAM_MODES)[number];

/** The modes to ask LangGraph for, given what the client asked. "values" is always on: it gives a run's final output. */
export function libStreamModes(requested: string[]): string[] {
  const modes = new Set<string>(["values"]);
  for (const m of requested) {
    if (m === "messages-tuple" || m === "messages") modes.add("messages");
    else if (m !== "events") modes.add(m);
  }
  return [...modes];
}

/**
 * An event ready to publish. `data` is the graph's own payload (LangChain messages included): it is serialised
 * once, by whoever writes it out (the SSE writer), and not at all when nobody listens (runs/wait).
 */
export interface OutEvent {
  event: string;
  data: unknown;
}

type Msg = { id?: string; concat?: (o: unknown) => unknown } & Record<string, unknown>;

/**
 * Turns LangGraph stream chunks into the API's SSE events for one run, keeping the little state that
 * the `messages` mode needs (partial messages accumulated per id) and the run's latest values.
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

  /** Map one chunk: `[ns, mode, payload]` (subgraphs) or `[mode, payload]`. */
  map(chunk: unknown[]): OutEvent[] {
    const [ns, mode, payload] = (chunk.length === 3 ? chunk : [[], ...chunk]) as [string[], string, unknown];
    const isRoot = !ns || ns.length === 0;
    const suffix = isRoot ? "" : `|${ns.join("|")}`;
    const out: OutEvent[] = [];
    if (mode === "messages") {
      if (this.requested.has("messages-tuple")) out.push({ event: `messages${suffix}`, data: payload });
      if (this.requested.has("messages")) out.push(...this.partialMessages(payload));
      return out;
    }
    if (mode === "values" && this.requested.has("messages") && isRoot) out.push(...this.completeMessages(payload));
    if (this.requested.has(mode) && (isRoot || this.subgraphs)) out.push({ event: `${mode}${suffix}`, data: payload });
    if (mode === "values" && isRoot) this.trackValues(payload);
    return out;
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
  }

  private partialMessages(payload: unknown): OutEvent[] {
    const [message, metadata] = payload as [Msg, unknown];
    const id = message?.id as string | undefined;
    if (!id) return [];
    const out: OutEvent[] = [];
    const prev = this.partial.get(id);
    if (!prev) {
      out.push({ event: "messages/metadata", data: { [id]: { metadata } } });
      this.partial.set(id, message);
    } else if (typeof prev.concat === "function") {
      this.partial.set(id, prev.concat(message) as Msg);
    } else {
      this.partial.set(id, message);
    }
    out.push({ event: "messages/partial", data: [this.partial.get(id)] });
    return out;
  }

  private completeMessages(values: unknown): OutEvent[] {
    const msgs = (values as { messages?: unknown })?.messages;
    if (!Array.isArray(msgs)) return [];
    const fresh = msgs.filter((m: Msg) => m && typeof m.id === "string" && !this.completed.has(m.id));
    for (const m of fresh) this.completed.add(m.id as string);
    return fresh.length > 0 ? [{ event: "messages/complete", data: fresh }] : [];
  }
}
