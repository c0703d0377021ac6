/**
 * The custom-auth tutorial end to end: each part's template copied into a temp dir, served by bin/lg-dev, and driven
 * with the real SDK client - the tutorial's own auth modules are what is tested. Then the user reaching the graph,
 * the Studio user, and auth modules with bugs in them (test/fixtures/auth-e2e).
 */
import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@langchain/langgraph-sdk";
import { HTTPException } from "@langchain/langgraph-sdk/auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticate as tutorialAuthenticate } from "../../templates/custom-auth/src/security/auth.js";
import { startDevIssuer, type DevIssuer } from "../../templates/oauth-jwt/scripts/dev-issuer.js";
import {
  copyFixture,
  linkNodeModules,
  makeTempDir,
  REPO_ROOT,
  runLgDev,
  startServer,
  writeFiles,
  type RunningServer,
} from "../helpers/spawn.js";

const START_TIMEOUT = 60_000;

/** A template copied into a temp dir that resolves packages from the repository; `prepare` may add files (.env). */
function serveTemplate(id: string, prepare?: (dir: string) => void | Promise<void>) {
  const state: { server?: RunningServer; dir?: { dir: string; cleanup(): void } } = {};
  beforeAll(async () => {
    state.dir = makeTempDir(`lg-dev-${id}-`);
    cpSync(join(REPO_ROOT, "templates", id), state.dir.dir, { recursive: true });
    linkNodeModules(state.dir.dir);
    await prepare?.(state.dir.dir);
    state.server = await startServer(state.dir.dir, { env: { OPENAI_API_KEY: undefined }, timeoutMs: 30_000 });
  }, START_TIMEOUT);
  afterAll(async () => {
    const code = await state.server?.stop();
    state.dir?.cleanup();
    expect(code).toBe(0);
  });
  return {
    get url() {
      return state.server!.url;
    },
    output: () => state.server!.output(),
    client: (headers: Record<string, string> = {}) => new Client({ apiUrl: state.server!.url, defaultHeaders: headers, callerOptions: { maxRetries: 0 } }),
  };
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const human = (text: string) => ({ messages: [{ role: "user", content: text }] });
type Messages = { messages: Array<{ type: string; content: string }> };

/** The SDK's error for a request: its message is `HTTP <status>: <body>`. */
async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the request to fail");
}

/** Drain a stream; its failure (if any) is returned as the message. */
async function collect(stream: AsyncIterable<{ event: string; data: unknown }>): Promise<Array<{ event: string; data: unknown }>> {
  const out: Array<{ event: string; data: unknown }> = [];
  for await (const { event, data } of stream) out.push({ event, data });
  return out;
}

async function streamFailure(stream: AsyncIterable<unknown>): Promise<string> {
  return failure((async () => {
    for await (const _ of stream) {
      // drain
    }
  })());
}

