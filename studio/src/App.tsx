import type { Assistant, Thread } from "@langchain/langgraph-sdk";
import { useCallback, useEffect, useMemo, useState } from "react";
import { loadAuthorization, loadLocal, makeClient, saveAuthorization, saveLocal } from "./api.js";
import { AssistantsSection } from "./components/AssistantsSection.js";
import { StoreSection } from "./components/StoreSection.js";
import { ThreadsPanel } from "./components/ThreadsPanel.js";
import { Workspace } from "./components/Workspace.js";
import { useAsync, useVisiblePolling } from "./hooks.js";
import { describeError, type ApiErrorInfo } from "./lib/errors.js";
import { hasMessages } from "./lib/schema-form.js";
import { formatUrlState, parseUrlState, type UrlState } from "./lib/url-state.js";

/** The assistant the URL names (by id, or by graph id: that graph's system assistant), else the first system one. */
function resolveAssistant(list: Assistant[] | undefined, wanted: string | undefined): Assistant | undefined {
  if (!list || list.length === 0) return undefined;
  const system = (a: Assistant) => a.metadata?.created_by === "system";
  return (
    list.find((a) => a.assistant_id === wanted) ??
    list.find((a) => a.graph_id === wanted && system(a)) ??
    list.find((a) => a.graph_id === wanted) ??
    list.find(system) ??
    list[0]
  );
}

/** Graphs seen in this browser, and whether their state is a chat (remembered for users who cannot list them). */
type KnownGraphs = Record<string, { chat?: boolean }>;

/**
 * Stands in for a graph's system assistant when the auth handlers hide it from this user (as the private-conversations
 * tutorial does): the API accepts a graph id wherever an assistant id is expected.
 */
function graphIdAssistant(graphId: string): Assistant {
  return { assistant_id: graphId, graph_id: graphId, name: graphId, config: {}, context: {}, metadata: { created_by: "graph id" }, version: 0, created_at: "", updated_at: "", description: null } as unknown as Assistant;
}
const isGraphIdAssistant = (a: Assistant | undefined) => a?.metadata?.created_by === "graph id";

const isAbort = (err: unknown) => err instanceof Error && (err.name === "AbortError" || err.message === "AbortError");

function IdentityForm({ value, onApply }: { value: string; onApply: (v: string) => void }) {
  const [draft, setDraft] = useState(value);
  return (
    <form
      className="identity"
      onSubmit={(e) => {
        e.preventDefault();
        onApply(draft.trim());
      }}
    >
      <input aria-label="Authorization" placeholder="Authorization, e.g. Bearer user1-token" value={draft} onChange={(e) => setDraft(e.target.value)} size={28} />
      <button type="submit">Apply</button>
      <span className="muted small" role="status">
        {value ? "as that user" : "as the Studio user"}
      </span>
    </form>
  );
}

