/**
 * `--debug-port` and `--wait-for-client`: the Node inspector on a port of this machine, so VS Code, Chrome DevTools
 * (chrome://inspect) or any Chrome DevTools Protocol client can attach; with `--wait-for-client` start-up waits for
 * one before any project module is imported, so breakpoints in graph code (set in the TypeScript source: project
 * files run with inline source maps) are in place before it runs.
 *
 * The inspector runs any code its client sends, so it listens on 127.0.0.1 only, whatever `--host` says.
 */
import inspector from "node:inspector";
import { ConfigError } from "../errors.js";

/** What `--debug-port` / `--wait-for-client` ask for. */
export interface DebuggerOptions {
  /** Port of the inspector (0: a free one; the URL says which). */
  port: number;
  /** Block start-up until a debugger attaches (and tells the program to run). */
  waitForClient?: boolean;
}

/** The address the inspector listens on: never the network. */
export const DEBUGGER_HOST = "127.0.0.1";

/**
 * Open the inspector and return its WebSocket URL; `say` prints a line before waiting, so the user knows what to
 * attach to. A port that cannot be opened is a `ConfigError`. An inspector already open (`node --inspect`) is kept.
 */
export function openDebugger(o: DebuggerOptions, say: (line: string) => void): string {
  let url = inspector.url();
  if (url === undefined) {
    inspector.open(o.port, DEBUGGER_HOST, false);
    url = inspector.url();
    // Node reports a busy port on stderr and opens nothing, rather than throwing.
    if (url === undefined) throw new ConfigError(`Cannot open the debugger on ${DEBUGGER_HOST}:${o.port} (is the port in use?): pass another --debug-port, or 0 for a free one.`);
  } else {
    say(`  - the Node inspector was already open (${url}); --debug-port ${o.port} is not used`);
  }
  if (o.waitForClient) {
    say(`  Waiting for a debugger to attach to ${url} (VS Code: "Attach" to port ${new URL(url).port}; Chrome: chrome://inspect) ...`);
    // Blocks until the client sends Runtime.runIfWaitingForDebugger (VS Code and DevTools do once attached).
    inspector.waitForDebugger();
  }
  return url;
}

/** Close the inspector this process opened (shutdown, tests). */
export function closeDebugger(): void {
  inspector.close();
}