describe("part 1: static tokens (templates/custom-auth)", () => {
  const served = serveTemplate("custom-auth");

  // The seven malformed headers, and what the user's own function says about each.
  const CASES: Array<[string, Record<string, string>, number, string | undefined]> = [
    ["missing", {}, 401, "Missing Authorization header: send 'Authorization: Bearer <token>'"],
    ["empty", { authorization: "" }, 401, "Missing Authorization header: send 'Authorization: Bearer <token>'"],
    ["Basic x", { authorization: "Basic x" }, 401, "Authorization header must look like 'Bearer <token>'"],
    ["Bearer alone", { authorization: "Bearer" }, 401, "Authorization header must look like 'Bearer <token>'"],
    ["Bearer a b", { authorization: "Bearer a b" }, 401, "Authorization header must look like 'Bearer <token>'"],
    ["unknown token", { authorization: "Bearer not-a-token" }, 401, "Invalid token"],
    // The tutorial's function compares the scheme case-insensitively (RFC 7235), so lowercase is accepted.
    ["lowercase bearer", { authorization: "bearer user1-token" }, 200, undefined],
  ];

  it.each(CASES)("%s: the server answers what the user's function decides", async (_name, headers, status, message) => {
    // What the tutorial's authenticate does with this header, called directly.
    let expected: { status: number; message?: string; headers?: Record<string, string> } = { status: 200 };
    try {
      await tutorialAuthenticate(new Request("http://localhost/threads/search", { method: "POST", headers }));
    } catch (err) {
      expect(err).toBeInstanceOf(HTTPException);
      const e = err as HTTPException;
      expected = { status: e.status, message: e.message, headers: Object.fromEntries(new Headers(e.headers).entries()) };
    }
    expect(expected.status).toBe(status);
    expect(expected.message).toBe(message);

    const res = await fetch(`${served.url}/threads/search`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: "{}" });
    expect(res.status).toBe(status);
    if (status === 401) {
      expect(await res.text()).toBe(message);
      expect(res.headers.get("www-authenticate")).toBe("Bearer");
      expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    } else {
      expect(Array.isArray(await res.json())).toBe(true);
    }
  });

  it("a client without a token is refused; with user1-token it creates a thread and chats", async () => {
    expect(await failure(served.client().threads.create())).toBe("HTTP 401: Missing Authorization header: send 'Authorization: Bearer <token>'");
    expect(await failure(served.client(bearer("nope")).threads.create())).toBe("HTTP 401: Invalid token");

    const client = served.client(bearer("user1-token"));
    const thread = await client.threads.create();
    const first = (await client.runs.wait(thread.thread_id, "agent", { input: human("hi") })) as Messages;
    expect(first.messages.at(-1)?.content).toBe('You said: "hi". This is the first message of our conversation.');
    const events: string[] = [];
    for await (const part of client.runs.stream(thread.thread_id, "agent", { input: human("again"), streamMode: "values" })) events.push(part.event);
    expect(events[0]).toBe("metadata");
    expect(events).toContain("values");
    const state = await client.threads.getState(thread.thread_id);
    expect((state.values as Messages).messages).toHaveLength(4);
    // Without handlers every authenticated user may use every thread (part 2 fixes that).
    expect((await served.client(bearer("user2-token")).threads.get(thread.thread_id)).thread_id).toBe(thread.thread_id);
  });

  it("/ok, /info, /docs and /openapi.json are public; unknown paths are 401 without a token, 404 with one", async () => {
    for (const path of ["/ok", "/info", "/docs", "/openapi.json"]) {
      expect((await fetch(`${served.url}${path}`)).status, path).toBe(200);
    }
    const unknown = await fetch(`${served.url}/no/such/thing`);
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get("www-authenticate")).toBe("Bearer");
    expect((await fetch(`${served.url}/no/such/thing`, { headers: bearer("user1-token") })).status).toBe(404);
    const truncate = await fetch(`${served.url}/internal/truncate`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(truncate.status).toBe(401);
  });
});

