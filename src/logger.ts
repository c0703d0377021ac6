/** Log levels, least to most verbose. */
export const LOG_LEVELS = ["silent", "error", "warn", "info", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The logger every layer receives (never a global). */
export interface Logger {
  error(msg: string, err?: unknown): void;
  warn(msg: string): void;
  info(msg: string): void;
  debug(msg: string): void;
  readonly level: LogLevel;
}

/** A logger writing one line per message to stderr (errors, warnings) or stdout (info, debug). */
export function createLogger(level: LogLevel = "info", sink: { out: (s: string) => void; err: (s: string) => void } = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
}): Logger {
  const rank = LOG_LEVELS.indexOf(level);
  const on = (l: LogLevel) => LOG_LEVELS.indexOf(l) <= rank && rank > 0;
  const stamp = () => new Date().toISOString().slice(11, 23);
  return {
    level,
    error(msg, err) {
      if (!on("error")) return;
      const detail = err instanceof Error ? `\n${err.stack ?? err.message}` : err !== undefined ? `\n${String(err)}` : "";
      sink.err(`${stamp()} error ${msg}${detail}\n`);
    },
    warn(msg) {
      if (on("warn")) sink.err(`${stamp()} warn  ${msg}\n`);
    },
    info(msg) {
      if (on("info")) sink.out(`${stamp()} info  ${msg}\n`);
    },
    debug(msg) {
      if (on("debug")) sink.out(`${stamp()} debug ${msg}\n`);
    },
  };
}
