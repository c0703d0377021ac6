/**
 * The local Studio in a real browser (Debian's Chromium through playwright-core) against test/fixtures/studio:
 * a tool-calling chat graph with a streaming fake model, a graph with two parallel interrupts and a context schema,
 * and a graph with subgraphs. Found by the accessible names of the testing contract.
 */
import { Client } from "@langchain/langgraph-sdk";
import { describe, expect, it } from "vitest";
import { useBrowser, type StudioPage } from "../helpers/browser.js";
import { serveFixture } from "../helpers/serve-fixture.js";

const served = serveFixture("studio", ["--no-reload", "--no-persist"]);
const browser = useBrowser();
const T = { timeout: 15_000 };

async function open(query = ""): Promise<StudioPage> {
  const p = await browser.open(`${served.server.url}/studio/${query}`);
  await p.page.getByRole("region", { name: "Graph" }).getByRole("button").first().waitFor(T);
  return p;
}
const region = (p: StudioPage, name: string) => p.page.getByRole("region", { name, exact: true });
const noErrors = (p: StudioPage) => expect(p.errors).toEqual([]);

describe("serving and first paint", () => {
  it("serves the page with its title, compressed immutable assets and no CDN; graph and threads show", async () => {
    const res = await fetch(`${served.server.url}/studio/`);
    const html = await res.text();
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const assets = [...html.matchAll(/(?:src|href)="(\/studio\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of assets) {
      const a = await fetch(`${served.server.url}${asset}`, { headers: { "accept-encoding": "br, gzip" } });
      expect(a.status).toBe(200);
      expect(a.headers.get("content-encoding")).toBe("br");
      expect(a.headers.get("cache-control")).toContain("immutable");
    }
    const p = await open("?assistant=agent");
    expect(await p.page.title()).toContain("lg-dev Studio");
    const graph = region(p, "Graph");
    for (const node of ["agent", "tools", "__start__", "__end__"]) await graph.getByRole("button", { name: node, exact: true }).waitFor(T);
    await p.page.getByRole("list", { name: "Threads" }).waitFor(T);
    await expect.poll(() => p.page.getByRole("combobox", { name: "Assistant" }).inputValue()).not.toBe("");
    // Every request the page made stayed on this server.
    noErrors(p);
  });
});

describe("chat mode", () => {
  it("streams tokens, shows tool calls and results; Enter sends; Stop cancels", async () => {
    const p = await open("?assistant=agent");
    const box = p.page.getByRole("textbox", { name: "Message" });
    await box.fill("what is the weather in Paris?");
    await box.press("Enter");
    const messages = region(p, "Messages");
    await messages.getByText("The weather is sunny in Paris.").waitFor(T);
    await messages.getByText("get_weather", { exact: true }).waitFor(T);
    await messages.getByText('"city": "Paris"').waitFor(T);
    await messages.getByText("sunny in Paris", { exact: true }).waitFor(T);
    // The URL now names the thread the first message made.
    const thread = new URL(p.page.url()).searchParams.get("thread");
    expect(thread).toMatch(/^[0-9a-f-]{36}$/);
    await p.page.getByRole("list", { name: "Threads" }).getByRole("listitem").first().waitFor(T);

    // "slow" streams 200 tokens, 25 ms apart: text grows while the run goes on, then Stop ends it.
    await box.fill("slow please");
    await p.page.getByRole("button", { name: "Send" }).click();
    const streaming = messages.getByText(/word3 word4/);
    await streaming.waitFor(T);
    const early = (await streaming.textContent())!.length;
    await expect.poll(async () => (await streaming.textContent())!.length, T).toBeGreaterThan(early);
    await p.page.getByRole("button", { name: "Stop" }).click();
    const atStop = (await streaming.textContent())!;
    await expect.poll(() => p.page.getByRole("button", { name: "Stop" }).isDisabled(), T).toBe(true);
    // The run was cancelled long before its 200th token (5 s away).
    await expect.poll(async () => (await served.client.runs.list(thread!, { limit: 1 }))[0]!.status, T).toBe("interrupted");
    expect(await messages.getByText(/word199/).count()).toBe(0);
    await p.page.getByRole("list", { name: "Threads" }).getByText("idle").waitFor(T);
    // The text streamed before Stop stays: as the server saved it, or (it saved no answer) as streamed, marked stopped.
    const saved = (await served.client.threads.getState<{ messages: Array<{ type: string; content: unknown }> }>(thread!)).values.messages;
    const answer = saved.at(-1)?.type === "ai" ? saved.at(-1) : undefined;
    const last = messages.getByRole("article").last();
    if (answer) {
      await expect.poll(() => last.locator(".message-body").textContent(), T).toBe(answer.content);
      expect(await last.getByText("stopped", { exact: true }).count()).toBe(0);
    } else {
      expect(saved.map((m) => m.type)).toEqual(["human", "ai", "tool", "ai", "human"]);
      await last.getByText("stopped", { exact: true }).waitFor(T);
      const kept = (await last.locator(".message-body").textContent())!;
      expect(kept.startsWith(atStop.trimEnd())).toBe(true);
      expect(kept).toMatch(/^word0 word1 word2 word3 word4 /);
      // The State panel shows what the server holds: not the unsaved answer.
      expect(await region(p, "State").getByText(/word3 word4/).count()).toBe(0);
    }
    // A stopped run is not a breakpoint: nothing waits to be resumed.
    expect(await region(p, "Interrupt").count()).toBe(0);
    noErrors(p);
  });

  it("editing an earlier message makes a branch, with a switcher between them", async () => {
    const p = await open("?assistant=agent");
    const box = p.page.getByRole("textbox", { name: "Message" });
    await box.fill("first try");
    await box.press("Enter");
    const messages = region(p, "Messages");
    await messages.getByText("You said: first try").waitFor(T);
    await messages.getByRole("button", { name: "Edit" }).first().click();
    await p.page.getByRole("textbox", { name: "Edited message" }).fill("second try");
    await p.page.getByRole("button", { name: "Save and run" }).click();
    await messages.getByText("You said: second try").waitFor(T);
    await expect.poll(() => messages.getByText("You said: first try").count()).toBe(0);
    const branch = messages.getByRole("group", { name: "Branch" }).first();
    await branch.getByText("2 / 2").waitFor(T);
    await branch.getByRole("button", { name: "Previous branch" }).click();
    await messages.getByText("You said: first try").waitFor(T);
    await messages.getByRole("group", { name: "Branch" }).first().getByText("1 / 2").waitFor(T);
    noErrors(p);
  });
});

describe("graph mode, interrupts, state and history", () => {
  it("runs from the input form; two interrupts each resume on their own; state and history follow", async () => {
    const p = await open("?assistant=approval");
    // No messages in this state: graph mode, with a form from the input schema.
    const input = region(p, "Input");
    await input.getByRole("textbox", { name: /topic/ }).fill("otters");
    await input.getByRole("button", { name: "Send" }).click();
    const interrupt = region(p, "Interrupt");
    await interrupt.waitFor(T);
    await expect.poll(() => interrupt.getByRole("textbox", { name: "Resume value" }).count(), T).toBe(2);
    await interrupt.getByText('"legal"', { exact: true }).waitFor(T);
    await interrupt.getByText('"editor"', { exact: true }).waitFor(T);
    await region(p, "Node updates").getByText("write", { exact: true }).waitFor(T);

    await interrupt.getByRole("textbox", { name: "Resume value" }).first().fill("approved");
    await interrupt.getByRole("button", { name: "Resume" }).first().click();
    await expect.poll(() => interrupt.getByRole("textbox", { name: "Resume value" }).count(), T).toBe(1);
    await interrupt.getByRole("textbox", { name: "Resume value" }).fill('"fine"');
    await interrupt.getByRole("button", { name: "Resume" }).click();
    await expect.poll(() => region(p, "Interrupt").count(), T).toBe(0);

    const thread = new URL(p.page.url()).searchParams.get("thread")!;
    // The interrupt is gone once the resume is sent; the run it started may still be finishing.
    await expect.poll(async () => (await served.client.threads.getState<{ published: boolean }>(thread)).values.published, T).toBe(true);
    const state = await served.client.threads.getState<{ approvals: string[]; published: boolean }>(thread);
    expect([...state.values.approvals].sort()).toEqual(["editor: fine", "legal: approved"].sort());
    await region(p, "Output").getByText("published").waitFor(T);
    // State: a collapsible tree.
    const stateRegion = region(p, "State");
    await stateRegion.getByText("published").waitFor(T);
    await stateRegion.getByRole("button", { name: "Expand approvals" }).click();
    await stateRegion.getByText('"legal: approved"').waitFor(T);
    // History: one item per checkpoint, each with Fork.
    const history = await served.client.threads.getHistory(thread, { limit: 100 });
    const list = p.page.getByRole("list", { name: "History" });
    await expect.poll(() => list.getByRole("listitem").count(), T).toBe(history.length);
    expect(await list.getByRole("button", { name: "Fork" }).count()).toBe(history.length);
    noErrors(p);
  });

  it("Fork edits a checkpoint's values and runs from there; Re-run from here replays; selecting shows that state", async () => {
    const client = served.client;
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, "approval", { input: { topic: "bees" } });
    await client.runs.wait(thread.thread_id, "approval", { command: { resume: "ok" } });
    await client.runs.wait(thread.thread_id, "approval", { command: { resume: "ok" } });
    const p = await open(`?assistant=approval&thread=${thread.thread_id}`);
    const list = p.page.getByRole("list", { name: "History" });
    // The checkpoint after `write` (next: legal, editor): fork it with another draft.
    const item = list.getByRole("listitem").filter({ hasText: "write" }).first();
    await item.waitFor(T);
    await item.getByRole("button", { name: /^step/ }).click();
    await region(p, "State").getByText(/at step/).waitFor(T);
    await region(p, "State").getByText('"A note about bees"').waitFor(T);
    await item.getByRole("button", { name: "Fork" }).click();
    const editor = item.getByRole("textbox");
    const values = JSON.parse(await editor.inputValue()) as Record<string, unknown>;
    expect(values.draft).toBe("A note about bees");
    await editor.fill(JSON.stringify({ ...values, draft: "A forked note" }));
    await item.getByRole("button", { name: "Run with these values" }).click();
    // The fork runs legal and editor again from the edited state: they interrupt with the new draft.
    const interrupt = region(p, "Interrupt");
    await interrupt.getByText('"A forked note"').first().waitFor(T);
    const head = await client.threads.getState<{ draft: string }>(thread.thread_id);
    expect(head.values.draft).toBe("A forked note");

    // Re-run from the checkpoint before `write`: it writes the original draft again.
    const before = list.getByRole("listitem").filter({ hasText: "input" }).last();
    await before.getByRole("button", { name: "Re-run from here" }).click();
    await expect.poll(async () => (await client.threads.getState<{ draft: string }>(thread.thread_id)).values.draft, T).toBe("A note about bees");
    noErrors(p);
  });
});

