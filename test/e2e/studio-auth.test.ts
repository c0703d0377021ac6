/**
 * The local Studio's identity: by default the Studio user (`x-auth-scheme: langsmith`, from this machine); an
 * Authorization header set in the page acts as a real user, per tab; 401 and 404 are clear messages; with
 * `disable_studio_auth` the page says a token is needed. The example project (root langgraph.json: the custom-auth
 * tutorial) and the private-conversations template (users see only their own threads).
 */
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@langchain/langgraph-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBrowser, type StudioPage } from "../helpers/browser.js";
import { REPO_ROOT, linkNodeModules, makeTempDir, startServer, type RunningServer } from "../helpers/spawn.js";

const browser = useBrowser();
const T = { timeout: 15_000 };
const temp = makeTempDir("lg-dev-studio-auth-");
afterAll(() => temp.cleanup());

/** Serve a project for the enclosing describe block. */
function serve(dir: () => string) {
  const state: { server?: RunningServer } = {};
  beforeAll(async () => {
    state.server = await startServer(dir(), { args: ["--no-persist", "--no-reload"] });
  });
  afterAll(async () => {
    expect(await state.server?.stop()).toBe(0);
  });
  return () => state.server!;
}

/** A copy of a template with the repository's node_modules, langgraph.json edited by `edit`. */
function templateCopy(name: string, edit: (config: Record<string, unknown>) => Record<string, unknown> = (c) => c): string {
  const dir = join(temp.dir, `${name}-${Math.random().toString(36).slice(2, 8)}`);
  cpSync(join(REPO_ROOT, "templates", name), dir, { recursive: true });
  linkNodeModules(dir);
  const file = join(dir, "langgraph.json");
  writeFileSync(file, JSON.stringify(edit(JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>)));
  return dir;
}

async function setAuthorization(p: StudioPage, value: string) {
  await p.page.getByRole("textbox", { name: "Authorization" }).fill(value);
  await p.page.getByRole("button", { name: "Apply" }).click();
}

describe("the example project (custom auth, static tokens)", () => {
  const server = serve(() => REPO_ROOT);

  it("works as the Studio user by default, and as the user of the token set in the page", async () => {
    const p = await browser.open();
    const sent: Array<Record<string, string>> = [];
    const creates: Array<Record<string, string>> = [];
    p.page.on("request", (r) => {
      if (!r.url().includes("/threads")) return;
      sent.push(r.headers());
      if (r.method() === "POST" && new URL(r.url()).pathname === "/threads") creates.push(r.headers());
    });
    await p.page.goto(`${server().url}/studio/`);
    await p.page.getByRole("region", { name: "Graph" }).getByRole("button", { name: "chatbot" }).waitFor(T);
    await p.page.getByRole("textbox", { name: "Message" }).fill("hi from the studio user");
    await p.page.keyboard.press("Enter");
    await p.page.getByRole("region", { name: "Messages" }).getByText('You said: "hi from the studio user"').waitFor(T);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((h) => h["x-auth-scheme"] === "langsmith" && h.authorization === undefined)).toBe(true);

    await setAuthorization(p, "Bearer user1-token");
    creates.length = 0;
    await p.page.getByRole("button", { name: "New thread" }).click();
    await expect.poll(() => creates.length, T).toBeGreaterThan(0);
    // The thread is created as user 1; from the first request that carried the token on, every one does (a request
    // the page sent before Apply may still be in flight, with the Studio headers).
    expect(creates.every((h) => h.authorization === "Bearer user1-token" && h["x-auth-scheme"] === undefined)).toBe(true);
    const first = sent.findIndex((h) => h.authorization === "Bearer user1-token");
    expect(sent.slice(first).every((h) => h.authorization === "Bearer user1-token" && h["x-auth-scheme"] === undefined)).toBe(true);
    // Kept for this tab across a reload.
    await p.page.reload();
    await expect.poll(() => p.page.getByRole("textbox", { name: "Authorization" }).inputValue(), T).toBe("Bearer user1-token");
    expect(p.errors).toEqual([]);
  });

  it("shows a 401 as a message that says what to do", async () => {
    const p = await browser.open(`${server().url}/studio/`);
    await p.page.getByRole("region", { name: "Graph" }).getByRole("button").first().waitFor(T);
    await setAuthorization(p, "Bearer wrong-token");
    const alert = p.page.getByRole("alert");
    await alert.getByText("401 Unauthorized").waitFor(T);
    await alert.getByText(/Invalid token/).waitFor(T);
    await alert.getByText(/Check the token/).waitFor(T);
    // The browser logs the refused requests; nothing else went wrong.
    expect(p.errors.filter((e) => !/401/.test(e))).toEqual([]);
    await setAuthorization(p, "");
    await expect.poll(() => p.page.getByRole("alert").count(), T).toBe(0);
  });
});