describe("part 2: private conversations (templates/private-conversations)", () => {
  const served = serveTemplate("private-conversations");
  let alice: Client;
  let bob: Client;
  let T: string; // alice's thread with a finished run R
  let R: string;
  let T2: string; // alice's thread with a pending run P
  let P: string;

  beforeAll(async () => {
    alice = served.client(bearer("user1-token"));
    bob = served.client(bearer("user2-token"));
    T = (await alice.threads.create()).thread_id;
    const run = await alice.runs.create(T, "agent", { input: human("alice's secret") });
    await alice.runs.join(T, run.run_id);
    R = run.run_id;
    T2 = (await alice.threads.create()).thread_id;
    P = (await alice.runs.create(T2, "agent", { input: human("later"), afterSeconds: 3600 })).run_id;
  });

  it("stamps the owner on threads and runs", async () => {
    expect((await alice.threads.get(T)).metadata).toMatchObject({ owner: "user1" });
    expect((await alice.runs.get(T, R)).metadata).toMatchObject({ owner: "user1" });
    // A forged owner is overwritten by the handler.
    const forged = await bob.threads.create({ metadata: { owner: "user1" } });
    expect(forged.metadata).toMatchObject({ owner: "user2" });
  });

  it("Bob gets 404 on Alice's thread, its runs, state, history and copies - and changes nothing", async () => {
    const notFound = `HTTP 404: Thread with ID ${T} not found`;
    const refused: Array<[string, () => Promise<unknown>]> = [
      ["get", () => bob.threads.get(T)],
      ["update", () => bob.threads.update(T, { metadata: { owner: "user2" } })],
      ["state", () => bob.threads.getState(T)],
      ["update state", () => bob.threads.updateState(T, { values: human("planted") })],
      ["history", () => bob.threads.getHistory(T)],
      ["list runs", () => bob.runs.list(T)],
      ["get run", () => bob.runs.get(T, R)],
      ["join run", () => bob.runs.join(T, R)],
      ["delete run", () => bob.runs.delete(T, R)],
      ["run on it", () => bob.runs.wait(T, "agent", { input: human("let me in") })],
      ["delete", () => bob.threads.delete(T)],
    ];
    for (const [name, call] of refused) expect(await failure(call()), name).toBe(notFound);
    // Joining a run's stream answers with a stream, as on the official server: an error event in it.
    expect(await collect(bob.runs.joinStream(T, R, { lastEventId: "-1" }))).toEqual([{ event: "error", data: { error: "Error", message: "404: Thread not found" } }]);
    // A copy of a hidden thread answers as a copy of a missing one does on the official server.
    expect(await failure(bob.threads.copy(T))).toBe("HTTP 409: Thread not found");
    expect(await streamFailure(bob.runs.stream(T, "agent", { input: human("x") }))).toBe(notFound);
    expect(await streamFailure(bob.threads.joinStream(T))).toBe(notFound);
    // The run id alone says nothing about its thread: nothing, as for a run that does not exist.
    expect(await collect(bob.runs.joinStream(null, R, { lastEventId: "-1" }))).toEqual([]);
    expect(await failure(bob.runs.cancel(T2, P))).toBe(`HTTP 404: Thread with ID ${T2} not found`);
    await bob.runs.cancelMany({ status: "pending" });

    // Alice's thread is as she left it.
    const thread = await alice.threads.get(T);
    expect(thread.metadata).toMatchObject({ owner: "user1" });
    const messages = ((await alice.threads.getState(T)).values as Messages).messages;
    expect(messages.map((m) => m.content)).toEqual(["alice's secret", expect.stringContaining("alice's secret")]);
    expect((await alice.runs.list(T)).map((r) => r.run_id)).toEqual([R]);
    expect((await alice.runs.get(T2, P)).status).toBe("pending");
    await alice.runs.cancel(T2, P, true);
    expect((await alice.runs.get(T2, P)).status).toBe("interrupted");
    expect((await alice.threads.copy(T)).metadata).toMatchObject({ owner: "user1" });
  });

  it("a run may use only an assistant its caller can read: Bob cannot run (or schedule) Alice's", async () => {
    const mine = await alice.assistants.create({ graphId: "agent", name: "alice's bot", config: { configurable: { secret: "alice-only" } } });
    const A = mine.assistant_id;
    const hidden = `HTTP 404: No assistant found for "${A}"`;
    const unknown = "00000000-0000-4000-8000-000000000000";
    // Bob sees it as no assistant at all: the same answer as for an id that does not exist.
    expect(await failure(bob.runs.wait(null, unknown, { input: human("x") }))).toBe(`HTTP 404: No assistant found for "${unknown}"`);
    expect(await failure(bob.assistants.get(A))).toBe("HTTP 404: Assistant not found");
    const bobs = (await bob.threads.create()).thread_id;
    const refused: Array<[string, () => Promise<unknown>]> = [
      ["stateless wait", () => bob.runs.wait(null, A, { input: human("x") })],
      ["stateless create", () => bob.runs.create(null, A, { input: human("x") })],
      ["thread run", () => bob.runs.create(bobs, A, { input: human("x") })],
      ["thread wait", () => bob.runs.wait(bobs, A, { input: human("x") })],
      ["batch", () => bob.runs.createBatch([{ assistantId: A, input: human("x") }])],
      ["cron", () => bob.crons.create(A, { schedule: "0 0 * * *", input: human("x") })],
      ["thread cron", () => bob.crons.createForThread(bobs, A, { schedule: "0 0 * * *", input: human("x") })],
    ];
    for (const [name, call] of refused) expect(await failure(call()), name).toBe(hidden);
    expect(await streamFailure(bob.runs.stream(bobs, A, { input: human("x") }))).toBe(hidden);
    expect(await streamFailure(bob.runs.stream(null, A, { input: human("x") }))).toBe(hidden);
    // Nothing ran for Bob, and his thread is untouched; the graph's own assistant stays his to run.
    expect(await bob.runs.list(bobs)).toEqual([]);
    expect(await bob.crons.search({})).toEqual([]);
    const own = (await bob.runs.wait(bobs, "agent", { input: human("mine") })) as Messages;
    expect(own.messages.at(-1)?.content).toMatch(/You said: "mine"/);
    // Alice runs her assistant, and her run carries its config.
    const run = await alice.runs.create(null, A, { input: human("hers"), onCompletion: "keep" as never });
    expect((run as unknown as { kwargs: { config: { configurable: Record<string, unknown> } } }).kwargs.config.configurable.secret).toBe("alice-only");
    await alice.runs.join(run.thread_id, run.run_id);
  });

  it("each user's search and count show only their own threads", async () => {
    const bobs = (await bob.threads.create()).thread_id;
    const aliceIds = (await alice.threads.search({ limit: 100 })).map((t) => t.thread_id);
    const bobIds = (await bob.threads.search({ limit: 100 })).map((t) => t.thread_id);
    expect(aliceIds).toEqual(expect.arrayContaining([T, T2]));
    expect(aliceIds).not.toContain(bobs);
    expect(bobIds).toContain(bobs);
    expect(bobIds).not.toContain(T);
    expect(bobIds).not.toContain(T2);
    expect(await bob.threads.count()).toBe(bobIds.length);
    expect(await alice.threads.count()).toBe(aliceIds.length);
    // Searching by Alice's owner tag does not reveal her threads either.
    expect(await bob.threads.search({ metadata: { owner: "user1" } })).toEqual([]);
  });

  it("stateless runs are stamped and private too", async () => {
    const run = await alice.runs.create(null, "agent", { input: human("stateless"), onCompletion: "keep" as never }); // the SDK's type says "complete" | "continue"; the API takes "keep" | "delete"
    const values = (await alice.runs.join(run.thread_id, run.run_id)) as Messages;
    expect(values.messages.at(-1)?.content).toMatch(/You said: "stateless"/);
    expect((await alice.threads.get(run.thread_id)).metadata).toMatchObject({ owner: "user1" });
    expect(await failure(bob.threads.get(run.thread_id))).toBe(`HTTP 404: Thread with ID ${run.thread_id} not found`);
    const once = (await bob.runs.wait(null, "agent", { input: human("just once") })) as Messages;
    expect(once.messages.at(-1)?.content).toMatch(/You said: "just once"/);
  });

  it("store namespaces are scoped to the user: 403 on another's", async () => {
    await bob.store.putItem(["user2", "notes"], "n1", { text: "mine" });
    expect((await bob.store.getItem(["user2", "notes"], "n1"))?.value).toEqual({ text: "mine" });
    expect((await bob.store.searchItems(["user2"])).items.map((i) => i.key)).toEqual(["n1"]);
    expect((await bob.store.listNamespaces({ prefix: ["user2"] })).namespaces).toEqual([["user2", "notes"]]);
    await alice.store.putItem(["user1", "notes"], "n1", { text: "hers" });
    const refusal = 'HTTP 403: Store namespaces must start with your user id: ["user2", ...]';
    expect(await failure(bob.store.putItem(["user1", "notes"], "n1", { text: "overwritten" }))).toBe(refusal);
    expect(await failure(bob.store.getItem(["user1", "notes"], "n1"))).toBe(refusal);
    expect(await failure(bob.store.searchItems(["user1"]))).toBe(refusal);
    expect(await failure(bob.store.listNamespaces({ prefix: ["user1"] }))).toBe(refusal);
    expect(await failure(bob.store.deleteItem(["user1", "notes"], "n1"))).toBe(refusal);
    expect((await alice.store.getItem(["user1", "notes"], "n1"))?.value).toEqual({ text: "hers" });
  });
});

