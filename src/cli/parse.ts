import { InvalidArgumentError } from "commander";
import { LOG_LEVELS, type LogLevel } from "../logger.js";

/** Flag parsers shared by `lg-dev` and `lg-dev serve`: each throws commander's error naming what is wrong. */

export const parsePort = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("must be an integer from 0 to 65535");
  return n;
};

export const parsePositive = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
};

/** `--allowed-host` may repeat and take comma lists; `all` turns the check off. */
export const collectHosts = (v: string, previous: string[] = []) => [...previous, ...v.split(",").map((h) => h.trim()).filter(Boolean)];

export const parseSeconds = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError("must be a number of seconds, 0 or more");
  return n;
};

export const isLoopbackHost = (h: string) => h === "localhost" || h === "::1" || h.startsWith("127.");

/** A log level as lg-dev spells it, or as Python's logging does (`WARNING`, `CRITICAL`…), in any case. */
export function parseLevel(v: string): LogLevel {
  const level = ({ warning: "warn", critical: "error", fatal: "error" } as Record<string, string>)[v.toLowerCase()] ?? v.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new InvalidArgumentError(`must be one of ${LOG_LEVELS.join(", ")} (or DEBUG, INFO, WARNING, ERROR, CRITICAL)`);
  return level as LogLevel;
}
