import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../../logger.js";

const ENTRY = ".langgraph_api/";
/** Lines that already ignore the folder at the project root. */
const IGNORES = new Set([".langgraph_api", ".langgraph_api/", "/.langgraph_api", "/.langgraph_api/", ".langgraph_api/*", "/.langgraph_api/*", "**/.langgraph_api", "**/.langgraph_api/"]);

/**
 * Add `.langgraph_api/` to `<configDir>/.gitignore` when that file exists and does not ignore it yet, saying so
 * in one line. Never creates a .gitignore. Returns whether it changed the file.
 */
export function ensureGitignored(configDir: string, logger: Logger): boolean {
  const file = join(configDir, ".gitignore");
  if (!existsSync(file)) return false;
  try {
    const text = readFileSync(file, "utf8");
    const lines = text.split(/\r?\n/).map((l) => l.trim());
    if (lines.some((l) => IGNORES.has(l))) return false;
    const eol = text.includes("\r\n") ? "\r\n" : "\n";
    const sep = text.length === 0 || text.endsWith("\n") ? "" : eol;
    appendFileSync(file, `${sep}${ENTRY}${eol}`);
    logger.info(`added ${ENTRY} to ${file} (lg-dev keeps its local data there)`);
    return true;
  } catch (err) {
    logger.warn(`could not add ${ENTRY} to ${file}: ${(err as Error).message}`);
    return false;
  }
}
