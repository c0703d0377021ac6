/**
 * A small Chrome DevTools Protocol client over the Node inspector's WebSocket (what VS Code and DevTools speak),
 * and a source map reader: enough for a test to set a breakpoint on a line of a TypeScript file the way a
 * debugger does (find the compiled line through the script's source map) and to see where execution stopped.
 */
import WebSocket from "ws";

/** An event the inspector sent. */
export interface CdpEvent {
  method: string;
  params: Record<string, any>;
}

/** One connection to the inspector. */
export class CdpClient {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve(v: any): void; reject(e: Error): void }>();
  private readonly listeners = new Set<(e: CdpEvent) => void>();
  readonly events: CdpEvent[] = [];

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: Record<string, unknown> };
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(msg.error.message));
        else p?.resolve(msg.result);
        return;
      }
      const event = { method: msg.method!, params: (msg.params ?? {}) as Record<string, any> };
      this.events.push(event);
      for (const l of this.listeners) l(event);
    });
  }

  static async connect(url: string): Promise<CdpClient> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return new CdpClient(ws);
  }

  send<T = any>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Call `listener` on every event from now on. */
  on(listener: (e: CdpEvent) => void): void {
    this.listeners.add(listener);
  }

  /** The next event (or one already received) matching `test`, within `timeoutMs`. */
  waitFor(test: (e: CdpEvent) => boolean, timeoutMs = 15_000, from = 0): Promise<CdpEvent> {
    const seen = this.events.slice(from).find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error("no matching inspector event in time"));
      }, timeoutMs);
      const listener = (e: CdpEvent) => {
        if (!test(e)) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(e);
      };
      this.listeners.add(listener);
    });
  }

  close(): void {
    this.ws.close();
  }
}

/** One mapping: a generated line/column and the original line/column (all 0-based). */
export interface Mapping {
  generatedLine: number;
  generatedColumn: number;
  originalLine: number;
  originalColumn: number;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Decode a source map's `mappings` (VLQ, version 3), keeping the segments that point into a source. */
export function decodeMappings(mappings: string): Mapping[] {
  const out: Mapping[] = [];
  let source = 0;
  let originalLine = 0;
  let originalColumn = 0;
  mappings.split(";").forEach((line, generatedLine) => {
    let generatedColumn = 0;
    for (const segment of line.split(",")) {
      if (segment === "") continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of segment) {
        const digit = B64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
        } else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      generatedColumn += fields[0]!;
      if (fields.length < 4) continue;
      source += fields[1]!;
      originalLine += fields[2]!;
      originalColumn += fields[3]!;
      out.push({ generatedLine, generatedColumn, originalLine, originalColumn });
    }
  });
  void source;
  return out;
}

/** The mappings of an inline (`data:` URL) source map. */
export function inlineSourceMap(sourceMapURL: string): { sources: string[]; mappings: Mapping[] } {
  const map = JSON.parse(Buffer.from(sourceMapURL.slice(sourceMapURL.indexOf(",") + 1), "base64").toString("utf8")) as { sources: string[]; mappings: string };
  return { sources: map.sources, mappings: decodeMappings(map.mappings) };
}
