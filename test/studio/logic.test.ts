/** The Studio's small pure parts: URL state, JSON tree, history timeline, event log, resume values, errors. */
import { describe, expect, it } from "vitest";
import { describeError } from "../../studio/src/lib/errors.js";
import { applyRunning, applyUpdates, filterLog, logNodes, toLogEntry } from "../../studio/src/lib/events.js";
import { duration, timeline } from "../../studio/src/lib/history.js";
import { treeRows } from "../../studio/src/lib/json-tree.js";
import { parseMetadataFilter } from "../../studio/src/lib/metadata-filter.js";
import { keepStoppedMessages, withoutStopped } from "../../studio/src/lib/stopped.js";
import { parseJsonText, parseResumeValue } from "../../studio/src/lib/resume.js";
import { formatUrlState, parseUrlState } from "../../studio/src/lib/url-state.js";

describe("URL state", () => {
  it("round-trips assistant, thread and mode, keeping foreign parameters", () => {
    expect(parseUrlState("?assistant=agent&thread=t-1&mode=graph")).toEqual({ assistant: "agent", thread: "t-1", mode: "graph" });
    expect(parseUrlState("?mode=weird&thread=")).toEqual({});
    const q = formatUrlState({ assistant: "a b", thread: "t" }, "?x=1&mode=chat");
    expect(q).toBe("?x=1&assistant=a+b&thread=t");
    expect(parseUrlState(q)).toEqual({ assistant: "a b", thread: "t" });
    expect(formatUrlState({}, "")).toBe("");
  });
});

describe("JSON tree rows", () => {
  const value = { messages: [{ content: "hi" }, { content: "yo" }], n: 1, empty: {}, s: "text" };

  it("opens the first level by default and toggles by path", () => {
    const rows = treeRows(value, new Set());
    expect(rows.map((r) => [r.path, r.text])).toEqual([
      ["", "{4 keys}"],
      ["/messages", "[2 items]"],
      ["/n", "1"],
      ["/empty", "{}"],
      ["/s", '"text"'],
    ]);
    expect(rows[1]).toMatchObject({ expandable: true, expanded: false, depth: 1, label: "messages" });
    expect(rows[3]!.expandable).toBe(false);
    const opened = treeRows(value, new Set(["/messages", "/messages/1"]));
    expect(opened.map((r) => r.path)).toContain("/messages/1/content");
    expect(opened.map((r) => r.path)).not.toContain("/messages/0/content");
    // Toggling the root closes it.
    expect(treeRows(value, new Set([""]))).toHaveLength(1);
    expect(treeRows({ "a/b": { "~": 1 } }, new Set(["/a~1b"])).map((r) => r.path)).toEqual(["", "/a~1b", "/a~1b/~0"]);
  });
});

describe("history timeline", () => {
  const cp = (id: string, parent: string | undefined, step: number, source: string, tasks: string[], extra: Record<string, unknown> = {}) => ({
    checkpoint: { checkpoint_id: id },
    parent_checkpoint: parent ? { checkpoint_id: parent } : null,
    metadata: { step, source },
    next: tasks,
    tasks: tasks.map((name) => ({ name, interrupts: [] as unknown[] })),
    created_at: `2026-01-01T00:00:0${step + 1}.000Z`,
    ...extra,
  });

  it("names the node that wrote each checkpoint from its parent's tasks", () => {
    const states = [cp("c3", "c2", 2, "loop", []), cp("c2", "c1", 1, "loop", ["tools"]), cp("c1", "c0", 0, "loop", ["agent"]), cp("c0", undefined, -1, "input", ["__start__"])];
    const t = timeline(states);
    expect(t.map((e) => [e.checkpointId, e.step, e.nodes.join(",")])).toEqual([
      ["c3", 2, "tools"],
      ["c2", 1, "agent"],
      ["c1", 0, "input"],
      ["c0", -1, "input"],
    ]);
    expect(t[0]!.head).toBe(true);
    expect(t[1]!.head).toBe(false);
    expect(t[0]!.state).toBe(states[0]);
  });

  it("marks updates, interrupts and errors", () => {
    const t = timeline([
      cp("u", "a", 3, "update", [], { metadata: { step: 3, source: "update", writes: { ask: { x: 1 } } } }),
      { ...cp("a", undefined, 2, "loop", ["ask"]), tasks: [{ name: "ask", interrupts: [{ value: 1 }] }, { name: "b", error: "boom" }] },
    ]);
    expect(t[0]!.nodes).toEqual(["ask"]);
    expect(t[1]).toMatchObject({ interrupted: true, error: true });
  });

  it("formats run durations", () => {
    expect(duration("2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.250Z")).toBe("250 ms");
    expect(duration("2026-01-01T00:00:00.000Z", "2026-01-01T00:00:02.500Z")).toBe("2.5 s");
    expect(duration("2026-01-01T00:00:00.000Z", "2026-01-01T00:03:05.000Z")).toBe("3 min 5 s");
    expect(duration(undefined, "x")).toBe("");
  });
});

