/**
 * The page talks to lg-dev only through the official SDK Client, on this page's origin. By default it is the
 * Studio user (`x-auth-scheme: langsmith`, which lg-dev honours from this machine only); an Authorization header
 * set in the page replaces that, per tab (sessionStorage), so two tabs can be two users.
 */
import { Client } from "@langchain/langgraph-sdk";

const KEY = "lg-dev-studio:authorization";

export function loadAuthorization(): string {
  try {
    return sessionStorage.getItem(KEY) ?? "";
  } catch {
    return "";
  }
}

export function saveAuthorization(value: string): void {
  try {
    if (value) sessionStorage.setItem(KEY, value);
    else sessionStorage.removeItem(KEY);
  } catch {
    // Storage refused (private mode): the header still applies until reload.
  }
}

/** Where the API is: this origin, under the mount prefix the server wrote into the page (http.mount_prefix). */
export function apiUrl(): string {
  const prefix = document.querySelector<HTMLMetaElement>('meta[name="lg-dev-mount-prefix"]')?.content ?? "";
  return window.location.origin + prefix;
}

/** The identity every request carries, read when it is sent (see makeClient). */
let currentAuthorization = "";

/** `fetch` with the identity headers of the identity chosen last, set at the moment each request (or retry) leaves. */
function identityFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
  if (currentAuthorization) {
    headers.set("Authorization", currentAuthorization);
    headers.delete("x-auth-scheme");
  } else {
    headers.set("x-auth-scheme", "langsmith");
    headers.delete("Authorization");
  }
  return fetch(input, { ...init, headers });
}

/**
 * A client for the identity `authorization` (empty: the Studio user). The identity headers are set by its `fetch`,
 * from the identity chosen last, so that a request prepared, queued or retried before the developer applied a new
 * identity never leaves with the old one.
 */
export function makeClient(authorization: string): Client {
  currentAuthorization = authorization;
  // One retry: a local server either answers or is gone; long back-offs would only freeze the page.
  // The `onRequest` that changes nothing is there for what it turns off: the SDK shares an in-flight read between
  // clients whose prepared headers match, and the identity is not among them (identityFetch adds it later).
  return new Client({ apiUrl: apiUrl(), callerOptions: { maxRetries: 1, fetch: identityFetch }, onRequest: (_url, init) => init });
}

/**
 * A subgraph's own drawing (lg-dev's `GET /assistants/{id}/subgraphs/{namespace}/graph`; the SDK has no method for
 * it), asked through the client so it carries the identity and the SDK's errors like every other call.
 */
export function getSubgraphDrawing<T>(client: Client, assistantId: string, namespace: string, signal?: AbortSignal): Promise<T> {
  const base = client.assistants as unknown as { fetch(path: string, options: { params?: Record<string, unknown>; signal?: AbortSignal }): Promise<T> };
  return base.fetch(`/assistants/${encodeURIComponent(assistantId)}/subgraphs/${encodeURIComponent(namespace)}/graph`, { params: { xray: true }, signal });
}

/** Local persistence (graph shapes learned from runs, panel choices); failures are harmless. */
export function loadLocal<T>(key: string, fallback: T): T {
  try {
    const raw = localStorage.getItem(`lg-dev-studio:${key}`);
    return raw ? (JSON.parse(raw) as T) : fallback;
  } catch {
    return fallback;
  }
}

export function saveLocal(key: string, value: unknown): void {
  try {
    localStorage.setItem(`lg-dev-studio:${key}`, JSON.stringify(value));
  } catch {
    // full or refused
  }
}