describe("private conversations: each user sees only their own threads", () => {
  const project = templateCopy("private-conversations");
  const server = serve(() => project);

  it("two tabs, two users; the Studio user sees both", async () => {
    // Opened first as the Studio user, the page learns the graphs; Alice's handlers hide their assistants from her.
    const alice = await browser.open(`${server().url}/studio/`);
    await alice.page.getByRole("region", { name: "Graph" }).getByRole("button", { name: "chatbot" }).waitFor(T);
    await setAuthorization(alice, "Bearer user1-token");
    await alice.page.getByRole("textbox", { name: "Message" }).fill("alice's secret");
    await alice.page.keyboard.press("Enter");
    await alice.page.getByRole("region", { name: "Messages" }).getByText(/You said: "alice's secret"/).waitFor(T);
    const aliceThread = new URL(alice.page.url()).searchParams.get("thread")!;
    await alice.page.getByRole("list", { name: "Threads" }).getByRole("listitem").first().waitFor(T);

    const bob = await browser.open(`${server().url}/studio/`);
    await setAuthorization(bob, "Bearer user2-token");
    await bob.page.getByRole("button", { name: "New thread" }).click();
    const bobList = bob.page.getByRole("list", { name: "Threads" });
    await expect.poll(() => bobList.getByRole("listitem").count(), T).toBe(1);
    expect(await bobList.textContent()).not.toContain(aliceThread.slice(0, 8));
    // Alice's tab still acts as Alice (the header is per tab).
    await alice.page.reload();
    await expect.poll(() => alice.page.getByRole("list", { name: "Threads" }).getByRole("listitem").count(), T).toBe(1);
    expect(await alice.page.getByRole("list", { name: "Threads" }).textContent()).toContain(aliceThread.slice(0, 8));
    // Bob opening Alice's thread by its URL gets a clear "not found".
    await bob.page.goto(`${server().url}/studio/?thread=${aliceThread}`);
    await bob.page.getByRole("alert").getByText("404 Not found").waitFor(T);

    const studio = await browser.open(`${server().url}/studio/`);
    const all = studio.page.getByRole("list", { name: "Threads" });
    await expect.poll(() => all.getByRole("listitem").count(), T).toBe(2);
    // The browser logs the requests the project's handlers refuse (Alice may not read the system assistant's drawing
    // or list the store's root); nothing else went wrong.
    const refusedOnly = (errors: string[]) => errors.filter((e) => !/^Failed to load resource: the server responded with a status of 40[34]/.test(e));
    expect(refusedOnly(alice.errors)).toEqual([]);
    expect(refusedOnly(bob.errors)).toEqual([]);
    expect(studio.errors).toEqual([]);
    expect(await new Client({ apiUrl: server().url, defaultHeaders: { Authorization: "Bearer user2-token" } }).threads.count()).toBe(1);
  });
});

describe("disable_studio_auth", () => {
  const project = templateCopy("custom-auth", (c) => ({ ...c, auth: { ...(c.auth as object), disable_studio_auth: true } }));
  const server = serve(() => project);

  it("without a token the page says the Studio user was refused and how to set a token", async () => {
    const p = await browser.open(`${server().url}/studio/`);
    const alert = p.page.getByRole("alert");
    await alert.getByText("401 Unauthorized").waitFor(T);
    await alert.getByText(/Studio user.*Set an Authorization header/).waitFor(T);
    await setAuthorization(p, "Bearer user2-token");
    await p.page.getByRole("region", { name: "Graph" }).getByRole("button", { name: "chatbot" }).waitFor(T);
    expect(p.errors.filter((e) => !/401/.test(e))).toEqual([]);
  });
});