describe("event log", () => {
  const task = (id: string, name: string) => ({ type: "task", step: 1, payload: { id, name, input: {} } });
  const result = (id: string, name: string) => ({ type: "task_result", step: 1, payload: { id, name, result: [] } });

  it("tracks running nodes by task, in subgraphs too", () => {
    let running = new Map<string, string>();
    running = applyRunning(running, "debug", task("t1", "agent"));
    running = applyRunning(running, "debug|child:9", task("t2", "first"));
    expect([...running.values()]).toEqual(["agent", "child:first"]);
    running = applyRunning(running, "debug", result("t1", "agent"));
    expect([...running.values()]).toEqual(["child:first"]);
    running = applyRunning(running, "tasks|child:9", { id: "t2", name: "first", result: {} });
    expect(running.size).toBe(0);
    expect(applyRunning(running, "values", {})).toBe(running);
  });

  it("keeps each node's last update and filters the log by node", () => {
    const last = applyUpdates(applyUpdates({}, "updates", { agent: { n: 1 } }), "updates|child:1", { first: { n: 2 } });
    expect(applyUpdates(last, "updates", { agent: { n: 3 }, __interrupt__: [] })).toEqual({ agent: { n: 3 }, "child:first": { n: 2 } });
    const log = [toLogEntry(1, "debug", task("t1", "agent")), toLogEntry(2, "debug|child:1", task("t2", "first")), toLogEntry(3, "updates", { agent: {} }), toLogEntry(4, "values", {})];
    expect(log.map((e) => [e.type, e.node])).toEqual([
      ["task", "agent"],
      ["task", "child:first"],
      ["updates", "agent"],
      ["values", undefined],
    ]);
    expect(logNodes(log)).toEqual(["agent", "child:first"]);
    expect(filterLog(log, "agent").map((e) => e.seq)).toEqual([1, 3]);
    expect(filterLog(log, "child").map((e) => e.seq)).toEqual([2]);
    expect(filterLog(log, undefined)).toHaveLength(4);
  });
});

describe("inputs", () => {
  it("resume values are JSON when they parse, text otherwise", () => {
    expect(parseResumeValue('{"ok": true}')).toEqual({ value: { ok: true }, kind: "json" });
    expect(parseResumeValue("42")).toEqual({ value: 42, kind: "json" });
    expect(parseResumeValue("yes please")).toEqual({ value: "yes please", kind: "text" });
    expect(parseJsonText("{")).toMatchObject({ ok: false });
    expect(parseJsonText(" ")).toEqual({ ok: true, value: undefined });
  });

  it("metadata filters from key=value pairs or JSON", () => {
    expect(parseMetadataFilter("owner=user1, n=3 flag=true")).toEqual({ filter: { owner: "user1", n: 3, flag: true } });
    expect(parseMetadataFilter('{"a": {"b": 1}}')).toEqual({ filter: { a: { b: 1 } } });
    expect(parseMetadataFilter("oops").error).toMatch(/key=value/);
    expect(parseMetadataFilter("[1]").error).toMatch(/key=value/);
    expect(parseMetadataFilter("{[").error).toMatch(/Invalid JSON/);
    expect(parseMetadataFilter("")).toEqual({});
  });

  it("errors: 401 and 403 say who was refused and what to do", () => {
    const e401 = Object.assign(new Error('HTTP 401: {"detail":"Invalid token"}'), { status: 401 });
    expect(describeError(e401, undefined)).toMatchObject({ status: 401, title: "401 Unauthorized" });
    expect(describeError(e401, undefined).detail).toMatch(/Studio user.*Invalid token.*Set an Authorization header/);
    expect(describeError(e401, "Bearer x").detail).toMatch(/Authorization header you set.*Check the token/);
    const e403 = Object.assign(new Error("HTTP 403: Forbidden"), { status: 403 });
    expect(describeError(e403, "Bearer x")).toMatchObject({ title: "403 Forbidden" });
    expect(describeError(new TypeError("Failed to fetch"), undefined).title).toBe("Server unreachable");
  });
});

