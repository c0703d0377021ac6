/**
 * Keeps the static (TypeScript-type) schemas of the served graphs: told to `update` after each load or reload,
 * it reads them when first asked (and, from then on, right after each reload), from the disk cache when nothing
 * changed, and otherwise extracts in a child process — start-up, other requests and runs never wait for it.
 * `get` waits for the extraction under way (only schema requests call it) and answers undefined when there is no result (failure, timeout, switched off): the caller then
 * falls back to the schemas derived at run time. Each reason for falling back is logged once.
 */
import type { Logger } from "../../logger.js";
import type { SchemaCache } from "./cache.js";
import { runExtractionWorker } from "./run-worker.js";
import type { ExtractionResult, StaticGraphSchemas, StaticGraphTarget } from "./types.js";

/** Options for {@link createStaticSchemaService}. */
export interface StaticSchemaServiceOptions {
  logger: Logger;
  /** Where results are kept between starts (none: no cache). */
  cache?: SchemaCache;
  /** Longest an extraction may take (default: 30 s per graph as the official server allows one, at least 60 s). */
  timeoutMs?: number;
  /** How an extraction runs (default: in a child process). Tests inject their own. */
  extract?: (targets: StaticGraphTarget[], signal: AbortSignal) => Promise<ExtractionResult>;
}

/** The static schemas of the graphs being served. */
export interface StaticSchemaService {
  /** These graphs are served now (replacing any earlier request, whose extraction is stopped). Returns at once. */
  update(targets: StaticGraphTarget[]): void;
  /** The static schemas of a graph: waits for the extraction under way; undefined when there are none. */
  get(graphId: string): Promise<StaticGraphSchemas | undefined>;
  /** What happened so far: extractions run, answers taken from the cache. */
  readonly stats: { extractions: number; cacheHits: number };
  /** Stop any extraction under way. */
  close(): void;
}

interface Job {
  controller: AbortController;
  /** Started on the first `get` (or at once, see `update`); never rejects: a failure is an undefined result. */
  start(): Promise<ExtractionResult | undefined>;
  started: boolean;
}

const TIMEOUT_PER_GRAPH_MS = 30_000;
const MIN_TIMEOUT_MS = 60_000;

export function createStaticSchemaService(o: StaticSchemaServiceOptions): StaticSchemaService {
  const timeoutOf = (targets: StaticGraphTarget[]) => o.timeoutMs ?? Math.max(MIN_TIMEOUT_MS, TIMEOUT_PER_GRAPH_MS * targets.length);
  const extract = o.extract ?? ((targets, signal) => runExtractionWorker(targets, { timeoutMs: timeoutOf(targets), signal }));
  const stats = { extractions: 0, cacheHits: 0 };
  const logged = new Set<string>();
  let current: Job | undefined;
  let closed = false;

  const logOnce = (message: string) => {
    if (logged.has(message)) return;
    logged.add(message);
    o.logger.warn(message);
  };

  async function run(targets: StaticGraphTarget[], signal: AbortSignal): Promise<ExtractionResult | undefined> {
    const started = performance.now();
    const cached = await o.cache?.lookup(targets).catch(() => undefined);
    if (signal.aborted) return undefined;
    if (cached) {
      stats.cacheHits++;
      o.logger.debug(`schemas of ${targets.length} graph(s) from the cache in ${Math.round(performance.now() - started)} ms`);
      reportFailures(cached);
      return cached;
    }
    stats.extractions++;
    let result: ExtractionResult;
    try {
      result = await extract(targets, signal);
    } catch (err) {
      if (!signal.aborted) {
        logOnce(`could not read the graphs' TypeScript types for their schemas (${firstLine(err)}); /schemas answers what the graphs tell at run time`);
      }
      return undefined;
    }
    o.logger.debug(`schemas of ${targets.length} graph(s) read from their types in ${Math.round(performance.now() - started)} ms`);
    reportFailures(result);
    if (o.cache && !signal.aborted) await o.cache.store(targets, result).catch((err) => o.logger.debug(`schema cache not written: ${firstLine(err)}`));
    return result;
  }

  function reportFailures(result: ExtractionResult): void {
    for (const [graphId, why] of Object.entries(result.failures)) {
      logOnce(`graph "${graphId}": no schemas from its types (${why}); /schemas answers what the graph tells at run time`);
    }
  }

  return {
    stats,
    update(targets) {
      if (closed) return;
      const previous = current;
      previous?.controller.abort();
      const controller = new AbortController();
      let result: Promise<ExtractionResult | undefined> | undefined;
      const job: Job = {
        controller,
        started: false,
        start() {
          job.started = true;
          return (result ??= run(targets, controller.signal).catch(() => undefined));
        },
      };
      current = job;
      // Read on demand: until a client asks for schemas, no compiler runs (and no memory is spent on it). Once one
      // has asked (the Studio is open), each reload reads them again at once, so they are ready when it asks again.
      if (previous?.started) void job.start();
    },
    async get(graphId) {
      // A reload may replace the job while we wait: answer from the newest one.
      for (let job = current; job; ) {
        const result = await job.start();
        if (job === current) return result?.graphs[graphId];
        job = current;
      }
      return undefined;
    },
    close() {
      closed = true;
      current?.controller.abort();
    },
  };
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0]!;
}
