import type { Assistant, Client, Interrupt, Message } from "@langchain/langgraph-sdk";
import { useStream } from "@langchain/langgraph-sdk/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ApiErrorInfo } from "../lib/errors.js";
import { applyRunning, applyUpdates, toLogEntry, type LogEntry } from "../lib/events.js";
import { timeline } from "../lib/history.js";
import { keepStoppedMessages, withoutStopped } from "../lib/stopped.js";
import type { StudioStream, SubmitOptions } from "../stream-types.js";
import { useThreadHistory } from "../thread-history.js";
import { Chat } from "./Chat.js";
import { GraphInput, withoutInterrupt, type NodeUpdate } from "./GraphInput.js";
import { GraphView } from "./GraphView.js";
import { RunsPanel } from "./RunsPanel.js";
import { HistoryPanel, InterruptPanel, StatePanel } from "./SidePanels.js";

/**
 * Every run the Studio starts streams the values, tokens, per-node updates and the debug log (tasks starting and
 * ending: the live highlight), from subgraphs too; it is resumable so the event log can be replayed later, and a
 * closed page cancels it, as Stop does.
 */
const RUN_OPTIONS: SubmitOptions = {
  streamMode: ["values", "messages-tuple", "updates", "debug"],
  streamSubgraphs: true,
  streamResumable: true,
  onDisconnect: "cancel",
};

export interface WorkspaceProps {
  client: Client;
  assistant: Assistant;
  inputSchema: object | null | undefined;
  threadId: string | undefined;
  onThreadId: (id: string) => void;
  mode: "chat" | "graph";
  report: (err: unknown) => void;
  explain: (err: unknown) => ApiErrorInfo;
  onThreadsChanged: () => void;
}

const eventName = (base: string, namespace: string[] | undefined) => (namespace && namespace.length > 0 ? `${base}|${namespace.join("|")}` : base);

/** Top-level keys whose value differs (what a fork writes: unchanged keys must not go through reducers again). */
function changedKeys(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(after)) if (JSON.stringify(before[k]) !== JSON.stringify(v)) out[k] = v;
  return out;
}