describe("breakpoints", () => {
  it("a run paused by interrupt_before shows as a breakpoint; Resume continues it", async () => {
    const thread = await served.client.threads.create();
    await served.client.runs.wait(thread.thread_id, "agent", { input: { messages: [{ role: "user", content: "weather in Rome" }] }, interruptBefore: ["tools"] });
    const p = await open(`?assistant=agent&thread=${thread.thread_id}`);
    const interrupt = region(p, "Interrupt");
    await interrupt.getByText(/Paused at a breakpoint/).waitFor(T);
    await interrupt.getByRole("button", { name: "Resume" }).click();
    await region(p, "Messages").getByText("The weather is sunny in Rome.").waitFor(T);
    await expect.poll(() => region(p, "Interrupt").count(), T).toBe(0);
    noErrors(p);
  });
});

describe("subgraphs, the live highlight and node updates", () => {
  it("the server draws a subgraph on its own, as /subgraphs names it; an unknown namespace is a 404 naming it", async () => {
    const namespaces = Object.keys(await served.client.assistants.getSubgraphs("pipeline", { recurse: true }));
    expect(namespaces.sort()).toEqual(["research", "research|cite", "review"]);
    // The xray drawing leaves the one-node subgraphs as boxes: nothing in it names `check` or `quote`.
    const xray = await served.client.assistants.getGraph("pipeline", { xray: true });
    const ids = xray.nodes.map((n) => String(n.id));
    expect(ids).toEqual(expect.arrayContaining(["review", "research:cite"]));
    expect(ids.filter((id) => /check|quote/.test(id))).toEqual([]);
    const own = async (ns: string) => fetch(`${served.server.url}/assistants/pipeline/subgraphs/${encodeURIComponent(ns)}/graph?xray=true`);
    const review = (await (await own("review")).json()) as { nodes: Array<{ id: string }>; edges: Array<{ source: string; target: string }> };
    expect(review.nodes.map((n) => n.id)).toEqual(["__start__", "check", "__end__"]);
    expect(review.edges.map((e) => `${e.source}->${e.target}`).sort()).toEqual(["__start__->check", "check->__end__"]);
    const cite = (await (await own("research|cite")).json()) as { nodes: Array<{ id: string }> };
    expect(cite.nodes.map((n) => n.id)).toEqual(["__start__", "quote", "__end__"]);
    const missing = await own("nope");
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('"nope"');
  });

  it("opens with every subgraph's nodes nested under it, lights the running node inside them, shows a node's update", async () => {
    const p = await open("?assistant=pipeline&mode=graph");
    const graph = region(p, "Graph");
    // Before any run: the one-node subgraphs are drawn as their nodes, under their parent (the title is the full id).
    for (const node of ["prepare", "search", "read", "quote", "check", "summarize"]) await graph.getByRole("button", { name: node, exact: true }).waitFor(T);
    expect(await graph.getByRole("button", { name: "check", exact: true }).getAttribute("title")).toBe("review:check");
    expect(await graph.getByRole("button", { name: "quote", exact: true }).getAttribute("title")).toBe("research:cite:quote");
    expect(await graph.getByRole("button", { name: "review", exact: true }).count()).toBe(0);
    expect(await graph.getByRole("button", { name: "cite", exact: true }).count()).toBe(0);
    expect(await graph.getByText(/seen in runs/).count()).toBe(0);
    // Collect every node that is lit while the run goes.
    await p.page.evaluate(() => {
      const w = window as unknown as { lit: Set<string> };
      w.lit = new Set();
      const look = () => document.querySelectorAll('[aria-current="step"]').forEach((n) => w.lit.add(n.getAttribute("title") ?? ""));
      new MutationObserver(look).observe(document.body, { subtree: true, attributes: true, childList: true });
    });
    await region(p, "Input").getByRole("textbox", { name: /topic/ }).fill('"owls"');
    await region(p, "Input").getByRole("button", { name: "Send" }).click();
    await region(p, "Output").waitFor(T);
    const lit = await p.page.evaluate(() => [...(window as unknown as { lit: Set<string> }).lit]);
    expect(lit).toEqual(expect.arrayContaining(["prepare", "research:search", "research:read", "research:cite:quote", "review:check", "summarize"]));
    await p.page.reload();
    await region(p, "Graph").getByRole("button", { name: "check", exact: true }).waitFor(T);
    await region(p, "Graph").getByRole("button", { name: "read", exact: true }).click();
    const detail = p.page.getByRole("group", { name: "Node research:read" });
    await detail.getByText(/Last update of research/).waitFor(T);
    // (Twice: `cite` hands its whole state back, and the notes reducer appends it to what `research` had.)
    await detail.getByText('"read:owls"').first().waitFor(T);
    noErrors(p);
  });
});

