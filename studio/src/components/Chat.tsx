import type { Message } from "@langchain/langgraph-sdk";
import { useEffect, useRef, useState } from "react";
import type { StudioStream } from "../stream-types.js";

/** Text of a message's content: a string, or the text parts of a list of content blocks. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (typeof part === "string" ? part : part && typeof part === "object" && typeof (part as { text?: unknown }).text === "string" ? (part as { text: string }).text : ""))
      .join("");
  }
  return content == null ? "" : JSON.stringify(content);
}

const ROLE: Record<string, string> = { human: "You", ai: "Assistant", tool: "Tool", system: "System" };

function ToolCalls({ message }: { message: Message }) {
  const calls = (message as { tool_calls?: Array<{ id?: string; name: string; args: unknown }> }).tool_calls ?? [];
  if (calls.length === 0) return null;
  return (
    <ul className="tool-calls" aria-label="Tool calls">
      {calls.map((c, i) => (
        <li key={c.id ?? i} className="tool-call">
          <span className="muted small">tool call</span> <strong>{c.name}</strong>
          <pre className="mono small">{JSON.stringify(c.args, null, 2)}</pre>
        </li>
      ))}
    </ul>
  );
}

function BranchSwitcher({ stream, message, index }: { stream: StudioStream; message: Message; index: number }) {
  const meta = stream.getMessagesMetadata(message, index);
  const options = meta?.branchOptions;
  if (!options || options.length < 2 || meta?.branch === undefined) return null;
  const at = options.indexOf(meta.branch);
  return (
    <span className="branch-switcher" role="group" aria-label="Branch">
      <button type="button" className="icon" aria-label="Previous branch" disabled={at <= 0} onClick={() => stream.setBranch(options[at - 1]!)}>
        ‹
      </button>
      <span className="small">
        {at + 1} / {options.length}
      </span>
      <button type="button" className="icon" aria-label="Next branch" disabled={at >= options.length - 1} onClick={() => stream.setBranch(options[at + 1]!)}>
        ›
      </button>
    </span>
  );
}

export interface ChatProps {
  stream: StudioStream;
  /** Ids of messages cut off by Stop that the server did not save (shown, marked). */
  stopped: ReadonlySet<string>;
  onSend: (text: string) => void;
  onEdit: (message: Message, index: number, text: string) => void;
  onStop: () => void;
}

export function Chat({ stream, stopped, onSend, onEdit, onStop }: ChatProps) {
  const [draft, setDraft] = useState("");
  const [editing, setEditing] = useState<{ id: string; text: string } | undefined>();
  const end = useRef<HTMLDivElement>(null);
  const messages = stream.messages;
  const lastText = contentText(messages.at(-1)?.content);
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: "end" });
  }, [messages.length, lastText]);

  const send = () => {
    const text = draft.trim();
    if (!text || stream.isLoading) return;
    setDraft("");
    onSend(text);
  };
  return (
    <div className="chat">
      <section aria-label="Messages" className="messages" aria-live="polite" aria-busy={stream.isLoading}>
        {messages.length === 0 && <p className="muted">{stream.isThreadLoading ? "Loading…" : "No messages yet. Type below; Enter sends."}</p>}
        {messages.map((m, i) => {
          const key = m.id ?? `i${i}`;
          const isEditing = editing?.id === key;
          return (
            <article key={key} className={`message ${m.type}`} aria-label={`${ROLE[m.type] ?? m.type} message`}>
              <header className="message-head">
                <span className="role">{ROLE[m.type] ?? m.type}</span>
                {m.type === "tool" && <span className="muted small">{(m as { name?: string }).name ?? ""} result</span>}
                {m.id !== undefined && stopped.has(m.id) && (
                  <span className="badge interrupted" title="Streamed before Stop; the run was cancelled and the server did not save this message">
                    stopped
                  </span>
                )}
                <BranchSwitcher stream={stream} message={m} index={i} />
                {m.type === "human" && !stream.isLoading && !isEditing && (
                  <button type="button" className="link" onClick={() => setEditing({ id: key, text: contentText(m.content) })}>
                    Edit
                  </button>
                )}
              </header>
              {isEditing ? (
                <form
                  className="edit-message"
                  onSubmit={(e) => {
                    e.preventDefault();
                    setEditing(undefined);
                    onEdit(m, i, editing.text);
                  }}
                >
                  <textarea aria-label="Edited message" value={editing.text} onChange={(e) => setEditing({ id: key, text: e.target.value })} rows={2} />
                  <button type="submit" className="primary">
                    Save and run
                  </button>
                  <button type="button" onClick={() => setEditing(undefined)}>
                    Cancel
                  </button>
                </form>
              ) : (
                <div className="message-body">{contentText(m.content)}</div>
              )}
              {m.type === "ai" && <ToolCalls message={m} />}
            </article>
          );
        })}
        <div ref={end} />
      </section>
      <form
        className="composer"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <textarea
          aria-label="Message"
          placeholder="Message (Enter sends, Shift+Enter for a new line)"
          rows={2}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              send();
            }
          }}
        />
        <div className="composer-buttons">
          <button type="submit" className="primary" disabled={stream.isLoading}>
            Send
          </button>
          <button type="button" onClick={onStop} disabled={!stream.isLoading}>
            Stop
          </button>
        </div>
      </form>
    </div>
  );
}
