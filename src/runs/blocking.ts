/**
 * Noticing graph code that blocks the event loop (a synchronous loop, readFileSync on a big file, execSync): while it
 * runs, every request and stream of the server waits. lg-dev warns once per node per reload; `--allow-blocking`
 * turns this off (as in Python's `langgraph dev`).
 *
 * How blocks are attributed, and the limits of it:
 * - Each node function of a graph about to run is wrapped (once per function object) so that the synchronous part
 *   of every call - from the call until it returns its promise, i.e. up to its first `await` - is timed. That
 *   covers fully synchronous nodes and blocking code before the first await exactly, whatever else runs
 *   concurrently: nothing else can run on the thread meanwhile.
 * - Blocking code after an `await` runs in a promise continuation that cannot be timed without async_hooks on every
 *   promise of the process (too costly). A timer notices those blocks as event-loop lag instead, and blames the
 *   nodes that were in progress during the lag. With one node in progress that is exact; with several (concurrent
 *   runs, parallel branches) the warning names them all as suspects. A block in lg-dev's own work or in
 *   non-graph code while a node awaits I/O would be blamed on that node too: the warning says "while … ran".
 *   Garbage-collection pauses are not blocks of anyone's code: their time (from `gc` performance entries, which
 *   arrive a moment after the pause, so a lag is judged one tick later) is subtracted first; so is, on Linux, the
 *   time the main thread waited for a CPU (`/proc/self/schedstat`): on a busy machine a process that is not
 *   scheduled lags without any code blocking.
 * - Nodes whose function is a generator, and code a node calls that is not a node (a subgraph invoked from inside
 *   a node function), are attributed to the enclosing node through the lag path.
 */
import { readFileSync } from "node:fs";
import { PerformanceObserver, type PerformanceEntry } from "node:perf_hooks";
import type { Logger } from "../logger.js";

/** Options of the monitor. */
export interface BlockingMonitorOptions {
  logger: Logger;
  /** Blocks at least this long are reported (default 200 ms). */
  thresholdMs?: number;
  /**
   * What a warning is "once per" for a graph id: an object that changes when the graph is reloaded (the registry's
   * LoadedGraph). Undefined: once per process.
   */
  scopeOf?: (graphId: string) => object | undefined;
}

type NodeFn = (this: unknown, ...args: unknown[]) => unknown;
interface NodeLike {
  bound?: { func?: unknown; nodes?: unknown };
}

const GLOBAL_SCOPE = {};
const TICK_MS = 50;
const isGeneratorFn = (f: unknown) => {
  const ctor = (f as { constructor?: { name?: string } })?.constructor?.name;
  return ctor === "GeneratorFunction" || ctor === "AsyncGeneratorFunction";
};

/** Milliseconds the main thread has spent runnable but waiting for a CPU (Linux), or 0 where that is not known. */
function runQueueWaitMs(): number {
  try {
    return Number(readFileSync("/proc/self/schedstat", "latin1").split(" ")[1]) / 1e6 || 0;
  } catch {
    return 0;
  }
}

/** Watches node functions and the event loop; one per server. */
export class BlockingMonitor {
  private readonly threshold: number;
  private readonly wrapped = new WeakSet<object>();
  private readonly warned = new WeakMap<object, Set<string>>();
  /** Nodes in progress (graph id + node name -> calls in progress) and when each last returned. */
  private readonly inProgress = new Map<string, number>();
  private readonly lastExit = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private lastTick = 0;
  /** A lag seen at the last tick, judged at the next one (once its GC entries have arrived). */
  private pendingLag: { from: number; to: number; lag: number; suspects: string[] } | undefined;
  /** runQueueWaitMs() at the last tick. */
  private lastWait = 0;
  /** Recent GC pauses as [start, end] (performance.now() time), while the timer runs. */
  private gcPauses: Array<[number, number]> = [];
  private gcObserver: PerformanceObserver | undefined;
  /** The end of the last block the wrappers measured themselves: the lag it caused is already explained. */
  private explainedAt = -Infinity;

  constructor(private readonly o: BlockingMonitorOptions) {
    this.threshold = o.thresholdMs ?? 200;
  }

  /** Wrap the node functions of a graph about to run (and of its subgraph nodes). Idempotent. */
  instrument(graph: unknown, graphId: string, prefix = ""): void {
    const nodes = (graph as { nodes?: Record<string, NodeLike> } | undefined)?.nodes;
    if (!nodes || typeof nodes !== "object") return;
    for (const [name, node] of Object.entries(nodes)) {
      if (name.startsWith("__")) continue;
      const bound = node?.bound;
      if (!bound || typeof bound !== "object") continue;
      if (bound.nodes && typeof bound.nodes === "object") this.instrument(bound, graphId, `${prefix}${name}/`);
      else if (typeof bound.func === "function" && !isGeneratorFn(bound.func) && !this.wrapped.has(bound)) {
        this.wrapped.add(bound);
        bound.func = this.wrap(bound.func as NodeFn, graphId, `${prefix}${name}`);
      }
    }
  }

