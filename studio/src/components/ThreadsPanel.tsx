import type { Client, Thread } from "@langchain/langgraph-sdk";
import { useCallback, useEffect, useRef, useState } from "react";
import { useVisiblePolling } from "../hooks.js";
import { shortTime } from "../lib/history.js";
import { parseMetadataFilter } from "../lib/metadata-filter.js";

/** Threads per page: one small query however many threads the server holds (values are not fetched). */
const PAGE = 50;
const LIST_POLL_MS = 5000;
const FIELDS = ["thread_id", "created_at", "updated_at", "status", "metadata"] as const;

export interface ThreadsPanelProps {
  client: Client;
  graphId: string | undefined;
  selected: string | undefined;
  onOpen: (thread: Thread) => void;
  onDeleted: (threadId: string) => void;
  /** Bumped by the page when threads change (a run ended, a thread was made): the list reloads. */
  version: number;
  report: (err: unknown) => void;
}

export function ThreadsPanel({ client, graphId, selected, onOpen, onDeleted, version, report }: ThreadsPanelProps) {
  const [threads, setThreads] = useState<Thread[]>([]);
  const [total, setTotal] = useState<number | undefined>();
  const [pages, setPages] = useState(1);
  const [search, setSearch] = useState("");
  const [filter, setFilter] = useState<Record<string, unknown> | undefined>();
  const [filterError, setFilterError] = useState<string | undefined>();
  const [loaded, setLoaded] = useState(false);
  const seq = useRef(0);

  const load = useCallback(
    async (quiet = false) => {
      const id = ++seq.current;
      try {
        const [list, count] = await Promise.all([
          client.threads.search({ metadata: filter, limit: PAGE * pages, offset: 0, sortBy: "created_at", sortOrder: "desc", select: [...FIELDS] }),
          client.threads.count({ metadata: filter }),
        ]);
        if (id !== seq.current) return;
        setThreads(list);
        setTotal(count);
        setLoaded(true);
      } catch (err) {
        if (id === seq.current && !quiet) report(err);
      }
    },
    [client, filter, pages, report],
  );

  useEffect(() => {
    void load();
  }, [load, version]);
  // Status badges change while runs go on elsewhere (the SDK, another tab): a quiet refresh.
  useVisiblePolling(() => void load(true), LIST_POLL_MS);

  const create = async () => {
    try {
      const thread = await client.threads.create({ metadata: graphId ? { graph_id: graphId } : undefined });
      onOpen(thread);
      await load();
    } catch (err) {
      report(err);
    }
  };
  const remove = async (thread: Thread) => {
    try {
      await client.threads.delete(thread.thread_id);
      setThreads((ts) => ts.filter((t) => t.thread_id !== thread.thread_id));
      onDeleted(thread.thread_id);
      await load();
    } catch (err) {
      report(err);
    }
  };
  const applySearch = (text: string) => {
    const parsed = parseMetadataFilter(text);
    setFilterError(parsed.error);
    if (!parsed.error) {
      setPages(1);
      setFilter(parsed.filter);
    }
  };

  return (
    <aside className="panel threads-panel" aria-label="Thread list">
      <div className="panel-title">
        <h2>Threads</h2>
        <button type="button" className="primary" onClick={() => void create()}>
          New thread
        </button>
      </div>
      <form
        className="thread-search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          applySearch(search);
        }}
      >
        <input aria-label="Search threads by metadata" placeholder="metadata: key=value or {…}" value={search} onChange={(e) => setSearch(e.target.value)} />
        <button type="submit" aria-label="Search threads">
          Search
        </button>
      </form>
      {filterError && <div className="field-error">{filterError}</div>}
      <div className="muted small" role="status">
        {loaded ? `${threads.length.toLocaleString("en-US")} of ${(total ?? threads.length).toLocaleString("en-US")} threads${filter ? " matching" : ""}` : "Loading threads…"}
      </div>
      <ul aria-label="Threads" className="thread-list">
        {threads.map((t) => (
          <li key={t.thread_id} className={t.thread_id === selected ? "selected" : undefined} title={`metadata: ${JSON.stringify(t.metadata ?? {}, null, 2)}`}>
            <button type="button" className="thread-open" aria-current={t.thread_id === selected ? "true" : undefined} onClick={() => onOpen(t)}>
              <span className="mono">{t.thread_id.slice(0, 8)}</span>
              <span className={`badge ${t.status}`}>{t.status}</span>
              <span className="muted small">{shortTime(t.created_at).slice(0, 8)}</span>
              {typeof t.metadata?.graph_id === "string" && <span className="muted small">{t.metadata.graph_id}</span>}
            </button>
            <button type="button" className="icon" aria-label={`Delete thread ${t.thread_id}`} title="Delete this thread" onClick={() => void remove(t)}>
              ✕
            </button>
          </li>
        ))}
      </ul>
      {total !== undefined && threads.length < total && (
        <button type="button" onClick={() => setPages((p) => p + 1)}>
          Load more
        </button>
      )}
    </aside>
  );
}
