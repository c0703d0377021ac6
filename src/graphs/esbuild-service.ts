/**
 * esbuild's service process, as lg-dev's loader uses it: started on demand, stopped once idle.
 *
 * esbuild compiles in a service process of its own (~15 MB), one per instance of its JavaScript API. The loader
 * needs it only while modules load (start-up, a reload), so it is stopped once nothing has asked for a second; the
 * next call starts it again (~5 ms). Two things make that stop safe:
 * - Calls are counted, and the stop happens only when none is in flight: a stop answers nothing to the calls it cuts
 *   off, they wait forever.
 * - Each loader has an instance of esbuild's API of its own, not the process's shared one: anyone else in the
 *   process (the user's graph code, a test, a tool that imports `esbuild` itself, another loader) uses another
 *   service, which this stop never touches, and whose own `stop()` cannot cut off the loader's calls either.
 */
import { createRequire } from "node:module";
import type * as Esbuild from "esbuild";

/** The part of esbuild's API the service uses. */
export type EsbuildApi = Pick<typeof Esbuild, "transform" | "stop">;

/** Options for {@link EsbuildService}. */
export interface EsbuildServiceOptions {
  /** esbuild's API; by default a private instance (see the top of this file). */
  load?: () => EsbuildApi;
  /** Quiet time before the service process is stopped. */
  idleMs?: number;
}

/** esbuild's `transform` through a service process that is stopped when idle and never while a call is in flight. */
export class EsbuildService {
  private api: EsbuildApi | undefined;
  private inFlight = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly load: () => EsbuildApi;
  private readonly idleMs: number;

  constructor(options: EsbuildServiceOptions = {}) {
    this.load = options.load ?? loadPrivateEsbuild;
    this.idleMs = options.idleMs ?? 1000;
  }

  /** Calls in flight now. */
  get busy(): number {
    return this.inFlight;
  }

  /** esbuild's `transform`. */
  async transform(source: string, options: Esbuild.TransformOptions): Promise<Esbuild.TransformResult> {
    this.inFlight++;
    clearTimeout(this.idleTimer);
    try {
      this.api ??= this.load();
      return await this.api.transform(source, options);
    } finally {
      if (--this.inFlight === 0) this.stopWhenIdle();
    }
  }

  private stopWhenIdle(): void {
    this.idleTimer = setTimeout(() => {
      if (this.inFlight > 0 || !this.api) return;
      void Promise.resolve(this.api.stop()).catch(() => undefined);
    }, this.idleMs);
    this.idleTimer.unref();
  }
}

/**
 * A fresh instance of esbuild's JavaScript API: its module evaluated once more, beside the one `import "esbuild"`
 * shares, whose cache entry is put back untouched. Its service process is its own.
 */
export function loadPrivateEsbuild(): EsbuildApi {
  const require = createRequire(import.meta.url);
  const path = require.resolve("esbuild");
  const shared = require.cache[path];
  delete require.cache[path];
  try {
    return require(path) as EsbuildApi;
  } finally {
    if (shared) require.cache[path] = shared;
    else delete require.cache[path];
  }
}