  /** Stop the lag timer (shutdown). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.gcObserver?.disconnect();
    this.gcObserver = undefined;
  }

  private wrap(fn: NodeFn, graphId: string, node: string): NodeFn {
    const monitor = this;
    const wrapper = function (this: unknown, ...args: unknown[]): unknown {
      // The graph id the run was started with (a graph object may be served under another id than it was first seen with).
      const cfg = args[1] as { configurable?: { graph_id?: unknown } } | undefined;
      const id = typeof cfg?.configurable?.graph_id === "string" ? cfg.configurable.graph_id : graphId;
      const key = `${id}\u0000${node}`;
      monitor.enter(key);
      const t0 = performance.now();
      let out: unknown;
      try {
        out = fn.apply(this, args);
      } catch (err) {
        monitor.synchronous(id, node, t0);
        monitor.exit(key);
        throw err;
      }
      monitor.synchronous(id, node, t0);
      if (out !== null && typeof out === "object" && typeof (out as Promise<unknown>).then === "function") {
        return (out as Promise<unknown>).finally(() => monitor.exit(key));
      }
      monitor.exit(key);
      return out;
    };
    Object.defineProperty(wrapper, "name", { value: fn.name });
    return wrapper;
  }

  private enter(key: string): void {
    this.inProgress.set(key, (this.inProgress.get(key) ?? 0) + 1);
    if (!this.timer) {
      this.lastTick = performance.now();
      this.lastWait = runQueueWaitMs();
      if (!this.gcObserver) {
        this.gcObserver = new PerformanceObserver((list) => {
          for (const e of list.getEntries() as PerformanceEntry[]) this.gcPauses.push([e.startTime, e.startTime + e.duration]);
        });
        this.gcObserver.observe({ entryTypes: ["gc"] });
      }
      this.schedule();
    }
  }

  private exit(key: string): void {
    const n = (this.inProgress.get(key) ?? 1) - 1;
    if (n > 0) this.inProgress.set(key, n);
    else this.inProgress.delete(key);
    this.lastExit.set(key, performance.now());
  }

  private synchronous(graphId: string, node: string, t0: number): void {
    const now = performance.now();
    const wall = now - t0;
    if (wall < this.threshold) return;
    this.explainedAt = now;
    // Less the time the thread waited for a CPU since the last tick (at most a tick before the call began; read only
    // now, so calls cost no system call): a node preempted on a busy machine is not blocking for that long.
    const ms = wall - Math.max(0, runQueueWaitMs() - this.lastWait);
    if (ms >= this.threshold) this.report([[graphId, node]], ms, true);
  }

  private schedule(): void {
    this.timer = setTimeout(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  private tick(): void {
    const now = performance.now();
    const wait = runQueueWaitMs();
    // Time not scheduled is no one's blocking code.
    const lag = now - this.lastTick - TICK_MS - (wait - this.lastWait);
    const since = this.lastTick;
    this.lastTick = now;
    this.lastWait = wait;
    this.judgePendingLag();
    if (lag >= this.threshold && this.explainedAt < since) {
      const suspects = new Set(this.inProgress.keys());
      for (const [key, at] of this.lastExit) if (at > since) suspects.add(key);
      if (suspects.size > 0) this.pendingLag = { from: since, to: now, lag, suspects: [...suspects] };
    }
    for (const [key, at] of this.lastExit) if (at <= since) this.lastExit.delete(key);
    // Idle: no node in progress, none returned in this window, no lag to judge. The next enter() starts again.
    if (this.inProgress.size === 0 && this.lastExit.size === 0 && !this.pendingLag) {
      this.timer = undefined;
      this.gcObserver?.disconnect();
      this.gcObserver = undefined;
      this.gcPauses = [];
    } else this.schedule();
  }

  /** Report the last tick's lag, less the GC pauses inside its window, if it is still over the threshold. */
  private judgePendingLag(): void {
    const p = this.pendingLag;
    this.pendingLag = undefined;
    if (p) {
      let gc = 0;
      for (const [start, end] of this.gcPauses) gc += Math.max(0, Math.min(end, p.to) - Math.max(start, p.from));
      if (p.lag - gc >= this.threshold) this.report(p.suspects.map((k) => k.split("\u0000") as [string, string]), p.lag - gc, false);
    }
    const keepFrom = this.lastTick - 10 * TICK_MS;
    this.gcPauses = this.gcPauses.filter(([, end]) => end >= keepFrom);
  }

  private report(nodes: Array<[string, string]>, ms: number, exact: boolean): void {
    const fresh = nodes.filter(([graphId, node]) => !this.warnedSet(graphId).has(node));
    if (fresh.length === 0) return;
    for (const [graphId, node] of nodes) this.warnedSet(graphId).add(node);
    const names = nodes.map(([g, n]) => `graph "${g}" node "${n}"`).join(", ");
    const what = exact
      ? `${names} blocked the event loop for ${Math.round(ms)} ms`
      : `the event loop was blocked for about ${Math.round(ms)} ms while ${names} ${nodes.length === 1 ? "was" : "were"} running ` +
        `(most likely ${nodes.length === 1 ? "its" : "their"} code after an await; other work at that moment cannot be ruled out)`;
    this.o.logger.warn(
      `${what}: every request and stream of the server waited meanwhile. Use async APIs (fs/promises, ` +
        `child_process.exec, fetch) or a worker thread for heavy work. Said once per node until the next reload; ` +
        `--allow-blocking silences it.`,
    );
  }

  private warnedSet(graphId: string): Set<string> {
    const scope = this.o.scopeOf?.(graphId) ?? GLOBAL_SCOPE;
    let set = this.warned.get(scope);
    if (!set) this.warned.set(scope, (set = new Set()));
    return set;
  }
}