describe("runs and the event log", () => {
  it("lists the thread's runs with status and duration; the selected run's events filter by node", async () => {
    const p = await open("?assistant=agent");
    const box = p.page.getByRole("textbox", { name: "Message" });
    await box.fill("weather in Oslo");
    await box.press("Enter");
    await region(p, "Messages").getByText("The weather is sunny in Oslo.").waitFor(T);
    const runs = region(p, "Runs");
    await runs.getByText("success").first().waitFor(T);
    await runs.getByText(/\d+(\.\d)? (ms|s)$/).first().waitFor(T);
    const log = p.page.getByRole("list", { name: "Event log" });
    await expect.poll(() => log.getByRole("listitem").count(), T).toBeGreaterThan(6);
    const all = await log.getByRole("listitem").count();
    await p.page.getByRole("combobox", { name: "Filter events by node" }).selectOption("tools");
    const only = await log.getByRole("listitem").count();
    expect(only).toBeGreaterThan(0);
    expect(only).toBeLessThan(all);
    expect(await log.getByRole("listitem").filter({ hasText: "agent" }).count()).toBe(0);
    // Reloaded, the run's events are replayed from the server (Studio runs are resumable).
    await p.page.reload();
    await region(p, "Runs").getByRole("button", { name: /success/ }).first().click();
    await expect.poll(() => p.page.getByRole("list", { name: "Event log" }).getByRole("listitem").count(), T).toBe(all);
    noErrors(p);
  });
});

