import type { AuthService } from "../auth/types.js";
import type { LoadedGraph } from "../graphs/types.js";
import type { Logger } from "../logger.js";
import { RunExecutor, type RunOutcome } from "../runs/executor.js";
import { ServiceBackedStore } from "../runs/graph-store.js";
import { RunStreams } from "../runs/streams.js";
import { StorageCheckpointer } from "../storage/checkpointer.js";
import type { Storage } from "../storage/storage.js";
import type { RunRecord } from "../storage/types.js";
import { AssistantsService } from "./assistants.js";
import { Authorizer, type Ref, type RequestContext } from "./context.js";
import { RunsService } from "./runs.js";
import { StoreService } from "./store.js";
import { ThreadsService, type GraphAccess } from "./threads.js";

/** The graphs as services see them: looked up by id at the moment of use (hot reload swaps them). */
export interface GraphLookup {
  has(graphId: string): boolean;
  get(graphId: string): LoadedGraph | undefined;
}

export interface ServicesOptions {
  storage: Storage;
  auth: Ref<AuthService>;
  graphs: GraphLookup;
  logger: Logger;
  concurrency: number;
  onRunFinished?: (run: RunRecord, outcome: RunOutcome) => void;
}

/** What `POST /internal/truncate` may empty. */
export interface TruncateOptions {
  runs?: boolean;
  threads?: boolean;
  assistants?: boolean;
  store?: boolean;
  checkpoint?: boolean;
}

/** Build every service over one storage. No module-level state: several servers may live in one process. */
export function buildServices(o: ServicesOptions) {
  const { storage } = o;
  const authz = new Authorizer(o.auth);
  const checkpointer = new StorageCheckpointer(storage);
  const store = new StoreService(storage, authz);
  const graphStore = new ServiceBackedStore(store);
  const streams = new RunStreams();
  const graphs: GraphAccess = {
    has: (id) => o.graphs.has(id),
    resolve: async (id, config) => {
      const g = o.graphs.get(id);
      if (!g) throw new Error(`Graph "${id}" is not loaded`);
      return g.resolve(config);
    },
  };
  let executor: RunExecutor | undefined;
  const threads = new ThreadsService(storage, authz, checkpointer, graphs, {
    cancelThreadRuns: (id) => executor!.cancelThreadRuns(id),
  });
  executor = new RunExecutor({
    storage,
    graphs,
    threads,
    checkpointer,
    streams,
    logger: o.logger,
    concurrency: o.concurrency,
    onRunFinished: o.onRunFinished,
  });
  const assistants = new AssistantsService(storage, authz, graphs);
  const runs = new RunsService(storage, authz, assistants, threads, executor, streams);

  return {
    storage,
    assistants,
    threads,
    runs,
    store,
    streams,
    executor,
    checkpointer,
    graphStore,
    graphs,

    /** Delete the threads whose runs used an assistant (DELETE /assistants/{id}?delete_threads=true). */
    async deleteThreadsOfAssistant(ctx: RequestContext, assistantId: string): Promise<void> {
      const ids = [...storage.threads.values()].filter((t) => t.metadata?.assistant_id === assistantId).map((t) => t.thread_id);
      for (const id of ids) {
        try {
          await threads.delete(ctx, id);
        } catch {
          // hidden from this user or already gone: not theirs to delete
        }
      }
    },

    /** Empty collections for test suites; system assistants stay. */
    async truncate(t: TruncateOptions): Promise<void> {
      if (t.runs || t.threads) {
        for (const r of [...storage.runs.values()]) if (r.status === "pending" || r.status === "running") await executor!.cancel(r.run_id);
        storage.runs.clear();
      }
      if (t.threads) storage.threads.clear();
      if (t.threads || t.checkpoint) {
        storage.checkpoints.clear();
        storage.writes.clear();
      }
      if (t.assistants) assistants.truncate();
      if (t.store) storage.store.clear();
    },

    /** Stop executing runs (shutdown). */
    stop: () => executor!.stop(),
  };
}

/** The services bundle `buildServices` returns. */
export type Services = ReturnType<typeof buildServices>;
