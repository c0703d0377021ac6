/**
 * Watching a project for hot reload: which files matter, and turning bursts of file events (an editor's atomic
 * save, a git checkout) into one call at a time. Knows nothing about graphs: it hands batches of paths on.
 */
import { extname, isAbsolute, relative, resolve, sep } from "node:path";
import { stat } from "node:fs/promises";
import type { Stats } from "node:fs";
import { watch, type FSWatcher } from "chokidar";

/** Extensions of files a reload may need to see (code, JSON that code imports, stylesheets of generative UI). */
export const SOURCE_EXTENSIONS: ReadonlySet<string> = new Set([".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs", ".jsx", ".json", ".css"]);

/** Folders never worth watching: dependencies, VCS, lg-dev's own data, build output. Hidden folders too. */
export const IGNORED_DIRS: ReadonlySet<string> = new Set(["node_modules", ".git", ".langgraph_api", "dist", "build"]);

/** What to watch: folders (recursively) and single files (langgraph.json, the env file) wherever they live. */
export interface WatchTargets {
  /** Absolute folders. Nested ones are folded into their parent. */
  dirs: string[];
  /** Absolute files that matter whatever their name or extension. */
  files: string[];
}

/** Options for {@link watchProject}. */
export interface WatchOptions {
  targets: WatchTargets;
  /** Called with the absolute paths changed since the last call; never called again before it settles. */
  onChange(paths: string[]): Promise<void>;
  /** Quiet time after the last event before `onChange` runs. */
  debounceMs?: number;
  /** A watcher error (e.g. too many open files): reported, the watcher goes on. */
  onError?(err: Error): void;
  /**
   * When the code being served was read (epoch ms). The initial scan takes a moment and sees no edit made before
   * it is done, so once it is, every watched file modified since then counts as changed (one batch).
   */
  changedSince?: number;
}

/**
 * How far a file's mtime may lag the clock: file systems stamp with a coarse clock (a kernel tick on Linux, about
 * 16 ms on Windows), so a file saved just after `Date.now()` can carry an earlier time. Erring late costs at most a
 * needless reload of a file saved just before start-up.
 */
export const MTIME_SLACK_MS = 25;

/** A running watcher. */
export interface ProjectWatcher {
  /** Resolves once the initial scan is done and edits are seen (start-up does not wait for it). */
  ready: Promise<void>;
  /**
   * Watch other folders/files from now on (langgraph.json `dependencies` or `env` changed); resolves when seen.
   * Files modified since `changedSince` (epoch ms) count as changed once the new watcher is ready.
   */
  setTargets(targets: WatchTargets, changedSince?: number): Promise<void>;
  /** Stop watching; waits for a batch being handled. */
  close(): Promise<void>;
}

/** Folders with nested ones removed, so no file is watched twice. Pure. */
export function resolveWatchRoots(dirs: string[]): string[] {
  const unique = [...new Set(dirs.map((d) => resolve(d)))].sort((a, b) => a.length - b.length);
  const roots: string[] = [];
  for (const dir of unique) if (!roots.some((root) => isInside(dir, root))) roots.push(dir);
  return roots;
}

/**
 * Whether chokidar should skip `path` below the watched `roots`. Pure. Only the part below a root is judged
 * (a project may itself live under `~/.config` or `/srv/build`). Without stats (chokidar asks twice) a name
 * can only be judged as a folder name.
 */
export function isIgnoredPath(path: string, targets: { roots: string[]; files: ReadonlySet<string> }, stats?: Stats): boolean {
  if (targets.files.has(path)) return false;
  const root = targets.roots.find((r) => isInside(path, r));
  // Above or beside the roots: the folder of a single watched file, say. The change handler filters files.
  if (root === undefined) return false;
  if (root === path) return false;
  const parts = relative(root, path).split(sep);
  const name = parts.pop()!;
  if (parts.some(isIgnoredDirName)) return true;
  if (stats?.isFile()) return !SOURCE_EXTENSIONS.has(extname(name));
  return isIgnoredDirName(name);
}

/** Whether a changed file can affect what is served (the watcher may still report others). Pure. */
export function isRelevantFile(path: string, files: ReadonlySet<string>): boolean {
  return files.has(path) || SOURCE_EXTENSIONS.has(extname(path));
}

/** Start watching; returns at once (the initial scan runs in the background). */
export function watchProject(options: WatchOptions): ProjectWatcher {
  const debounceMs = options.debounceMs ?? 50;
  let targets = { roots: resolveWatchRoots(options.targets.dirs), files: new Set(options.targets.files.map((f) => resolve(f))) };

  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closed = false;

  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
  };
  const flush = () => {
    timer = undefined;
    if (closed || pending.size === 0) return;
    // One batch at a time: events during a reload wait for the next batch.
    if (running) return;
    const batch = [...pending];
    pending.clear();
    running = options
      .onChange(batch)
      .catch((err: unknown) => options.onError?.(err instanceof Error ? err : new Error(String(err))))
      .finally(() => {
        running = undefined;
        if (pending.size > 0) schedule();
      });
  };
  const onEvent = (path: string) => {
    const abs = resolve(path);
    if (closed || !isRelevantFile(abs, targets.files)) return;
    pending.add(abs);
    schedule();
  };

  /** Queue every file the scan found that was modified after `since` (edits the scan could not see). */
  const queueModifiedSince = async (watcher: FSWatcher, since: number) => {
    const paths = Object.entries(watcher.getWatched()).flatMap(([dir, names]) => names.map((name) => resolve(dir, name)));
    const found = await Promise.all(
      paths
        .filter((path) => isRelevantFile(path, targets.files))
        .map(async (path) => {
          const st = await stat(path).catch(() => undefined);
          return st?.isFile() && st.mtimeMs > since - MTIME_SLACK_MS ? path : undefined;
        }),
    );
    let any = false;
    for (const path of found) {
      if (path === undefined || closed) continue;
      pending.add(path);
      any = true;
    }
    if (any) schedule();
  };

  const open = (since?: number): { watcher: FSWatcher; ready: Promise<void> } => {
    const watcher = watch([...targets.roots, ...targets.files], {
      ignoreInitial: true,
      ignored: (path: string, stats?: Stats) => isIgnoredPath(path, targets, stats),
      // Not `atomic`: it holds unlink events back 100 ms (a checkout would become two reloads). Batching by
      // path already turns an editor's rename-over save into one change.
      atomic: false,
    });
    watcher.on("add", onEvent).on("change", onEvent).on("unlink", onEvent);
    watcher.on("error", (err) => options.onError?.(err as Error));
    const scanned = new Promise<void>((res) => watcher.once("ready", () => res()));
    const ready =
      since === undefined
        ? scanned
        : scanned.then(() => queueModifiedSince(watcher, since)).catch((err: unknown) => options.onError?.(err instanceof Error ? err : new Error(String(err))));
    return { watcher, ready };
  };
  let current = open(options.changedSince);
  let retired: Promise<void> = Promise.resolve();

  return {
    ready: current.ready,
    setTargets(next, changedSince) {
      targets = { roots: resolveWatchRoots(next.dirs), files: new Set(next.files.map((f) => resolve(f))) };
      // A fresh watcher rather than unwatch/add: chokidar keeps ignoring what was unwatched, even when re-added.
      const old = current.watcher;
      retired = retired.then(() => old.close());
      current = open(changedSince);
      return current.ready;
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await Promise.all([current.watcher.close(), retired]);
      await running;
    },
  };
}

function isIgnoredDirName(name: string): boolean {
  return IGNORED_DIRS.has(name) || (name.startsWith(".") && name !== "." && name !== "..");
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}
