/**
 * Node reports a SyntaxError in an ES module without saying where (the file:line is printed only for uncaught
 * errors, from a private field). For plain JavaScript, `node --check` tells us; TypeScript errors already carry
 * their location (tsx reports them).
 */
import { execFile } from "node:child_process";

/** `path:line` plus the offending line and caret, or undefined when `file` is not JavaScript or parses fine. */
export function locateJsSyntaxError(file: string): Promise<string | undefined> {
  if (!/\.[cm]?jsx?$/.test(file)) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    execFile(process.execPath, ["--check", file], { timeout: 10_000 }, (error, _stdout, stderr) => {
      if (!error) return resolve(undefined);
      const lines = String(stderr).split("\n");
      const at = lines.findIndex((line) => /:\d+$/.test(line) && line.includes(file));
      if (at === -1) return resolve(undefined);
      const excerpt = lines.slice(at + 1, at + 3).filter((l) => l.trim() !== "");
      resolve([lines[at], ...excerpt.map((l) => `    ${l}`)].join("\n"));
    });
  });
}
