import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@langchain/langgraph-sdk";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { linkNodeModules, makeTempDir, startServer, type RunningServer } from "../helpers/spawn.js";
import { ensureBuilt, lgNew } from "./cli.js";

// Each template, scaffolded by lg-new, served by bin/lg-dev, and used through the real SDK client:
// the path a new user takes after `npx lg-new`.

const temp = makeTempDir("lg-new-serve-");
beforeAll(ensureBuilt, 180_000);
afterAll(() => temp.cleanup());

/** Scaffolds `id` and starts lg-dev on it; `prepare` may write files (e.g. .env) first. */
function serveTemplate(id: string, prepare?: (project: string) => void | Promise<void>) {
  const state: { server?: RunningServer; project: string } = { project: join(temp.dir, id) };
  beforeAll(async () => {
    const created = await lgNew([id, "--template", id], temp.dir, { vendor: false });
    expect(created.code, created.stderr).toBe(0);
    linkNodeModules(state.project);
    await prepare?.(state.project);
    // The fake model must answer, whatever key the developer's shell holds.
    state.server = await startServer(state.project, { env: { OPENAI_API_KEY: undefined }, timeoutMs: 30_000 });
  }, 60_000);
  afterAll(async () => {
    await state.server?.stop();
  });
  return {
    client(token?: string) {
      return new Client({
        apiUrl: state.server!.url,
        defaultHeaders: token ? { Authorization: `Bearer ${token}` } : {},
        callerOptions: { maxRetries: 0 },
      });
    },
  };
}

type Message = { type: string; content: unknown };

/** One run on a new thread through `runs.wait`; returns the thread id and the final messages. */
async function chat(client: Client, text: string, threadId?: string) {
  const thread = threadId ?? (await client.threads.create()).thread_id;
  const values = (await client.runs.wait(thread, "agent", {
    input: { messages: [{ role: "user", content: text }] },
  })) as { messages: Message[] };
  return { threadId: thread, messages: values.messages, reply: values.messages.at(-1)?.content };
}

describe("new-langgraph-project", () => {
  const served = serveTemplate("new-langgraph-project");

  test("answers, and remembers the conversation on its thread", async () => {
    const client = served.client();
    const first = await chat(client, "hi");
    expect(first.reply).toBe('You said: "hi". This is the first message of our conversation.');
    const second = await chat(client, "again", first.threadId);
    expect(second.messages).toHaveLength(4);
    expect(second.reply).toMatch(/2 messages so far; the first one was "hi"/);
  });
});

describe("react-agent", () => {
  const served = serveTemplate("react-agent");

  test("calls a tool with the fake model and answers with its result", async () => {
    const { messages, reply } = await chat(served.client(), "what is 6 * 7?");
    expect(messages.map((m) => m.type)).toEqual(["human", "ai", "tool", "ai"]);
    expect(reply).toBe("The answer is 42.");
  });
});

describe("custom-auth", () => {
  const served = serveTemplate("custom-auth");

  test("refuses requests without a valid token", async () => {
    await expect(served.client().threads.create()).rejects.toThrow(/401/);
    await expect(served.client("nope").threads.create()).rejects.toThrow(/Invalid token/);
  });

  test("completes a run with user1-token", async () => {
    const { reply } = await chat(served.client("user1-token"), "hi");
    expect(reply).toMatch(/You said: "hi"/);
  });
});

describe("private-conversations", () => {
  const served = serveTemplate("private-conversations");

  test("a user's thread is theirs alone", async () => {
    const alice = served.client("user1-token");
    const bob = served.client("user2-token");
    const { threadId, reply } = await chat(alice, "secret");
    expect(reply).toMatch(/You said: "secret"/);
    expect((await alice.threads.get(threadId)).metadata).toMatchObject({ owner: "user1" });
    await expect(bob.threads.get(threadId)).rejects.toThrow(/404/);
    expect((await bob.threads.search()).map((t) => t.thread_id)).not.toContain(threadId);
    await expect(chat(bob, "let me in", threadId)).rejects.toThrow(/404/);
  });

  test("store namespaces are scoped to the user", async () => {
    const bob = served.client("user2-token");
    await bob.store.putItem(["user2", "notes"], "n1", { text: "mine" });
    expect((await bob.store.getItem(["user2", "notes"], "n1"))?.value).toEqual({ text: "mine" });
    await expect(bob.store.putItem(["user1", "notes"], "n1", { text: "hers" })).rejects.toThrow(/403/);
  });
});

describe("oauth-jwt", () => {
  const AUDIENCE = "langgraph-api";
  let issuer: { url: string; server: Server; mint(sub: string): Promise<string> };

  const served = serveTemplate("oauth-jwt", async (project) => {
    issuer = await startIssuer(AUDIENCE);
    writeFileSync(
      join(project, ".env"),
      `AUTH_ISSUER=${issuer.url}\nAUTH_AUDIENCE=${AUDIENCE}\nAUTH_JWKS_URL=${issuer.url}/keys\n`,
    );
  });
  afterAll(() => new Promise<void>((resolve) => (issuer ? issuer.server.close(() => resolve()) : resolve())));

  test("a token from the provider completes a run; others are refused", async () => {
    const { threadId, reply } = await chat(served.client(await issuer.mint("alice")), "hi");
    expect(reply).toMatch(/You said: "hi"/);
    await expect(served.client("not-a-jwt").threads.create()).rejects.toThrow(/401/);
    await expect(served.client(await issuer.mint("bob")).threads.get(threadId)).rejects.toThrow(/404/);
  });
});

/** A minimal OAuth2 provider: a key pair made here, its public half served as a JWKS on 127.0.0.1. */
async function startIssuer(audience: string) {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "test-key", alg: "RS256", use: "sig" };
  const server = createServer((req, res) => {
    if (req.url === "/keys") res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const mint = (sub: string) =>
    new SignJWT({})
      .setProtectedHeader({ alg: "RS256", kid: jwk.kid })
      .setIssuer(url)
      .setAudience(audience)
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime("10m")
      .sign(privateKey);
  return { url, server, mint };
}
