/**
 * The generative UI bundles of a project (langgraph.json `ui` and `ui_config`): built in the background at start-up,
 * rebuilt when a file they read changes (hot reload), reconfigured when langgraph.json changes them. A build that
 * fails is logged with esbuild's file:line report, and the last good build goes on being served.
 */
import { extname, isAbsolute, relative, sep } from "node:path";
import type { Logger } from "../logger.js";
import type { UiBuilder, UiFile } from "./build.js";
import { createRemoteBuilders } from "./remote.js";

/** langgraph.json's `ui` and `ui_config.shared`. */
export interface UiSettings {
  ui?: Record<string, string>;
  shared?: string[];
}

/** What the server needs: the built files of a UI, once its build in progress (if any) is done. */
export interface UiFiles {
  files(name: string): Promise<UiFile[] | undefined>;
}

/** How one rebuild went. */
export interface UiRebuild {
  name: string;
  ok: boolean;
  error?: string;
}

/** Why a build runs: start-up (quiet), an entry langgraph.json added or changed, a changed file. */
type Why = "build" | "added" | "rebuild";

interface Entry {
  builder: UiBuilder;
  /** `path` and `shared` it was made with: an entry is rebuilt from scratch when they change. */
  key: string;
  files?: UiFile[];
  /** Project files the last builds read (absolute). */
  inputs: Set<string>;
  /** The build in progress, or the last one. */
  pending: Promise<UiRebuild>;
}

export class UiBundles implements UiFiles {
  private readonly entries = new Map<string, Entry>();
  /** Builds run in a worker thread, started with the first UI. */
  private readonly builders = createRemoteBuilders();
  private closed = false;

  constructor(private readonly o: { projectDir: string; logger: Logger }) {}

  /**
   * Apply `ui` settings (start-up, or langgraph.json changed): entries new or changed are built, removed ones
   * dropped. Resolves when their builds are done; requests for a UI wait for its build rather than miss it.
   */
  async configure(settings: UiSettings, opts: { announce?: boolean } = {}): Promise<UiRebuild[]> {
    const wanted = new Map(Object.entries(settings.ui ?? {}).map(([name, path]) => [name, { path, key: JSON.stringify([path, settings.shared ?? []]) }]));
    for (const [name, entry] of this.entries) {
      if (wanted.get(name)?.key === entry.key) continue;
      this.entries.delete(name);
      void entry.pending.finally(() => entry.builder.dispose());
    }
    const builds: Array<Promise<UiRebuild>> = [];
    for (const [name, { path, key }] of wanted) {
      if (this.entries.has(name) || this.closed) continue;
      let builder: UiBuilder;
      try {
        builder = this.builders.create({ name, path, projectDir: this.o.projectDir, shared: settings.shared });
      } catch (err) {
        this.o.logger.error(`UI "${name}" in langgraph.json: ${(err as Error).message}`);
        continue;
      }
      const entry: Entry = { builder, key, inputs: new Set([builder.entry]), pending: Promise.resolve({ name, ok: true }) };
      this.entries.set(name, entry);
      builds.push(this.schedule(entry, opts.announce ? "added" : "build"));
    }
    return Promise.all(builds);
  }

  /** Rebuild the bundles that read one of `changed` (absolute paths); resolves with how each went. */
  async rebuild(changed: string[]): Promise<UiRebuild[]> {
    const affected = [...this.entries.values()].filter((e) => changed.some((file) => e.inputs.has(file)));
    return Promise.all(affected.map((e) => this.schedule(e, "rebuild", changed.filter((file) => e.inputs.has(file)))));
  }

  /**
   * True when a change of `file` can matter to UI bundles only: a stylesheet, or a `ui` entry file (graph code
   * does not import React components; a `ui` file it did import would still be reloaded with the next code change).
   */
  ownsOnly(file: string): boolean {
    return extname(file) === ".css" || [...this.entries.values()].some((e) => e.builder.entry === file);
  }

  async files(name: string): Promise<UiFile[] | undefined> {
    const entry = this.entries.get(name);
    if (!entry) return undefined;
    await entry.pending;
    return entry.files;
  }

  /** Names of the UIs configured. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  async close(): Promise<void> {
    this.closed = true;
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map((e) => e.pending.finally(() => e.builder.dispose())));
    await this.builders.close();
  }

  /** One build at a time per entry: a change during a build is built after it. */
  private schedule(entry: Entry, why: Why, changed: string[] = []): Promise<UiRebuild> {
    entry.pending = entry.pending.then(() => this.run(entry, why, changed));
    return entry.pending;
  }

  private async run(entry: Entry, why: Why, changed: string[]): Promise<UiRebuild> {
    const { name, entry: file } = entry.builder;
    let result: Awaited<ReturnType<UiBuilder["build"]>>;
    try {
      result = await entry.builder.build();
    } catch (err) {
      // Not a build error (those come back as results) but a failure of esbuild itself: the entry stays usable.
      const message = err instanceof Error ? err.message : String(err);
      this.o.logger.error(`UI build of "${name}" could not run: ${message}`);
      return { name, ok: false, error: message };
    }
    for (const input of result.inputs) entry.inputs.add(input);
    const where = this.display(file);
    if (!result.ok) {
      const still = entry.files ? "; still serving the previous build" : "";
      this.o.logger.error(`UI build failed for "${name}" (${where})${still}:\n${indent(result.message)}`);
      return { name, ok: false, error: result.message };
    }
    // Only what this build read: a file no longer imported stops triggering rebuilds.
    entry.inputs = new Set([file, ...result.inputs]);
    entry.files = result.files;
    const what = result.files.map((f) => f.basename).join(", ");
    if (why === "build") this.o.logger.debug(`built UI "${name}" (${where} -> ${what}) in ${result.ms} ms`);
    else if (why === "added") this.o.logger.info(`built UI "${name}" (${where}) in ${result.ms} ms`);
    else this.o.logger.info(`rebuilt UI "${name}" (${changed.map((c) => this.display(c)).join(", ")}) in ${result.ms} ms`);
    return { name, ok: true };
  }

  private display(path: string): string {
    const rel = relative(this.o.projectDir, path);
    return rel === "" || isAbsolute(rel) || rel.startsWith("..") ? path : rel.split(sep).join("/");
  }
}

/** `ui` settings of a langgraph.json, as {@link UiBundles.configure} takes them. */
export function uiSettingsOf(config: { ui?: Record<string, string>; ui_config?: { shared?: string[] } }): UiSettings {
  return { ui: config.ui, shared: config.ui_config?.shared };
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}
