import type { Client, Run } from "@langchain/langgraph-sdk";
import { useEffect, useMemo, useState } from "react";
import { useVisiblePolling } from "../hooks.js";
import { filterLog, logNodes, logSummary, toLogEntry, type LogEntry } from "../lib/events.js";
import { duration, shortTime } from "../lib/history.js";

export interface RunsPanelProps {
  client: Client;
  threadId: string | undefined;
  /** Bumped when a run starts or ends. */
  version: number;
  /** Event logs of the runs this page streamed, by run id (kept as they arrive). */
  liveLogs: ReadonlyMap<string, LogEntry[]>;
  logVersion: number;
  selected: string | undefined;
  onSelect: (runId: string | undefined) => void;
  report: (err: unknown) => void;
}

/** A run this page did not stream: join its event stream (a resumable run replays what it kept). */
function useJoinedLog(client: Client, threadId: string | undefined, run: Run | undefined, live: boolean) {
  const [log, setLog] = useState<{ runId: string; entries: LogEntry[]; done: boolean } | undefined>();
  useEffect(() => {
    if (!threadId || !run || live) return;
    const ctrl = new AbortController();
    const entries: LogEntry[] = [];
    setLog({ runId: run.run_id, entries: [], done: false });
    (async () => {
      try {
        for await (const part of client.runs.joinStream(threadId, run.run_id, { signal: ctrl.signal, lastEventId: "-1" })) {
          // The same kinds of events as a live log: tasks starting and ending, checkpoints, node updates, errors.
          if (!/^(debug|updates|tasks|error)(\||$)/.test(part.event)) continue;
          entries.push(toLogEntry(entries.length + 1, part.event, part.data));
          setLog({ runId: run.run_id, entries: [...entries], done: false });
        }
      } catch {
        // Aborted, or the run is gone: what arrived stays.
      }
      if (!ctrl.signal.aborted) setLog({ runId: run.run_id, entries: [...entries], done: true });
    })();
    return () => ctrl.abort();
  }, [client, threadId, run?.run_id, live]);
  return log?.runId === run?.run_id ? log : undefined;
}

/** One event: its payload is rendered only once opened (a long log stays light, and its text is not on the page twice). */
function EventRow({ entry }: { entry: LogEntry }) {
  const [open, setOpen] = useState(false);
  return (
    <details onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>
        <span className="event-type">{entry.type}</span> {entry.node && <strong>{entry.node}</strong>} {entry.step !== undefined && <span className="muted small">step {entry.step}</span>}{" "}
        <span className="muted small">{logSummary(entry)}</span>
      </summary>
      {open && <pre className="mono small">{JSON.stringify(entry.data, null, 2)}</pre>}
    </details>
  );
}

export function RunsPanel({ client, threadId, version, liveLogs, logVersion, selected, onSelect, report }: RunsPanelProps) {
  const [runs, setRuns] = useState<Run[]>([]);
  const [node, setNode] = useState("");
  const load = async (quiet = false) => {
    if (!threadId) return setRuns([]);
    try {
      setRuns(await client.runs.list(threadId, { limit: 20 }));
    } catch (err) {
      if (!quiet) report(err);
    }
  };
  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, threadId, version]);
  const anyActive = runs.some((r) => r.status === "pending" || r.status === "running");
  useVisiblePolling(() => void load(true), 2000, anyActive);

  const run = runs.find((r) => r.run_id === selected);
  const live = selected !== undefined && liveLogs.has(selected);
  const joined = useJoinedLog(client, threadId, live ? undefined : run, live);
  const entries = useMemo(() => (live ? [...liveLogs.get(selected!)!] : (joined?.entries ?? [])), [live, liveLogs, selected, joined, logVersion]);
  const nodes = logNodes(entries);
  const shown = filterLog(entries, node || undefined);

  return (
    <section aria-label="Runs" className="panel runs-panel">
      <div className="panel-title">
        <h2>Runs</h2>
        <span className="muted small">{runs.length} on this thread</span>
      </div>
      <ul aria-label="Run list" className="run-list">
        {runs.map((r) => (
          <li key={r.run_id} className={r.run_id === selected ? "selected" : undefined}>
            <button type="button" aria-pressed={r.run_id === selected} onClick={() => onSelect(r.run_id === selected ? undefined : r.run_id)}>
              <span className={`badge ${r.status}`}>{r.status}</span>
              <span className="mono small">{r.run_id.slice(0, 8)}</span>
              <span className="muted small">{shortTime(r.created_at).slice(0, 8)}</span>
              <span className="small">{r.status === "pending" || r.status === "running" ? "…" : duration(r.created_at, r.updated_at)}</span>
            </button>
          </li>
        ))}
      </ul>
      {run && (
        <section aria-label="Events" className="events">
          <div className="panel-title">
            <h3>Events of {run.run_id.slice(0, 8)}</h3>
            <label className="small">
              Node{" "}
              <select aria-label="Filter events by node" value={node} onChange={(e) => setNode(e.target.value)}>
                <option value="">all</option>
                {nodes.map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {shown.length === 0 ? (
            <p className="muted small">{live || !joined?.done ? "Waiting for events…" : "No events were kept for this run (only runs started with stream_resumable keep theirs)."}</p>
          ) : (
            <ol className="event-log" aria-label="Event log">
              {shown.map((e) => (
                <li key={e.seq}>
                  <EventRow entry={e} />
                </li>
              ))}
            </ol>
          )}
        </section>
      )}
    </section>
  );
}
