import { onTestFinished } from "vitest";
import { makeTempDir, writeFiles } from "./spawn.js";

/** A temp folder holding `files` (paths relative to it), removed when the current test finishes. */
export function tempProject(files: Record<string, string>, prefix = "lg-dev-test-"): string {
  const tmp = makeTempDir(prefix);
  onTestFinished(tmp.cleanup);
  writeFiles(tmp.dir, files);
  return tmp.dir;
}
