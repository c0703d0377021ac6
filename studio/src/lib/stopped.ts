/**
 * What Stop leaves on screen. useStream's `stop()` reads the thread's head again and shows it, and a node cut off
 * mid-answer wrote nothing: the tokens streamed so far would vanish. Through the hook's own `onStop` `mutate`
 * (applied over the head it reads), the messages shown at Stop that the head does not hold are kept after the head's
 * messages, and named so the page can mark them as stopped (streamed, not saved on the thread).
 */

interface MessageLike {
  id?: string;
  type?: string;
  content?: unknown;
  tool_calls?: unknown[];
}

const hasContent = (m: MessageLike) =>
  (typeof m.content === "string" ? m.content.length > 0 : Array.isArray(m.content) ? m.content.length > 0 : m.content != null) ||
  (Array.isArray(m.tool_calls) && m.tool_calls.length > 0);

/**
 * `head` (the values the hook shows after Stop) with the messages of `shown` it does not hold appended: those after
 * the last shown message the head does hold, with an id and something in them. A message the head holds (the server
 * saved it) is the head's, unmarked.
 */
export function keepStoppedMessages<M extends MessageLike>(head: Record<string, unknown>, shown: readonly M[], key = "messages"): { messages: M[]; kept: string[] } {
  const saved = Array.isArray(head[key]) ? (head[key] as M[]) : [];
  const ids = new Set(saved.map((m) => m.id).filter((id): id is string => typeof id === "string"));
  let after = 0;
  shown.forEach((m, i) => {
    if (m.id !== undefined && ids.has(m.id)) after = i + 1;
  });
  const missing = shown.slice(after).filter((m) => typeof m.id === "string" && !ids.has(m.id) && hasContent(m));
  return { messages: [...saved, ...missing], kept: missing.map((m) => m.id!) };
}

/** `values` without the messages named in `stopped` (the State panel shows what the server holds). */
export function withoutStopped<V extends Record<string, unknown> | null | undefined>(values: V, stopped: ReadonlySet<string>, key = "messages"): V {
  const list = values?.[key];
  if (stopped.size === 0 || !Array.isArray(list)) return values;
  const kept = list.filter((m: MessageLike) => !(typeof m?.id === "string" && stopped.has(m.id)));
  return kept.length === list.length ? values : ({ ...values, [key]: kept } as V);
}
