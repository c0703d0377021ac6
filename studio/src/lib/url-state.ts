/** What the URL holds, so reload and bookmarks restore the view: `?assistant=…&thread=…&mode=chat|graph`. */
export interface UrlState {
  assistant?: string;
  thread?: string;
  mode?: "chat" | "graph";
}

export function parseUrlState(search: string): UrlState {
  const params = new URLSearchParams(search);
  const out: UrlState = {};
  const assistant = params.get("assistant")?.trim();
  const thread = params.get("thread")?.trim();
  const mode = params.get("mode");
  if (assistant) out.assistant = assistant;
  if (thread) out.thread = thread;
  if (mode === "chat" || mode === "graph") out.mode = mode;
  return out;
}

/** The query string for `state` (with its `?`), keeping parameters this app does not own. */
export function formatUrlState(state: UrlState, current = ""): string {
  const params = new URLSearchParams(current);
  for (const key of ["assistant", "thread", "mode"] as const) {
    const value = state[key];
    if (value) params.set(key, value);
    else params.delete(key);
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}
