/**
 * A resume value as typed: JSON when it parses as JSON (`{"ok": true}`, `42`, `"quoted"`, `true`), otherwise the
 * text itself. Says which, so the page can show what will be sent.
 */
export function parseResumeValue(text: string): { value: unknown; kind: "json" | "text" } {
  const trimmed = text.trim();
  if (trimmed === "") return { value: "", kind: "text" };
  try {
    return { value: JSON.parse(trimmed), kind: "json" };
  } catch {
    return { value: text, kind: "text" };
  }
}

/** Parse JSON typed into an editor, with an error message that says where it broke. */
export function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  if (text.trim() === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: `Invalid JSON: ${(err as Error).message}` };
  }
}
