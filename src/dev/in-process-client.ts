/**
 * Inside the server process, an SDK `Client` created without `apiUrl` (RemoteGraph, sub-agents calling their own
 * deployment) must reach this server. The SDK reads its default URL from `globalThis[Symbol.for("langgraph_api:url")]`
 * (any copy of the SDK: the symbol is global), so that is what we set; `LANGGRAPH_API_URL` is set as well for
 * code that reads it, unless the user set it. Process-wide by nature, so it lives on globalThis, not in this module.
 */

const URL_SYMBOL = Symbol.for("langgraph_api:url");
type GlobalWithUrl = typeof globalThis & { [URL_SYMBOL]?: string };

/** Point URL-less SDK clients at `url`; returns the undo (which leaves another server's binding alone). */
export function bindInProcessClient(url: string): () => void {
  const g = globalThis as GlobalWithUrl;
  g[URL_SYMBOL] = url;
  const setEnv = process.env.LANGGRAPH_API_URL === undefined;
  if (setEnv) process.env.LANGGRAPH_API_URL = url;
  return () => {
    if (g[URL_SYMBOL] === url) delete g[URL_SYMBOL];
    if (setEnv && process.env.LANGGRAPH_API_URL === url) delete process.env.LANGGRAPH_API_URL;
  };
}
