import { StreamOrchestrator } from "@langchain/langgraph-sdk/ui";
import { describe, expect, it } from "vitest";
import { serveFixture } from "../helpers/serve-fixture.js";

/**
 * The SDK's `useStream` hook without a browser: its framework-free core (StreamOrchestrator, which the React, Vue,
 * Svelte and Angular bindings wrap) driven against lg-dev with the real Client. It consumes `values`, `updates`,
 * `messages-tuple` and `metadata` events, reads the run from Content-Location, and joins queued runs with
 * Last-Event-ID -1.
 */
type Msg = { type?: string; content: unknown; getType?: () => string };
const typeOf = (m: Msg) => m.type ?? m.getType?.();
const human = (content: string) => ({ messages: [{ type: "human", content }] });

async function until(check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("useStream's stream orchestrator", () => {
  const served = serveFixture("streams");
  const orchestrator = (assistantId: string, options: Record<string, unknown> = {}) =>
    new StreamOrchestrator({ assistantId, ...options } as never, {
      getClient: () => served.client,
      getAssistantId: () => assistantId,
      getMessagesKey: () => "messages",
    });

  it("submit: tokens arrive as a growing message, the run is known from the response, the final messages are the state's", async () => {
    const created: Array<{ run_id: string; thread_id: string }> = [];
    const metadata: Array<{ run_id: string }> = [];
    const errors: unknown[] = [];
    const orch = orchestrator("agent", {
      onCreated: (m: { run_id: string; thread_id: string }) => created.push(m),
      onMetadataEvent: (m: { run_id: string }) => metadata.push(m),
      onError: (e: unknown) => errors.push(e),
    });
    orch.trackStreamMode("messages-tuple");
    const seen: string[] = [];
    orch.subscribe(() => {
      const last = orch.messages.at(-1) as Msg | undefined;
      if (last && typeOf(last) === "ai" && typeof last.content === "string") seen.push(last.content);
    });
    await orch.submit(human("what is the weather?"));
    expect(errors).toEqual([]);
    expect(orch.error).toBeUndefined();
    expect(orch.threadId).toBeDefined();
    expect(created).toEqual([{ run_id: metadata[0]!.run_id, thread_id: orch.threadId }]);
    const messages = orch.messages as Msg[];
    expect(messages.map(typeOf)).toEqual(["human", "ai", "tool", "ai", "ai"]);
    expect(messages.map((m) => m.content)).toEqual(["what is the weather?", "", "sunny (weather)", "It is sunny today", "quiet note"]);
    // The model's answer was seen growing token by token (messages-tuple), not only whole.
    expect(seen.filter((c) => c.length > 0 && "It is sunny today".startsWith(c) && c !== "It is sunny today").length).toBeGreaterThan(3);
    const state = await served.client.threads.getState(orch.threadId!);
    expect((state.values as { messages: Msg[] }).messages.map((m) => m.content)).toEqual(messages.map((m) => m.content));
    orch.dispose();
  });

  it("a submit while a run streams is queued (enqueue, resumable) and joined from its first event when its turn comes", async () => {
    const errors: unknown[] = [];
    const created: unknown[] = [];
    const orch = orchestrator("slowchat", { onError: (e: unknown) => errors.push(e), onCreated: (m: unknown) => created.push(m) });
    const first = orch.submit(human("one"));
    // Wait until the server has the first run: the hook knows the thread before it sends that run, and a second
    // submit sent in between would be created first (then the first run, sent with the default "reject", gets a 409).
    await until(() => orch.isLoading && created.length === 1);
    await orch.submit(human("two"));
    expect(orch.pendingRuns.size).toBe(1);
    await first;
    await until(() => !orch.isLoading && orch.pendingRuns.size === 0 && orch.messages.length === 4);
    expect(errors).toEqual([]);
    expect((orch.messages as Msg[]).map((m) => m.content)).toEqual(["one", "a slow answer", "two", "a slow answer"]);
    const runs = await served.client.runs.list(orch.threadId!);
    expect(runs.map((r) => r.status)).toEqual(["success", "success"]);
    orch.dispose();
  });

  it("a failing run surfaces as the hook's error", async () => {
    const errors: unknown[] = [];
    const orch = orchestrator("fail", { onError: (e: unknown) => errors.push(e) });
    await orch.submit(human("x"));
    expect(errors).toHaveLength(1);
    expect(orch.error).toMatchObject({ name: "LookupFailed", message: "the lookup failed" });
    orch.dispose();
  });
});
