import { Client } from "@langchain/langgraph-sdk";
import { afterAll, beforeAll, expect } from "vitest";
import { copyFixture, startServer, type RunningServer } from "./spawn.js";

/** A fixture copy served by bin/lg-dev for a whole test file, with an SDK client on it. */
export interface ServedFixture {
  readonly server: RunningServer;
  readonly client: Client;
  readonly dir: string;
}

/**
 * Serve test/fixtures/<name> (a temp copy) for the enclosing describe block: started in beforeAll, stopped in
 * afterAll (which checks a clean exit, code 0) and its temp dir removed.
 */
export function serveFixture(name: string, args: string[] = ["--no-reload"]): ServedFixture {
  let server: RunningServer | undefined;
  let client: Client | undefined;
  let fixture: { dir: string; cleanup(): void } | undefined;
  beforeAll(async () => {
    fixture = copyFixture(name);
    server = await startServer(fixture.dir, { args });
    client = new Client({ apiUrl: server.url });
  });
  afterAll(async () => {
    const code = await server?.stop();
    fixture?.cleanup();
    expect(code).toBe(0);
  });
  return {
    get server() {
      return server!;
    },
    get client() {
      return client!;
    },
    get dir() {
      return fixture!.dir;
    },
  };
}