describe("a run started elsewhere", () => {
  it("is followed live when its thread is opened: tokens stream, the node is lit, Stop cancels it", async () => {
    const client = served.client;
    const thread = await client.threads.create();
    const run = await client.runs.create(thread.thread_id, "agent", { input: { messages: [{ role: "user", content: "slow" }] }, streamMode: ["values", "messages-tuple", "debug"], streamResumable: true });
    const p = await open(`?assistant=agent&thread=${thread.thread_id}`);
    const streaming = region(p, "Messages").getByText(/word3 word4/);
    await streaming.waitFor(T);
    await region(p, "Graph").locator('[aria-current="step"]').getByText("agent").waitFor(T);
    const early = (await streaming.textContent())!.length;
    await expect.poll(async () => (await streaming.textContent())!.length, T).toBeGreaterThan(early);
    await p.page.getByRole("button", { name: "Stop" }).click();
    await expect.poll(async () => (await client.runs.get(thread.thread_id, run.run_id)).status, T).toBe("interrupted");
    // What streamed stays on screen, marked: the cancelled node saved nothing.
    const last = region(p, "Messages").getByRole("article").last();
    await last.getByText("stopped", { exact: true }).waitFor(T);
    expect(await last.locator(".message-body").textContent()).toMatch(/^word0 word1 word2 word3 word4 /);
    noErrors(p);
  });
});

