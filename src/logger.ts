/** Log levels, least to most verbose. */
export const LOG_LEVELS = ["silent", "error", "warn", "info", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Extra facts of a log line (shown as key=value in text, as properties in JSON). */
export type LogFields = Record<string, unknown>;

/** The logger every layer receives (never a global). */
export interface Logger {
  error(msg: string, err?: unknown, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  readonly level: LogLevel;
}

/** `text`: short lines for a terminal; `json`: one JSON object per line (time, level, msg, fields) for log collectors. */
export type LogFormat = "text" | "json";

type Sink = { out: (s: string) => void; err: (s: string) => void };

/** A logger writing one line per message to stderr (errors, warnings) or stdout (info, debug). */
export function createLogger(
  level: LogLevel = "info",
  sink: Sink = {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
  },
  format: LogFormat = "text",
): Logger {
  const rank = LOG_LEVELS.indexOf(level);
  const on = (l: LogLevel) => LOG_LEVELS.indexOf(l) <= rank && rank > 0;
  const write = format === "json" ? jsonLine : textLine;
  return {
    level,
    error(msg, err, fields) {
      if (on("error")) sink.err(write("error", msg, fields, err));
    },
    warn(msg, fields) {
      if (on("warn")) sink.err(write("warn", msg, fields));
    },
    info(msg, fields) {
      if (on("info")) sink.out(write("info", msg, fields));
    },
    debug(msg, fields) {
      if (on("debug")) sink.out(write("debug", msg, fields));
    },
  };
}

function textLine(level: LogLevel, msg: string, fields?: LogFields, err?: unknown): string {
  const extra = fields ? Object.entries(fields).map(([k, v]) => ` ${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join("") : "";
  const detail = err instanceof Error ? `\n${err.stack ?? err.message}` : err !== undefined ? `\n${String(err)}` : "";
  return `${new Date().toISOString().slice(11, 23)} ${level.padEnd(5)} ${msg}${extra}${detail}\n`;
}

function jsonLine(level: LogLevel, msg: string, fields?: LogFields, err?: unknown): string {
  const line: Record<string, unknown> = { time: new Date().toISOString(), level, msg, ...fields };
  if (err instanceof Error) line.err = { type: err.name, message: err.message, stack: err.stack };
  else if (err !== undefined) line.err = { message: String(err) };
  try {
    return `${JSON.stringify(line)}\n`;
  } catch {
    // A field that does not serialise (a cycle, a BigInt) must not lose the line.
    return `${JSON.stringify({ time: line.time, level, msg, fields: "(not serialisable)" })}\n`;
  }
}
