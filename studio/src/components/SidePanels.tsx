import type { Interrupt } from "@langchain/langgraph-sdk";
import { useState } from "react";
import { shortTime, type TimelineEntry } from "../lib/history.js";
import { parseJsonText, parseResumeValue } from "../lib/resume.js";
import { withoutInterrupt } from "./GraphInput.js";
import { JsonTree } from "./JsonTree.js";

export function StatePanel({ values, checkpoint, onLatest }: { values: Record<string, unknown> | undefined; checkpoint?: TimelineEntry; onLatest: () => void }) {
  return (
    <section aria-label="State" className="panel state-panel">
      <div className="panel-title">
        <h2>State</h2>
        {checkpoint ? (
          <>
            <span className="muted small">
              at step {checkpoint.step ?? "?"} ({checkpoint.checkpointId.slice(0, 8)})
            </span>
            <button type="button" className="link" onClick={onLatest}>
              Show latest
            </button>
          </>
        ) : (
          <span className="muted small">latest</span>
        )}
      </div>
      {values === undefined || Object.keys(values).length === 0 ? <p className="muted">Empty: no checkpoint yet.</p> : <JsonTree value={withoutInterrupt(values)} openDepth={1} label="State values" />}
    </section>
  );
}

export interface HistoryPanelProps<T> {
  entries: Array<TimelineEntry & { state: T & { values?: unknown } }>;
  selected: string | undefined;
  busy: boolean;
  truncated: boolean;
  onSelect: (id: string | undefined) => void;
  onFork: (entry: TimelineEntry & { state: T }, values: Record<string, unknown>) => void;
  onRerun: (entry: TimelineEntry & { state: T }) => void;
}

export function HistoryPanel<T>({ entries, selected, busy, truncated, onSelect, onFork, onRerun }: HistoryPanelProps<T>) {
  const [forking, setForking] = useState<{ id: string; text: string; error?: string } | undefined>();
  return (
    <section className="panel history-panel" aria-labelledby="history-title">
      <div className="panel-title">
        <h2 id="history-title">History</h2>
        <span className="muted small">{entries.length} checkpoints{truncated ? " (newest)" : ""}</span>
      </div>
      <ol aria-label="History" className="history-list">
        {entries.map((e) => (
          <li key={e.checkpointId} className={e.checkpointId === selected ? "selected" : undefined}>
            <button type="button" className="history-open" aria-pressed={e.checkpointId === selected} onClick={() => onSelect(e.checkpointId === selected ? undefined : e.checkpointId)} title={`${e.time ?? ""}\ncheckpoint ${e.checkpointId}\nnext: ${e.next.join(", ") || "(end)"}`}>
              <span className="step">step {e.step ?? "?"}</span>
              <span className="node">{e.nodes.join(", ") || "—"}</span>
              <span className="muted small">{shortTime(e.time)}</span>
              {e.head && <span className="badge">head</span>}
              {e.interrupted && <span className="badge interrupted">interrupt</span>}
              {e.error && <span className="badge error">error</span>}
            </button>
            <span className="history-actions">
              <button type="button" disabled={busy} onClick={() => setForking({ id: e.checkpointId, text: JSON.stringify(withoutInterrupt((e.state.values ?? {}) as Record<string, unknown>) ?? {}, null, 2) })}>
                Fork
              </button>
              <button type="button" disabled={busy || e.next.length === 0} title={e.next.length === 0 ? "Nothing runs after this checkpoint" : `Runs ${e.next.join(", ")} again from here`} onClick={() => onRerun(e)}>
                Re-run from here
              </button>
            </span>
            {forking?.id === e.checkpointId && (
              <form
                className="fork-editor"
                onSubmit={(ev) => {
                  ev.preventDefault();
                  const parsed = parseJsonText(forking.text);
                  if (!parsed.ok || typeof parsed.value !== "object" || parsed.value === null || Array.isArray(parsed.value)) {
                    setForking({ ...forking, error: parsed.ok ? "The values must be a JSON object" : parsed.error });
                    return;
                  }
                  setForking(undefined);
                  onFork(e, parsed.value as Record<string, unknown>);
                }}
              >
                <label htmlFor={`fork-${e.checkpointId}`} className="small">
                  Values at step {e.step ?? "?"} (edit, then run from here on a new branch)
                </label>
                <textarea id={`fork-${e.checkpointId}`} className="mono" rows={8} value={forking.text} onChange={(ev) => setForking({ ...forking, text: ev.target.value, error: undefined })} />
                {forking.error && <div className="field-error">{forking.error}</div>}
                <div className="composer-buttons">
                  <button type="submit" className="primary">
                    Run with these values
                  </button>
                  <button type="button" onClick={() => setForking(undefined)}>
                    Cancel
                  </button>
                </div>
              </form>
            )}
          </li>
        ))}
      </ol>
      {entries.length === 0 && <p className="muted">No checkpoints yet.</p>}
    </section>
  );
}

export function InterruptPanel({ interrupts, busy, onResume }: { interrupts: Array<Interrupt & { when?: string }>; busy: boolean; onResume: (interrupt: Interrupt, value: unknown) => void }) {
  const [texts, setTexts] = useState<Record<string, string>>({});
  if (interrupts.length === 0) return null;
  return (
    <section aria-label="Interrupt" className="panel interrupt-panel">
      <div className="panel-title">
        <h2>Interrupted</h2>
        <span className="muted small">{interrupts.length === 1 ? "waiting for a value" : `${interrupts.length} interrupts wait, each resumes on its own`}</span>
      </div>
      {interrupts.map((it, i) => {
        const key = it.id ?? `i${i}`;
        const text = texts[key] ?? "";
        const parsed = parseResumeValue(text);
        return (
          <form
            key={key}
            className="interrupt"
            onSubmit={(e) => {
              e.preventDefault();
              onResume(it, parsed.value);
              setTexts((t) => ({ ...t, [key]: "" }));
            }}
          >
            {it.when === "breakpoint" ? <p>Paused at a breakpoint: Resume continues the run (the value is not used).</p> : <JsonTree value={it.value} openDepth={2} label="Interrupt value" />}
            <label htmlFor={`resume-${key}`} className="small">
              Resume value
            </label>
            <textarea id={`resume-${key}`} aria-label="Resume value" rows={2} value={text} onChange={(e) => setTexts((t) => ({ ...t, [key]: e.target.value }))} />
            <div className="muted small">Sent as {parsed.kind === "json" ? "JSON" : "text"}: {JSON.stringify(parsed.value)}</div>
            <button type="submit" className="primary" disabled={busy}>
              Resume
            </button>
          </form>
        );
      })}
    </section>
  );
}