describe("part 3: OAuth2 / OIDC tokens (templates/oauth-jwt)", () => {
  let issuer: DevIssuer;
  let impostor: DevIssuer; // same key id, different key: its signatures must not verify
  const served = serveTemplate("oauth-jwt", async (dir) => {
    issuer = await startDevIssuer();
    impostor = await startDevIssuer();
    writeFileSync(join(dir, ".env"), `AUTH_ISSUER=${issuer.issuer}\nAUTH_AUDIENCE=langgraph-api\nAUTH_JWKS_URL=${issuer.jwksUrl}\n`);
  });
  afterAll(async () => {
    await issuer?.close();
    await impostor?.close();
  });

  it("a valid token from the provider works, and the user is the token's subject", async () => {
    const client = served.client(bearer(await issuer.mint("user1", { email: "user1@example.com" })));
    const thread = await client.threads.create();
    expect(thread.metadata).toMatchObject({ owner: "user1" });
    const values = (await client.runs.wait(thread.thread_id, "agent", { input: human("hi") })) as Messages;
    expect(values.messages.at(-1)?.content).toMatch(/You said: "hi"/);
    const other = served.client(bearer(await issuer.mint("user2")));
    expect(await failure(other.threads.get(thread.thread_id))).toBe(`HTTP 404: Thread with ID ${thread.thread_id} not found`);
  });

  it.each([
    ["expired", (): Promise<string> => issuer.mint("user1", {}, "-5 minutes"), /"exp" claim timestamp check failed/],
    ["wrong audience", (): Promise<string> => issuer.mint("user1", { aud: "someone-else" }), /unexpected "aud" claim value/],
    ["wrong issuer", (): Promise<string> => issuer.mint("user1", { iss: "http://127.0.0.1:9/not-the-issuer" }), /unexpected "iss" claim value/],
    ["wrong signature", (): Promise<string> => impostor.mint("user1", { iss: issuer.issuer }), /signature verification failed/],
    ["not a JWT", async (): Promise<string> => "not-a-jwt", /Invalid token/],
  ] as const)("%s token: 401 with WWW-Authenticate", async (_name, mint, reason) => {
    const res = await fetch(`${served.url}/threads/search`, {
      method: "POST",
      headers: { ...bearer(await mint()), "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Bearer");
    const text = await res.text();
    expect(text).toMatch(/^Invalid token/);
    expect(text).toMatch(reason);
  });

  it("no token: 401", async () => {
    expect(await failure(served.client().threads.search())).toBe("HTTP 401: Send 'Authorization: Bearer <access token>'");
  });
});

/** The auth-e2e fixture: users alice and bob, owner rules, whoami graphs, deliberate bugs. */
function serveFixture(args: string[] = []) {
  const state: { server?: RunningServer; fixture?: { dir: string; cleanup(): void } } = {};
  beforeAll(async () => {
    state.fixture = copyFixture("auth-e2e");
    state.server = await startServer(state.fixture.dir, { args: ["--no-reload", ...args] });
  }, START_TIMEOUT);
  afterAll(async () => {
    const code = await state.server?.stop();
    state.fixture?.cleanup();
    expect(code).toBe(0);
  });
  return {
    get url() {
      return state.server!.url;
    },
    get dir() {
      return state.fixture!.dir;
    },
    output: () => state.server!.output(),
    client: (headers: Record<string, string> = {}) => new Client({ apiUrl: state.server!.url, defaultHeaders: headers, callerOptions: { maxRetries: 0 } }),
  };
}

/** Resolves once the server printed `text` (bounded by the test timeout, not asserted on time). */
async function outputContains(output: () => string, text: string): Promise<void> {
  while (!output().includes(text)) await new Promise((r) => setTimeout(r, 20));
}

type Caller = { user: Record<string, unknown> | null; user_id: string | null; permissions: string[] | null };

describe("the user reaches the graph, the Studio user, and bad auth modules", () => {
  const served = serveFixture();
  const STUDIO = { "x-auth-scheme": "langsmith" };

  it("config.configurable carries langgraph_auth_user (with extra fields), _user_id and _permissions, in nodes and factories", async () => {
    const alice = served.client(bearer("alice-token"));
    const expectedUser = {
      identity: "alice",
      display_name: "ALICE",
      is_authenticated: true,
      permissions: ["threads:write", "store:read"],
      email: "alice@example.com",
      org: "acme",
    };
    const expected = { user: expectedUser, user_id: "alice", permissions: ["threads:write", "store:read"] };
    const thread = await alice.threads.create();
    const plain = (await alice.runs.wait(thread.thread_id, "whoami", { input: {} })) as { node: Caller };
    expect(plain.node).toEqual(expected);
    const made = (await alice.runs.wait(null, "whoami_factory", { input: {} })) as { node: Caller; factory: Caller };
    expect(made.node).toEqual(expected);
    expect(made.factory).toEqual(expected);
    const bob = served.client(bearer("bob-token"));
    const bobs = (await bob.runs.wait(null, "whoami_factory", { input: {} })) as { node: Caller; factory: Caller };
    expect(bobs.factory.user_id).toBe("bob");
    expect(bobs.node.permissions).toEqual([]);
  });

  it("x-auth-scheme: langsmith from loopback runs as the Studio user; the handlers still run and see isStudioUser()", async () => {
    const studio = served.client(STUDIO);
    const thread = await studio.threads.create();
    expect(thread.metadata).toMatchObject({ owner: "langgraph-studio-user", studio: true });
    const out = (await studio.runs.wait(thread.thread_id, "whoami", { input: {} })) as { node: Caller };
    expect(out.node.user_id).toBe("langgraph-studio-user");
    expect(out.node.user).toMatchObject({ kind: "StudioUser", identity: "langgraph-studio-user", is_authenticated: true, permissions: [] });
    // The handlers' filters hold for the Studio user too: alice's thread is not its own.
    const alice = served.client(bearer("alice-token"));
    const hers = await alice.threads.create();
    expect(hers.metadata).toMatchObject({ owner: "alice", studio: false });
    expect(await failure(studio.threads.get(hers.thread_id))).toBe(`HTTP 404: Thread with ID ${hers.thread_id} not found`);
    // The header does not override a token: a client with both is the Studio user (as on LangGraph Platform).
    expect((await served.client({ ...STUDIO, ...bearer("bob-token") }).threads.create()).metadata).toMatchObject({ owner: "langgraph-studio-user" });
  });

  it("an authenticate that throws a TypeError: 500 with nothing in the body, the stack in the log, the next request fine", async () => {
    const res = await fetch(`${served.url}/threads/search`, {
      method: "POST",
      headers: { ...bearer("alice-token"), "x-test-mode": "type-error", "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("Internal Server Error");
    await outputContains(served.output, "TypeError");
    const log = served.output();
    expect(log).toContain(`The authenticate function of ${join(served.dir, "src", "auth.ts")} threw`);
    expect(log).toMatch(/Caused by: TypeError: Cannot read properties of undefined \(reading 'name'\)\n\s+at .*auth\.ts/);
    expect(await served.client(bearer("alice-token")).threads.search()).toEqual(expect.any(Array));
  });

  it("an authenticate result without an identity: 500 and a log line naming the auth file", async () => {
    const res = await fetch(`${served.url}/threads/search`, {
      method: "POST",
      headers: { "x-test-mode": "no-identity", "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("Internal Server Error");
    const line = `The authenticate function of ${join(served.dir, "src", "auth.ts")} returned an object without a string \`identity\``;
    await outputContains(served.output, line);
  });

  it("a handler that returns a number: a clear 500 and log line; other requests unaffected", async () => {
    const alice = served.client(bearer("alice-token"));
    expect(await failure(alice.assistants.search())).toBe("HTTP 500: Internal Server Error");
    await outputContains(served.output, `The "assistants:search" auth handler of ${join(served.dir, "src", "auth.ts")} returned a number`);
    expect((await alice.threads.create()).metadata).toMatchObject({ owner: "alice" });
  });

  it("a handler that waits does not block other requests", async () => {
    const alice = served.client(bearer("alice-token"));
    const bob = served.client(bearer("bob-token"));
    let slowDone = false;
    const slow = alice.threads.count({ metadata: { gate: "wait" } }).then((n) => {
      slowDone = true;
      return n;
    });
    // Once the slow request is inside its handler, other requests - reads, writes, a whole run - still complete.
    await outputContains(served.output, "gate: a handler is waiting");
    const thread = await bob.threads.create();
    expect((await bob.threads.get(thread.thread_id)).thread_id).toBe(thread.thread_id);
    expect(await bob.runs.wait(thread.thread_id, "whoami", { input: {} })).toMatchObject({ node: { user_id: "bob" } });
    expect(slowDone).toBe(false);
    expect(await bob.threads.count({ metadata: { gate: "open" } })).toBe(0);
    expect(await slow).toBe(0);
  });
});

describe("the Studio shortcut turned off", () => {
  const served = serveFixture(["--config", "langgraph.studio-off.json"]);

  it('disable_studio_auth: "true" makes the header count for nothing', async () => {
    const studio = served.client({ "x-auth-scheme": "langsmith" });
    expect(await failure(studio.threads.create())).toBe("HTTP 401: Invalid token");
    expect((await served.client(bearer("alice-token")).threads.create()).metadata).toMatchObject({ owner: "alice", studio: false });
  });
});

describe("listening beyond loopback", () => {
  const served = serveFixture(["--host", "0.0.0.0"]);

  it("the banner says so; the Studio header still works from this machine", async () => {
    expect(served.output()).toMatch(/Listening on 0\.0\.0\.0: reachable from the network\. The Studio header bypass is honoured only from loopback peers\./);
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
    expect((await served.client({ "x-auth-scheme": "langsmith" }).threads.create()).metadata).toMatchObject({ owner: "langgraph-studio-user" });
  });
});

describe("auth modules that cannot load stop start-up with a message naming the file", () => {
  const temp = makeTempDir("lg-dev-bad-auth-");
  afterAll(() => temp.cleanup());

  const GRAPH = `import { Annotation, StateGraph } from "@langchain/langgraph";
export const graph = new StateGraph(Annotation.Root({ x: Annotation<number> })).addNode("n", () => ({ x: 1 })).addEdge("__start__", "n").compile();
`;
  /** A project whose auth.path is `path`, with `files` beside the graph; returns lg-dev's exit code and output. */
  async function start(name: string, path: string, files: Record<string, string>) {
    const dir = join(temp.dir, name);
    writeFiles(dir, {
      "langgraph.json": JSON.stringify({ graphs: { g: "./graph.ts:graph" }, auth: { path } }),
      "graph.ts": GRAPH,
      ...files,
    });
    linkNodeModules(dir);
    const result = await runLgDev(["--config", dir, "--port", "0", "--no-browser", "--no-reload"], { timeoutMs: 30_000 });
    return { ...result, dir };
  }

  it.each([
    ["missing file", "./src/nope.ts:auth", {}, (dir: string) => `Auth module not found: ${join(dir, "src", "nope.ts")}`],
    [
      "missing export",
      "./auth.ts:auth",
      { "auth.ts": 'import { Auth } from "@langchain/langgraph-sdk/auth";\nexport const other = new Auth();\n' },
      (dir: string) => `Auth module ${join(dir, "auth.ts")} has no export "auth" (exports: other)`,
    ],
    [
      "not an Auth",
      "./auth.ts:auth",
      { "auth.ts": "export const auth = { authenticate: () => 'me' };\n" },
      (dir: string) => `Export "auth" of ${join(dir, "auth.ts")} is not an Auth from @langchain/langgraph-sdk/auth`,
    ],
    [
      "throws on import",
      "./auth.ts:auth",
      { "auth.ts": 'throw new Error("AUTH_SECRET is not set");\nexport const auth = 1;\n' },
      (dir: string) => `Failed to import auth module ${join(dir, "auth.ts")}: AUTH_SECRET is not set`,
    ],
  ] as const)("%s: exit 1", async (name, path, files, message) => {
    const { code, stdout, stderr, dir } = await start(name.replace(/ /g, "-"), path, files);
    expect(code, stdout + stderr).toBe(1);
    expect(stderr).toContain(message(dir));
    expect(stdout).not.toContain("API:");
  });
});