describe("threads and the URL", () => {
  it("lists threads newest first with status and metadata, searches, opens, deletes, creates; reload restores", async () => {
    const client = new Client({ apiUrl: served.server.url });
    const made = [];
    for (const n of [1, 2, 3]) made.push(await client.threads.create({ metadata: { batch: "t1", n } }));
    const p = await open("?assistant=agent");
    const list = p.page.getByRole("list", { name: "Threads" });
    await p.page.getByRole("textbox", { name: "Search threads by metadata" }).fill("batch=t1");
    await p.page.getByRole("button", { name: "Search threads" }).click();
    await expect.poll(() => list.getByRole("listitem").count(), T).toBe(3);
    const items = list.getByRole("listitem");
    expect(await items.nth(0).textContent()).toContain(made[2]!.thread_id.slice(0, 8));
    expect(await items.nth(2).textContent()).toContain(made[0]!.thread_id.slice(0, 8));
    expect(await items.nth(0).getAttribute("title")).toContain('"n": 3');
    await items.nth(0).getByText("idle").waitFor(T);
    await p.page.getByRole("textbox", { name: "Search threads by metadata" }).fill("batch=t1 n=2");
    await p.page.getByRole("button", { name: "Search threads" }).click();
    await expect.poll(() => list.getByRole("listitem").count(), T).toBe(1);

    await list.getByRole("button", { name: new RegExp(`^${made[1]!.thread_id.slice(0, 8)}`) }).click();
    await expect.poll(() => new URL(p.page.url()).searchParams.get("thread")).toBe(made[1]!.thread_id);
    await p.page.reload();
    await expect.poll(() => p.page.getByRole("list", { name: "Threads" }).locator('[aria-current="true"]').count(), T).toBe(1);
    expect(new URL(p.page.url()).searchParams.get("thread")).toBe(made[1]!.thread_id);

    await p.page.getByRole("button", { name: `Delete thread ${made[0]!.thread_id}` }).click();
    await expect.poll(async () => (await client.threads.search({ metadata: { batch: "t1" } })).length, T).toBe(2);
    await p.page.getByRole("button", { name: "New thread" }).click();
    await expect.poll(() => new URL(p.page.url()).searchParams.get("thread"), T).not.toBe(made[1]!.thread_id);
    const fresh = new URL(p.page.url()).searchParams.get("thread")!;
    expect((await client.threads.get(fresh)).thread_id).toBe(fresh);
    noErrors(p);
  });

  it("a link that names only a thread opens it with the assistant it ran with", async () => {
    const thread = await served.client.threads.create();
    await served.client.runs.wait(thread.thread_id, "pipeline", { input: { topic: "eels" } });
    const p = await open(`?thread=${thread.thread_id}`);
    await expect.poll(async () => (await p.page.getByRole("combobox", { name: "Assistant" }).locator("option:checked").textContent()) ?? "", T).toBe("pipeline");
    await region(p, "State").getByText('"eels"').waitFor(T);
    noErrors(p);
  });

  it("pages through many threads", async () => {
    const client = served.client;
    for (let i = 0; i < 55; i += 1) await client.threads.create({ metadata: { batch: "many" } });
    const p = await open("?assistant=agent");
    await p.page.getByRole("textbox", { name: "Search threads by metadata" }).fill("batch=many");
    await p.page.getByRole("button", { name: "Search threads" }).click();
    const list = p.page.getByRole("list", { name: "Threads" });
    await expect.poll(() => list.getByRole("listitem").count(), T).toBe(50);
    await p.page.getByText("50 of 55 threads matching").waitFor(T);
    await p.page.getByRole("button", { name: "Load more" }).first().click();
    await expect.poll(() => list.getByRole("listitem").count(), T).toBe(55);
    noErrors(p);
  });
});