describe("store namespaces", async () => {
  const { namespaceTree, parseNamespace } = await import("../../studio/src/lib/store-tree.js");
  it("builds a sorted tree, marking where namespaces end", () => {
    const tree = namespaceTree([["users", "u2"], ["users", "u1", "memories"], ["docs"], ["users", "u1"]]);
    expect(tree.map((n) => n.label)).toEqual(["docs", "users"]);
    const users = tree[1]!;
    expect(users.leaf).toBe(false);
    expect(users.children.map((c) => [c.label, c.leaf, c.path.join("/")])).toEqual([
      ["u1", true, "users/u1"],
      ["u2", true, "users/u2"],
    ]);
    expect(users.children[0]!.children[0]).toMatchObject({ label: "memories", path: ["users", "u1", "memories"], leaf: true });
  });

  it("parses typed namespaces", () => {
    expect(parseNamespace("users.u1")).toEqual({ namespace: ["users", "u1"] });
    expect(parseNamespace("users/u1/memories")).toEqual({ namespace: ["users", "u1", "memories"] });
    expect(parseNamespace('["a.b", "c"]')).toEqual({ namespace: ["a.b", "c"] });
    expect(parseNamespace("a..b").error).toMatch(/empty label/);
    expect(parseNamespace("[]").error).toMatch(/non-empty array/);
    expect(parseNamespace(" ").error).toMatch(/required/);
  });
});

describe("what Stop leaves on screen", () => {
  const human = { id: "h1", type: "human", content: "slow" };
  const partial = { id: "run-1", type: "ai", content: "word0 word1 " };
  it("keeps the streamed messages the server's head lacks, after its messages, and names them", () => {
    const head = { messages: [human] };
    expect(keepStoppedMessages(head, [human, partial])).toEqual({ messages: [human, partial], kept: ["run-1"] });
  });
  it("a message the server saved is the server's, unmarked", () => {
    const saved = { ...partial, content: "word0 word1 word2 " };
    expect(keepStoppedMessages({ messages: [human, saved] }, [human, partial])).toEqual({ messages: [human, saved], kept: [] });
  });
  it("leaves out empty messages, messages without id, and ones before the head's last", () => {
    const older = { id: "gone", type: "ai", content: "removed by the graph" };
    const empty = { id: "run-2", type: "ai", content: "" };
    const call = { id: "run-3", type: "ai", content: "", tool_calls: [{ name: "t", args: {} }] };
    const result = keepStoppedMessages({ messages: [human] }, [older, human, empty, { type: "ai", content: "x" }, call]);
    expect(result).toEqual({ messages: [human, call], kept: ["run-3"] });
    expect(keepStoppedMessages({}, [])).toEqual({ messages: [], kept: [] });
  });
  it("the State panel's values leave the unsaved ones out", () => {
    const values = { messages: [human, partial], other: 1 };
    expect(withoutStopped(values, new Set(["run-1"]))).toEqual({ messages: [human], other: 1 });
    expect(withoutStopped(values, new Set())).toBe(values);
    expect(withoutStopped(null, new Set(["run-1"]))).toBeNull();
  });
});
