import type { AuthService } from "../auth/types.js";
import type { LoadedGraph } from "../graphs/types.js";
import type { Logger } from "../logger.js";
import { BlockingMonitor } from "../runs/blocking.js";
import { CronScheduler } from "../runs/cron-scheduler.js";
import { RunExecutor, type RunOutcome } from "../runs/executor.js";
import { ServiceBackedStore } from "./graph-store.js";
import { RunStreams } from "../runs/streams.js";
import { WebhookSender, type WebhookOptions } from "../runs/webhooks.js";
import type { DurabilityPort, StorageBackend } from "../storage/backend.js";
import type { RunRecord } from "../storage/types.js";
import { AssistantsService } from "./assistants.js";
import { Authorizer, type Ref, type RequestContext } from "./context.js";
import { CronsService } from "./crons.js";
import { RunsService } from "./runs.js";
import { StoreService } from "./store.js";
import { ThreadsService, type GraphAccess } from "./threads.js";
import type { SemanticIndex } from "../semantic-index.js";
import { resolveCheckpointerTtl, type CheckpointerTtlPolicy, type StoreTtlPolicy } from "./ttl.js";
import { TtlSweeper } from "./ttl-sweeper.js";
import { truncateAll, truncateAs, type TruncateOptions } from "./truncate.js";

export type { TruncateOptions };

/** The graphs as services see them: looked up by id at the moment of use (hot reload swaps them). */
export interface GraphLookup {
  has(graphId: string): boolean;
  get(graphId: string): LoadedGraph | undefined;
}

export interface ServicesOptions {
  /** The storage backend, chosen by the composition root (dev/). */
  backend: StorageBackend;
  auth: Ref<AuthService>;
  graphs: GraphLookup;
  logger: Logger;
  concurrency: number;
  onRunFinished?: (run: RunRecord, outcome: RunOutcome) => void;
  /** Webhook delivery settings (retries, backoff; `enabled: false` for `http.disable_webhooks`). */
  webhooks?: Omit<WebhookOptions, "logger">;
  /** `--allow-blocking`: do not watch graph code for event-loop blocks. */
  allowBlocking?: boolean;
  /** Blocks at least this long are reported (default 200 ms). */
  blockingThresholdMs?: number;
  /** langgraph.json's `checkpointer.ttl` and `store.ttl`, checked (services/ttl.ts). */
  ttl?: { checkpointer?: CheckpointerTtlPolicy; store?: StoreTtlPolicy };
  /** langgraph.json's `store.index` (also settable later: `store.setIndex`). */
  storeIndex?: SemanticIndex;
  /** Milliseconds since the epoch, for TTLs (tests pass a fake clock). */
  clock?: () => number;
}

/** Build every service over one storage. No module-level state: several servers may live in one process. */
export function buildServices(o: ServicesOptions) {
  const { backend } = o;
  const authz = new Authorizer(o.auth);
  const checkpointer = backend.checkpoints.saver;
  const store = new StoreService(backend, authz, { ttl: o.ttl?.store, index: o.storeIndex, clock: o.clock });
  const graphStore = new ServiceBackedStore(store);
  // Several processes on one storage: events of runs executing elsewhere come through the backend's shared log.
  const streams = new RunStreams(
    undefined,
    backend.runEvents.shared
      ? { log: backend.runEvents, changes: backend.changes, statusOf: async (id) => (await backend.runs.get(id))?.status, logger: o.logger }
      : undefined,
  );
  const webhooks = new WebhookSender({ logger: o.logger, ...o.webhooks });
  const graphs: GraphAccess = {
    has: (id) => o.graphs.has(id),
    resolve: async (id, config) => {
      const g = o.graphs.get(id);
      if (!g) throw new Error(`Graph "${id}" is not loaded`);
      return g.resolve(config);
    },
  };
  // Warned about once per node per reload: a reload gives the graph id a new LoadedGraph.
  const blocking = o.allowBlocking ? undefined : new BlockingMonitor({ logger: o.logger, thresholdMs: o.blockingThresholdMs, scopeOf: (id) => o.graphs.get(id) });
  let executor: RunExecutor | undefined;
  const threads = new ThreadsService(
    backend,
    authz,
    graphs,
    { cancelThreadRuns: (id) => executor!.cancelThreadRuns(id) },
    o.ttl?.checkpointer ?? resolveCheckpointerTtl(undefined),
  );
  executor = new RunExecutor({
    backend,
    graphs,
    threads,
    streams,
    logger: o.logger,
    concurrency: o.concurrency,
    blocking,
    onRunFinished: (run, outcome) => {
      // A webhook announces the run's end to the outside world: make that end durable first. Without one, the
      // records join the next group write (the reply to a waiting client flushes before it is sent).
      if (run.kwargs.webhook || o.onRunFinished) backend.durability.flushPending();
      webhooks.onRunFinished(run, outcome);
      o.onRunFinished?.(run, outcome);
    },
  });
  const assistants = new AssistantsService(backend, authz, graphs);
  const runs = new RunsService(backend, authz, assistants, threads, executor, streams);
  const crons = new CronsService(backend, authz, assistants, threads, runs);
  const cronScheduler = new CronScheduler({ backend, logger: o.logger, fire: (cron) => crons.fire(cron) });
  crons.bindTimer(cronScheduler);
  const ttlSweeper = new TtlSweeper({ backend, threads, store, logger: o.logger, clock: o.clock });

  const durability: DurabilityPort = backend.durability;

  return {
    /** When acknowledged writes are safe: the only part of the storage the HTTP layer sees. */
    durability,
    assistants,
    threads,
    runs,
    crons,
    cronScheduler,
    ttlSweeper,
    webhooks,
    store,
    streams,
    executor,
    checkpointer,
    graphStore,
    graphs,

    /** Delete the threads whose runs used an assistant (DELETE /assistants/{id}?delete_threads=true). */
    async deleteThreadsOfAssistant(ctx: RequestContext, assistantId: string): Promise<void> {
      const { items } = await backend.threads.search({ metadata: { assistant_id: assistantId }, limit: Number.MAX_SAFE_INTEGER, withTotal: false });
      const ids = items.map((t) => t.thread_id);
      for (const id of ids) {
        try {
          await threads.delete(ctx, id);
        } catch {
          // hidden from this user or already gone: not theirs to delete
        }
      }
    },

    /**
     * Empty collections for test suites; system assistants stay. Under custom auth, only what `ctx`'s user may
     * delete (services/truncate.ts).
     */
    async truncate(t: TruncateOptions, ctx: RequestContext = {}): Promise<void> {
      const deps = { backend, executor: executor!, streams, threads, assistants, store, crons };
      if (o.auth.current.enabled) await truncateAs(deps, ctx, t);
      else await truncateAll(deps, t);
    },

    /**
     * Stop firing crons, executing runs and sending webhooks (shutdown). Running runs get `graceMs` to finish
     * (RunExecutor.stop); pending ones stay pending.
     */
    async stop(graceMs = 0): Promise<{ finished: number; ended: number; requeued: number }> {
      cronScheduler.stop();
      ttlSweeper.stop();
      const runs = await executor!.stop(graceMs);
      blocking?.stop();
      await webhooks.stop();
      return runs;
    },
  };
}

/** The services bundle `buildServices` returns. */
export type Services = ReturnType<typeof buildServices>;