export function App() {
  const [authorization, setAuthorization] = useState(loadAuthorization);
  const client = useMemo(() => makeClient(authorization), [authorization]);
  const [url, setUrl] = useState<UrlState>(() => parseUrlState(window.location.search));
  const [alert, setAlert] = useState<ApiErrorInfo | undefined>();
  const [threadsVersion, setThreadsVersion] = useState(0);

  const explain = useCallback((err: unknown) => describeError(err, authorization || undefined), [authorization]);
  const report = useCallback(
    (err: unknown) => {
      if (!isAbort(err)) setAlert(explain(err));
    },
    [explain],
  );
  const navigate = useCallback((next: UrlState, push = false) => {
    setUrl(next);
    const query = formatUrlState(next, window.location.search);
    if (query !== window.location.search) window.history[push ? "pushState" : "replaceState"](null, "", `${window.location.pathname}${query}`);
  }, []);
  useEffect(() => {
    const onPop = () => setUrl(parseUrlState(window.location.search));
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  const assistants = useAsync(() => client.assistants.search({ limit: 1000, sortBy: "created_at", sortOrder: "asc" }), [client], report);
  // A hot reload may add or remove graphs: look again now and then (quietly: the first load reports errors).
  useVisiblePolling(() => void assistants.reload(), 15_000, assistants.error === undefined);
  const [known, setKnown] = useState<KnownGraphs>(() => loadLocal("graphs", {}));
  const remember = useCallback((graphId: string, info: { chat?: boolean } = {}) => {
    setKnown((k) => {
      if (k[graphId] && (info.chat === undefined || k[graphId].chat === info.chat)) return k;
      const next = { ...k, [graphId]: { ...k[graphId], ...info } };
      saveLocal("graphs", next);
      return next;
    });
  }, []);
  useEffect(() => {
    for (const a of assistants.data ?? []) remember(a.graph_id);
  }, [assistants.data, remember]);
  const choices = useMemo(() => {
    // Not before this identity's list is in: the URL's assistant must not be replaced by a guess meanwhile.
    if (!assistants.data) return [];
    const list = [...assistants.data];
    const visible = new Set(list.map((a) => a.graph_id));
    for (const graphId of Object.keys(known)) if (!visible.has(graphId)) list.push(graphIdAssistant(graphId));
    return list;
  }, [assistants.data, known]);
  // A link that names only a thread opens it with the assistant it last ran with.
  const [initial] = useState(url);
  const [threadOwner, setThreadOwner] = useState<string | null | undefined>(initial.thread && !initial.assistant ? undefined : null);
  useEffect(() => {
    if (threadOwner !== undefined) return;
    client.threads.get(initial.thread!).then(
      (t) => setThreadOwner(typeof t.metadata?.assistant_id === "string" ? t.metadata.assistant_id : null),
      () => setThreadOwner(null),
    );
  }, [client, initial, threadOwner]);
  const assistant = threadOwner === undefined ? undefined : resolveAssistant(choices, url.assistant ?? threadOwner ?? undefined);
  useEffect(() => {
    if (assistant && url.assistant !== assistant.assistant_id) navigate({ ...url, assistant: assistant.assistant_id });
  }, [assistant, url, navigate]);

  const schemas = useAsync(
    async () => (assistant ? client.assistants.getSchemas(assistant.assistant_id) : undefined),
    [client, assistant?.assistant_id, assistant?.version],
    // A graph-id stand-in may be hidden from this user: its schemas then come from what this browser remembers.
    (err) => !isGraphIdAssistant(assistant) && report(err),
  );
  const chatCapable = schemas.data ? hasMessages(schemas.data.input_schema) || hasMessages(schemas.data.state_schema) : assistant ? known[assistant.graph_id]?.chat === true : false;
  useEffect(() => {
    if (assistant && schemas.data) remember(assistant.graph_id, { chat: hasMessages(schemas.data.input_schema) || hasMessages(schemas.data.state_schema) });
  }, [assistant, schemas.data, remember]);
  const mode = url.mode ?? (chatCapable ? "chat" : "graph");

  const openThread = (thread: Thread) => {
    const owner = typeof thread.metadata?.assistant_id === "string" ? thread.metadata.assistant_id : undefined;
    const switchTo = owner && owner !== assistant?.assistant_id && choices.some((a) => a.assistant_id === owner) ? owner : undefined;
    navigate({ ...url, thread: thread.thread_id, ...(switchTo ? { assistant: switchTo } : {}) }, true);
  };
  const apply = (value: string) => {
    saveAuthorization(value);
    setAlert(undefined);
    setAuthorization(value);
  };

  return (
    <div className="app">
      <header className="topbar">
        <h1>
          lg-dev <span>Studio</span>
        </h1>
        <label className="assistant-picker">
          Assistant{" "}
          <select aria-label="Assistant" value={assistant?.assistant_id ?? ""} onChange={(e) => navigate({ ...url, assistant: e.target.value, thread: undefined }, true)}>
            {!assistant && <option value="">{assistants.loading ? "Loading…" : "No assistants"}</option>}
            {[...new Set(choices.map((a) => a.graph_id))].map((graph) => (
              <optgroup key={graph} label={graph}>
                {choices
                  .filter((a) => a.graph_id === graph)
                  .map((a) => (
                    <option key={a.assistant_id} value={a.assistant_id}>
                      {a.name}
                      {isGraphIdAssistant(a) ? " (graph id)" : a.name === graph ? "" : ` (${graph})`}
                    </option>
                  ))}
              </optgroup>
            ))}
          </select>
        </label>
        <div className="mode-toggle" role="group" aria-label="Mode">
          <button type="button" aria-pressed={mode === "chat"} disabled={!chatCapable} title={chatCapable ? "Chat with the graph" : "Chat needs a messages key in the state"} onClick={() => navigate({ ...url, mode: "chat" })}>
            Chat mode
          </button>
          <button type="button" aria-pressed={mode === "graph"} onClick={() => navigate({ ...url, mode: "graph" })}>
            Graph mode
          </button>
        </div>
        <nav className="jump" aria-label="Sections">
          <a href="#assistants">Assistants</a> <a href="#store">Store</a> <a href="../docs">API docs</a>
        </nav>
        <IdentityForm value={authorization} onApply={apply} />
      </header>
      {alert && (
        <div className="alert" role="alert">
          <strong>{alert.title}</strong> {alert.detail}
          <button type="button" className="link" onClick={() => setAlert(undefined)}>
            Dismiss
          </button>
        </div>
      )}
      <main className="main" key={authorization}>
        <ThreadsPanel
          client={client}
          graphId={assistant?.graph_id}
          selected={url.thread}
          onOpen={openThread}
          onDeleted={(id) => id === url.thread && navigate({ ...url, thread: undefined }, true)}
          version={threadsVersion}
          report={report}
        />
        {assistant && (schemas.data !== undefined || schemas.error !== undefined) ? (
          <Workspace
            key={assistant.assistant_id}
            client={client}
            assistant={assistant}
            inputSchema={schemas.data?.input_schema}
            threadId={url.thread}
            onThreadId={(id) => navigate({ ...url, thread: id }, true)}
            mode={mode}
            report={report}
            explain={explain}
            onThreadsChanged={() => setThreadsVersion((v) => v + 1)}
          />
        ) : (
          <div className="workspace placeholder">
            <p className="muted">
              {assistants.error
                ? "The assistants could not be loaded: see the message above."
                : assistants.data && choices.length === 0
                  ? "This user can see no assistants (the server's auth handlers hide them). A graph's id works as an assistant: type one below, or open the page once as the Studio user (no Authorization) so it learns them."
                  : "Loading…"}
            </p>
            {assistants.data && choices.length === 0 && (
              <form
                className="identity"
                onSubmit={(e) => {
                  e.preventDefault();
                  const id = new FormData(e.currentTarget).get("graph")?.toString().trim();
                  if (id) {
                    remember(id);
                    navigate({ ...url, assistant: id }, true);
                  }
                }}
              >
                <input name="graph" aria-label="Graph id" placeholder="graph id from langgraph.json" />
                <button type="submit">Use graph</button>
              </form>
            )}
          </div>
        )}
      </main>
      <AssistantsSection
        client={client}
        assistants={choices}
        current={assistant}
        schemas={schemas.data}
        onSelect={(id) => navigate({ ...url, assistant: id }, true)}
        onChanged={() => assistants.reload()}
        report={report}
      />
      <StoreSection client={client} report={report} explain={explain} />
    </div>
  );
}