export function Workspace({ client, assistant, inputSchema, threadId, onThreadId, mode, report, explain, onThreadsChanged }: WorkspaceProps) {
  const history = useThreadHistory(client, threadId, report);
  const [running, setRunning] = useState<Map<string, string>>(() => new Map());
  const [seen, setSeen] = useState<string[]>([]);
  const [lastUpdates, setLastUpdates] = useState<Record<string, unknown>>({});
  const [updates, setUpdates] = useState<NodeUpdate[]>([]);
  const [selectedRun, setSelectedRun] = useState<string | undefined>();
  const [selectedCheckpoint, setSelectedCheckpoint] = useState<string | undefined>();
  const [runsVersion, setRunsVersion] = useState(0);
  const [logVersion, setLogVersion] = useState(0);
  const logs = useRef(new Map<string, LogEntry[]>());
  const activeRun = useRef<{ runId: string; threadId: string } | undefined>(undefined);
  const createdThread = useRef<string | undefined>(undefined);
  // Messages streamed before a Stop that the server did not save (the cut-off answer): kept on screen, marked.
  const [stopped, setStopped] = useState<ReadonlySet<string>>(() => new Set());
  const shownMessages = useRef<Message[]>([]);

  // A thread opened from the list starts clean; the thread a first message just created keeps what streamed.
  useEffect(() => {
    if (threadId !== undefined && threadId === createdThread.current) return;
    setRunning(new Map());
    setSeen([]);
    setLastUpdates({});
    setUpdates([]);
    setSelectedRun(undefined);
    setSelectedCheckpoint(undefined);
    setStopped(new Set());
  }, [threadId]);

  const onEvent = useCallback((event: string, data: unknown) => {
    setRunning((r) => applyRunning(r, event, data));
    const run = activeRun.current?.runId;
    if (run) {
      const log = logs.current.get(run) ?? [];
      const entry = toLogEntry(log.length + 1, event, data);
      log.push(entry);
      logs.current.set(run, log);
      setLogVersion((v) => v + 1);
      if (entry.node) setSeen((s) => (s.includes(entry.node!) ? s : [...s, entry.node!]));
    }
    if (event.startsWith("updates")) {
      setLastUpdates((u) => applyUpdates(u, event, data));
      if (data && typeof data === "object") {
        const ns = event.split("|").slice(1);
        setUpdates((list) => [
          ...list,
          ...Object.entries(data as Record<string, unknown>)
            .filter(([k]) => !k.startsWith("__"))
            .map(([node, update], i) => ({ seq: list.length + i + 1, node: [...ns.map((p) => p.split(":")[0]), node].join(":"), update })),
        ]);
      }
    }
  }, []);

  const stream = useStream({
    client,
    assistantId: assistant.assistant_id,
    threadId: threadId ?? null,
    onThreadId: (id: string) => {
      createdThread.current = id;
      onThreadId(id);
    },
    fetchStateHistory: { limit: 200 },
    thread: history as never,
    messagesKey: "messages",
    onCreated: (meta: { run_id: string; thread_id: string }) => {
      activeRun.current = { runId: meta.run_id, threadId: meta.thread_id };
      logs.current.set(meta.run_id, []);
      setSelectedRun(meta.run_id);
      setRunsVersion((v) => v + 1);
      onThreadsChanged();
    },
    onDebugEvent: (data: unknown, opts: { namespace?: string[] }) => onEvent(eventName("debug", opts?.namespace), data),
    onUpdateEvent: (data: unknown, opts: { namespace?: string[] }) => onEvent(eventName("updates", opts?.namespace), data),
    // After Stop the hook shows the thread's head as read again; `mutate` applies over it. What streamed and the head
    // lacks (a node cut off mid-answer writes nothing) stays, marked as stopped.
    onStop: ({ mutate }: { mutate: (update: (prev: Record<string, unknown>) => Record<string, unknown>) => void }) => {
      const shown = shownMessages.current;
      mutate((prev) => {
        const { messages, kept } = keepStoppedMessages(prev, shown);
        if (kept.length === 0) return {};
        setStopped((s) => new Set([...s, ...kept]));
        return { messages };
      });
    },
    onError: (err: unknown) => {
      // Graph errors are shown with the conversation; refusals and server errors go to the page's alert.
      if (typeof (err as { status?: unknown })?.status === "number") report(err);
    },
  } as never) as unknown as StudioStream;
  shownMessages.current = stream.messages;

  const loading = stream.isLoading;
  useEffect(() => {
    if (loading) return;
    setRunning(new Map());
    setRunsVersion((v) => v + 1);
    onThreadsChanged();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [loading]);

  // A thread opened while a run goes on (started elsewhere): follow it, so tokens and the highlight show live.
  useEffect(() => {
    if (!threadId || threadId === createdThread.current) return;
    let cancelled = false;
    client.runs.list(threadId, { limit: 5 }).then(
      (runs) => {
        const live = runs.find((r) => r.status === "running" || r.status === "pending");
        if (cancelled || !live || stream.isLoading) return;
        activeRun.current = { runId: live.run_id, threadId };
        logs.current.set(live.run_id, []);
        setSelectedRun(live.run_id);
        void stream.joinStream(live.run_id);
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, threadId]);

  const run = (input: unknown, extra: SubmitOptions = {}) => {
    setUpdates([]);
    setStopped(new Set());
    setSelectedCheckpoint(undefined);
    void stream.submit(input, { ...RUN_OPTIONS, ...extra });
  };
  const stop = async () => {
    const active = activeRun.current;
    if (active) client.runs.cancel(active.threadId, active.runId).catch(() => undefined);
    await stream.stop();
  };
  const sendMessage = (text: string) => run({ messages: [{ type: "human", content: text }] });
  const editMessage = (message: Message, index: number, text: string) => {
    const meta = stream.getMessagesMetadata(message, index);
    const parent = meta?.firstSeenState?.parent_checkpoint;
    run({ messages: [{ type: "human", content: text }] }, { checkpoint: parent ?? null });
  };
  const resume = (interrupt: Interrupt & { when?: string }, value: unknown) => {
    // A breakpoint (interrupt_before/after) continues with no input; an interrupt() gets the value.
    if (interrupt.when === "breakpoint") return run(null);
    const pending = pendingInterrupts.filter((i) => i.id);
    // Several interrupts wait: resume only this one (a map by interrupt id); the others stay pending.
    run(null, { command: { resume: pending.length > 1 && interrupt.id ? { [interrupt.id]: value } : value } });
  };

  const entries = useMemo(() => timeline(history.data ?? []), [history.data]);
  const selectedEntry = entries.find((e) => e.checkpointId === selectedCheckpoint);
  const fork = async (entry: (typeof entries)[number], edited: Record<string, unknown>) => {
    if (!threadId) return;
    try {
      const changed = changedKeys((withoutInterrupt(entry.state.values as Record<string, unknown>) ?? {}) as Record<string, unknown>, edited);
      if (Object.keys(changed).length === 0) return run(null, { checkpoint: entry.state.checkpoint });
      // The API answers `{checkpoint}` (the SDK's type says `{configurable}`).
      const forked = (await client.threads.updateState(threadId, { values: changed, checkpointId: entry.checkpointId })) as unknown as { checkpoint: SubmitOptions["checkpoint"] };
      run(null, { checkpoint: forked.checkpoint });
    } catch (err) {
      report(err);
    }
  };
  const describeNode = (id: string) => {
    if (id in lastUpdates) return { title: `Last update of ${id}`, value: lastUpdates[id] };
    // From the history: the newest checkpoint this node (or, inside a subgraph, the subgraph's node) wrote.
    const parts = id.split(":");
    for (let i = parts.length; i >= 1; i -= 1) {
      const owner = parts.slice(0, i).join(":");
      const written = entries.find((e) => e.nodes.includes(owner));
      if (!written) continue;
      const parent = entries.find((e) => e.checkpointId === written.parentId);
      const after = (written.state.values ?? {}) as Record<string, unknown>;
      const what = owner === id ? id : `${owner} (the subgraph ${id} runs in)`;
      return { title: `Last update of ${what}, step ${written.step ?? "?"} (from the history)`, value: parent ? changedKeys((parent.state.values ?? {}) as Record<string, unknown>, after) : after };
    }
    return undefined;
  };
  const runningIds = useMemo(() => new Set(running.values()), [running]);
  // A task that has a result answered its interrupt (several were pending and one was resumed): not pending any more.
  const pendingInterrupts = useMemo(() => {
    const answered = new Set<string>();
    for (const s of history.data ?? []) for (const t of s.tasks ?? []) if (t.result != null) for (const i of t.interrupts ?? []) if (i.id) answered.add(i.id);
    // A run cut off by Stop leaves its node in `next` just as a breakpoint does; only the thread's status tells them apart.
    const paused = history.status === "interrupted";
    return stream.interrupts.filter((i) => (i.id ? !answered.has(i.id) : i.when !== "breakpoint" || paused));
  }, [history.data, history.status, stream.interrupts]);
  const error = stream.error as { message?: string } | undefined;

  return (
    <div className="workspace">
      <div className="center">
        <GraphView client={client} assistantId={assistant.assistant_id} graphId={assistant.graph_id} running={runningIds} seen={seen} describeNode={describeNode} report={report} explain={explain} />
        <div className="panel conversation">
          {mode === "chat" ? (
            <Chat stream={stream} stopped={stopped} onSend={sendMessage} onEdit={editMessage} onStop={() => void stop()} />
          ) : (
            <GraphInput stream={stream} inputSchema={inputSchema} updates={updates} onRun={(input) => run(input)} onStop={() => void stop()} />
          )}
          {error && !loading && (
            <div className="run-error" role="alert">
              Run failed: {error.message ?? String(error)}
            </div>
          )}
        </div>
      </div>
      <div className="side">
        {!loading && <InterruptPanel interrupts={pendingInterrupts} busy={loading} onResume={resume} />}
        <StatePanel values={selectedEntry ? (selectedEntry.state.values as Record<string, unknown>) : withoutStopped(stream.values, stopped)} checkpoint={selectedEntry} onLatest={() => setSelectedCheckpoint(undefined)} />
        <HistoryPanel entries={entries} selected={selectedCheckpoint} busy={loading} truncated={history.truncated} onSelect={setSelectedCheckpoint} onFork={(e, v) => void fork(e, v)} onRerun={(e) => run(null, { checkpoint: e.state.checkpoint })} />
        <RunsPanel client={client} threadId={threadId} version={runsVersion} liveLogs={logs.current} logVersion={logVersion} selected={selectedRun} onSelect={setSelectedRun} report={report} />
      </div>
    </div>
  );
}
