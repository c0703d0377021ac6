/**
 * The local Studio in a real browser, continued: assistants (forms from the context schema, versions), the store,
 * a hot reload under an open thread, keyboard use and the OS theme. test/fixtures/studio, served with hot reload.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useBrowser, type StudioPage } from "../helpers/browser.js";
import { serveFixture } from "../helpers/serve-fixture.js";

const served = serveFixture("studio", ["--no-persist"]);
const browser = useBrowser();
const T = { timeout: 15_000 };

async function open(query = ""): Promise<StudioPage> {
  const p = await browser.open(`${served.server.url}/studio/${query}`);
  await p.page.getByRole("region", { name: "Graph" }).getByRole("button").first().waitFor(T);
  return p;
}
const region = (p: StudioPage, name: string) => p.page.getByRole("region", { name, exact: true });

describe("assistants", () => {
  it("creates an assistant from the context schema's form, edits it into a new version, goes back to the first", async () => {
    const p = await open("?assistant=approval");
    const section = p.page.getByRole("region", { name: "Assistants" });
    await section.getByRole("button", { name: "New assistant" }).click();
    const form = p.page.getByRole("form", { name: "New assistant" });
    await form.getByRole("textbox", { name: "Name" }).fill("Casual writer");
    const context = form.getByRole("group", { name: "Context" });
    await context.getByRole("combobox", { name: /tone/ }).selectOption({ label: "casual" });
    await context.getByRole("textbox", { name: /signature/ }).fill("Sam");
    await form.getByRole("button", { name: "Create assistant" }).click();

    // The new assistant is picked, and saved with the typed context.
    const picker = p.page.getByRole("combobox", { name: "Assistant" });
    await expect.poll(async () => (await picker.locator("option:checked").textContent()) ?? "", T).toContain("Casual writer");
    const [created] = await served.client.assistants.search({ graphId: "approval", metadata: {}, limit: 10 }).then((all) => all.filter((a) => a.name === "Casual writer"));
    expect(created!.context).toEqual({ tone: "casual", signature: "Sam" });
    expect(new URL(p.page.url()).searchParams.get("assistant")).toBe(created!.assistant_id);

    const row = section.getByRole("listitem").filter({ hasText: "Casual writer" });
    await row.getByRole("button", { name: "Edit" }).click();
    const edit = p.page.getByRole("form", { name: "Edit assistant" });
    await expect.poll(() => edit.getByRole("group", { name: "Context" }).getByRole("textbox", { name: /signature/ }).inputValue()).toBe("Sam");
    await edit.getByRole("group", { name: "Context" }).getByRole("textbox", { name: /signature/ }).fill("Sam and Kim");
    await edit.getByRole("button", { name: "Save assistant" }).click();
    await expect.poll(async () => (await served.client.assistants.get(created!.assistant_id)).version, T).toBe(2);
    expect((await served.client.assistants.get(created!.assistant_id)).context).toEqual({ tone: "casual", signature: "Sam and Kim" });

    await section.getByRole("listitem").filter({ hasText: "Casual writer" }).getByRole("button", { name: "Versions" }).click();
    const versions = section.getByRole("list", { name: "Versions" });
    await expect.poll(() => versions.getByRole("listitem").count(), T).toBe(2);
    await versions.getByRole("listitem").filter({ hasText: "v1" }).getByRole("button", { name: "Make current" }).click();
    await expect.poll(async () => (await served.client.assistants.get(created!.assistant_id)).version, T).toBe(1);
    expect(p.errors).toEqual([]);
  });
});

describe("store", () => {
  it("browses namespaces as a tree, lists and filters items, edits, deletes and adds them", async () => {
    const store = served.client.store;
    await store.putItem(["users", "u1", "memories"], "m1", { text: "likes tea" });
    await store.putItem(["users", "u2"], "prefs", { theme: "dark" });
    await store.putItem(["docs"], "readme", { title: "hello" });
    const p = await open("?assistant=agent");
    const section = region(p, "Store");
    const tree = section.getByRole("navigation", { name: "Namespaces" });
    for (const label of ["users", "u1", "memories", "u2", "docs"]) await tree.getByRole("button", { name: label, exact: true }).waitFor(T);
    const items = section.getByRole("list", { name: "Store items" });
    await expect.poll(() => items.getByRole("listitem").count(), T).toBe(3);
    await tree.getByRole("button", { name: "u1", exact: true }).click();
    await expect.poll(() => items.getByRole("listitem").count(), T).toBe(1);
    await items.getByText("m1").waitFor(T);

    await tree.getByRole("button", { name: "(all namespaces)" }).click();
    await section.getByRole("textbox", { name: "Filter items" }).fill("theme=dark");
    await section.getByRole("button", { name: "Search the store" }).click();
    await expect.poll(() => items.getByRole("listitem").count(), T).toBe(1);
    await items.getByText("prefs").waitFor(T);
    await section.getByRole("button", { name: "Delete item prefs" }).click();
    await expect.poll(async () => store.getItem(["users", "u2"], "prefs"), T).toBeNull();

    await section.getByRole("textbox", { name: "Filter items" }).fill("");
    await section.getByRole("button", { name: "Search the store" }).click();
    await items.getByRole("button", { name: /m1/ }).first().click();
    const editor = section.getByRole("form", { name: "Item m1" });
    await editor.getByRole("textbox", { name: "Value (JSON)" }).fill('{"text": "likes coffee"}');
    await editor.getByRole("button", { name: "Save item" }).click();
    await expect.poll(async () => (await store.getItem(["users", "u1", "memories"], "m1"))?.value, T).toEqual({ text: "likes coffee" });

    await section.getByRole("button", { name: "New item" }).click();
    const add = section.getByRole("form", { name: "New item" });
    await add.getByRole("textbox", { name: "Namespace" }).fill("notes.today");
    await add.getByRole("textbox", { name: "Key" }).fill("k1");
    await add.getByRole("textbox", { name: "Value (JSON)" }).fill("not json");
    await add.getByRole("button", { name: "Save item" }).click();
    await add.getByText(/Invalid JSON/).waitFor(T);
    await add.getByRole("textbox", { name: "Value (JSON)" }).fill('{"a": 1}');
    await add.getByRole("button", { name: "Save item" }).click();
    await expect.poll(async () => (await store.getItem(["notes", "today"], "k1"))?.value, T).toEqual({ a: 1 });
    await tree.getByRole("button", { name: "today", exact: true }).waitFor(T);
    expect(p.errors).toEqual([]);
  });
});

describe("hot reload", () => {
  it("redraws the graph after a save without losing the open thread", async () => {
    const thread = await served.client.threads.create();
    await served.client.runs.wait(thread.thread_id, "pipeline", { input: { topic: "moths" } });
    const p = await open(`?assistant=pipeline&thread=${thread.thread_id}`);
    const history = p.page.getByRole("list", { name: "History" });
    await expect.poll(() => history.getByRole("listitem").count(), T).toBeGreaterThan(3);
    const before = await history.getByRole("listitem").count();
    const file = join(served.dir, "src", "pipeline.ts");
    const source = readFileSync(file, "utf8");
    writeFileSync(
      file,
      source
        .replace('.addNode("summarize", step("summarize"))', '.addNode("summarize", step("summarize"))\n  .addNode("archive", step("archive"))')
        .replace('.addEdge("summarize", END)', '.addEdge("summarize", "archive")\n  .addEdge("archive", END)'),
    );
    await region(p, "Graph").getByRole("button", { name: "archive", exact: true }).waitFor({ timeout: 20_000 });
    expect(new URL(p.page.url()).searchParams.get("thread")).toBe(thread.thread_id);
    expect(await history.getByRole("listitem").count()).toBe(before);
    await region(p, "State").getByText('"moths"').waitFor(T);
    // A save that changes only the inside of `review`, a one-node subgraph the xray drawing leaves as one box (the
    // graph's own drawing is the same): the Studio draws it from the subgraph's drawing, so it redraws too.
    const drawingBefore = JSON.stringify(await served.client.assistants.getGraph("pipeline", { xray: true }));
    writeFileSync(file, readFileSync(file, "utf8").replace('.addNode("check", step("check")).addEdge(START, "check").addEdge("check", END)', '.addNode("verify", step("verify")).addEdge(START, "verify").addEdge("verify", END)'));
    await region(p, "Graph").getByRole("button", { name: "verify", exact: true }).waitFor({ timeout: 20_000 });
    expect(JSON.stringify(await served.client.assistants.getGraph("pipeline", { xray: true }))).toBe(drawingBefore);
    expect(await region(p, "Graph").getByRole("button", { name: "check", exact: true }).count()).toBe(0);
    expect(new URL(p.page.url()).searchParams.get("thread")).toBe(thread.thread_id);
    expect(p.errors).toEqual([]);
  });
});

describe("keyboard and theme", () => {
  it("reaches the message box and the graph's nodes with the keyboard", async () => {
    const p = await open("?assistant=agent");
    const focused = () => p.page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.textContent ?? "");
    let found = false;
    for (let i = 0; i < 80 && !found; i += 1) {
      await p.page.keyboard.press("Tab");
      found = (await focused()) === "Message";
    }
    expect(found).toBe(true);
    await p.page.keyboard.type("typed with keys");
    await p.page.keyboard.press("Enter");
    await region(p, "Messages").getByText("You said: typed with keys").waitFor(T);
    await p.page.getByRole("region", { name: "Graph" }).getByRole("button", { name: "agent", exact: true }).focus();
    await p.page.keyboard.press("Enter");
    await p.page.getByRole("group", { name: "Node agent" }).getByText(/Last update of agent/).waitFor(T);
    expect(p.errors).toEqual([]);
  });

  it("follows the OS light or dark theme", async () => {
    const p = await open("?assistant=agent");
    const background = () => p.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await p.page.emulateMedia({ colorScheme: "dark" });
    expect(await background()).toBe("rgb(16, 19, 24)");
    await p.page.emulateMedia({ colorScheme: "light" });
    expect(await background()).toBe("rgb(246, 247, 249)");
  });
});
