/** Turn what the SDK throws into a sentence for the page: 401 and 403 say what to do about them. */
export interface ApiErrorInfo {
  status?: number;
  title: string;
  detail: string;
}

/** The body text after the SDK's `HTTP 401: ` prefix, or the JSON body's `detail`/`message`. */
function bodyText(message: string): string {
  const text = message.replace(/^HTTP \d{3}: /, "").trim();
  try {
    const parsed = JSON.parse(text) as { detail?: unknown; message?: unknown };
    if (typeof parsed.detail === "string") return parsed.detail;
    if (typeof parsed.message === "string") return parsed.message;
  } catch {
    // not JSON
  }
  return text;
}

export function describeError(err: unknown, identity: string | undefined): ApiErrorInfo {
  const status = typeof (err as { status?: unknown })?.status === "number" ? (err as { status: number }).status : undefined;
  const message = err instanceof Error ? err.message : String(err);
  const detail = bodyText(message);
  const who = identity ? "the Authorization header you set" : "the Studio user (no Authorization set)";
  if (status === 401) {
    return {
      status,
      title: "401 Unauthorized",
      detail: `The server did not accept ${who}: ${detail || "no reason given"}. ${identity ? "Check the token" : "Set an Authorization header (e.g. Bearer user1-token)"} and press Apply.`,
    };
  }
  if (status === 403) {
    return { status, title: "403 Forbidden", detail: `${identity ? "This user" : "The Studio user"} may not do this: ${detail || "no reason given"}.` };
  }
  if (status === 404) return { status, title: "404 Not found", detail: detail || "Not found (or hidden from this user)." };
  if (status !== undefined) return { status, title: `Error ${status}`, detail };
  if (/Failed to fetch|NetworkError|Unable to connect/i.test(message)) {
    return { title: "Server unreachable", detail: "The page cannot reach lg-dev. Is it still running?" };
  }
  return { title: "Error", detail: message };
}
