/**
 * `http.mount_prefix` (or `LANGGRAPH_MOUNT_PREFIX`, which wins, as in Python's `langgraph dev`): the path the whole
 * server is served under. The Python server's rule: it starts with "/" and does not end with "/" ("/my-api",
 * "/api/v1"). lg-dev also refuses what could not be one path segment chain: empty segments, a query or fragment,
 * spaces, and "." or ".." segments.
 */

/** What is wrong with `prefix` as a mount prefix, or undefined when it is fine. */
export function mountPrefixProblem(prefix: string): string | undefined {
  if (!prefix.startsWith("/")) return 'does not start with "/"';
  if (prefix.endsWith("/")) return 'ends with "/"';
  if (prefix.includes("//")) return 'has an empty segment ("//")';
  if (/[?#\s\\%]/.test(prefix)) return "contains ?, #, %, \\ or a space";
  if (prefix.split("/").some((segment) => segment === "." || segment === "..")) return 'has a "." or ".." segment';
  return undefined;
}

/** The prefix in effect: `LANGGRAPH_MOUNT_PREFIX` when set (non-empty), else `http.mount_prefix`; "" for none. */
export function resolveMountPrefix(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): { prefix: string; problem?: string } {
  const fromEnv = env.LANGGRAPH_MOUNT_PREFIX;
  const prefix = fromEnv ? fromEnv : (configured ?? "");
  if (prefix === "") return { prefix };
  const problem = mountPrefixProblem(prefix);
  if (problem === undefined) return { prefix };
  const where = fromEnv ? "LANGGRAPH_MOUNT_PREFIX" : '"http.mount_prefix" in langgraph.json';
  return { prefix, problem: `${where} ${problem} (expected a path such as "/my-api" or "/api/v1", got ${JSON.stringify(prefix)})` };
}
