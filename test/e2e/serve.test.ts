import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { Client } from "@langchain/langgraph-sdk";
import { afterAll, describe, expect, it } from "vitest";
import { MIGRATIONS } from "../../src/storage/postgres/schema.js";
import { usePostgres } from "../helpers/postgres.js";
import { copyFixture, lgDevUnderTest, runLgDev } from "../helpers/spawn.js";

const fixtures: Array<{ cleanup(): void }> = [];
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) c.kill("SIGKILL");
  fixtures.forEach((f) => f.cleanup());
});

/** A `lg-dev serve` process: its output as lines, the parsed JSON log lines, and how it exited. */
interface Served {
  child: ChildProcess;
  url: string;
  text(): string;
  logs(): Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

const TEST_ENV = { BROWSER: "none", NO_COLOR: "1", LG_DEV_STATIC_SCHEMAS: "0", PORT: undefined, POSTGRES_URI: undefined };

function spawnServe(dir: string, args: string[], env: Record<string, string | undefined> = {}) {
  const child = spawn(process.execPath, [lgDevUnderTest().bin, "serve", ...args], {
    cwd: dir,
    env: { ...process.env, ...TEST_ENV, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => {
    children.delete(child);
    r(code);
  }));
  const lines = () => out.split("\n").filter((l) => l.trim() !== "");
  return { child, exited, text: () => out, logs: () => lines().map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** Start `lg-dev serve` and wait for its JSON ready line. */
async function serve(dir: string, args: string[] = [], env: Record<string, string | undefined> = {}): Promise<Served> {
  const s = spawnServe(dir, args, env);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lg-dev serve was not ready in time:\n${s.text()}`)), 30_000);
    const check = () => {
      const m = /"msg":"lg-dev ready","url":"([^"]+)"/.exec(s.text());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    s.child.stdout!.on("data", check);
    void s.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`lg-dev serve exited with ${code} before it was ready:\n${s.text()}`));
    });
  });
  return { ...s, url };
}

async function sigterm(s: Served): Promise<number | null> {
  s.child.kill("SIGTERM");
  const timer = setTimeout(() => s.child.kill("SIGKILL"), 15_000);
  const code = await s.exited;
  clearTimeout(timer);
  return code;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function echoFixture() {
  const fx = copyFixture("echo");
  fixtures.push(fx);
  return fx.dir;
}

const ask = async (client: Client) => {
  const out = (await client.runs.wait(null, "echo", { input: { messages: [{ role: "user", content: "hi" }] } })) as { messages: Array<{ content: string }> };
  return out.messages.at(-1)!.content;
};

describe("lg-dev serve", () => {
  it("is listed in lg-dev --help and has its own --help", async () => {
    expect((await runLgDev(["--help"])).stdout).toMatch(/Commands:\n {2}serve {2}the production server/);
    const help = await runLgDev(["serve", "--help"]);
    expect(help.code).toBe(0);
    for (const flag of ["--port", "--host", "--postgres", "$POSTGRES_URI", "$PORT, else 8000", "--log-format", "--shutdown-grace", "--no-fsync"]) {
      expect(help.stdout).toContain(flag);
    }
    expect(help.stdout).not.toContain("--no-reload");
    expect(help.stdout).not.toContain("--no-browser");
  });

  it("binds 0.0.0.0 on $PORT, logs JSON lines only, does not watch files, and exits 0 on SIGTERM", async () => {
    const dir = echoFixture();
    const port = await freePort();
    const s = await serve(dir, [], { PORT: String(port) });
    expect(s.url).toBe(`http://127.0.0.1:${port}`);
    const client = new Client({ apiUrl: s.url });
    expect(await ask(client)).toBe("echo: hi");

    // A saved file is not picked up: serve has no watcher (dev would reload and answer "changed: hi").
    writeFileSync(join(dir, "src", "helper.ts"), `export const prefix = (): string => "changed: ";\n`);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await ask(client)).toBe("echo: hi");

    expect(await sigterm(s)).toBe(0);
    const logs = s.logs(); // every line parses as JSON
    for (const line of logs) {
      expect(typeof line.time).toBe("string");
      expect(Number.isNaN(Date.parse(line.time as string))).toBe(false);
      expect(["error", "warn", "info", "debug"]).toContain(line.level);
      expect(typeof line.msg).toBe("string");
    }
    const ready = logs.find((l) => l.msg === "lg-dev ready")!;
    expect(ready).toMatchObject({ level: "info", host: "0.0.0.0", port, storage: "embedded (.langgraph_api/)" });
    expect(logs.some((l) => l.msg === "SIGTERM: shutting down")).toBe(true);
    expect(logs.some((l) => /reload/i.test(l.msg as string))).toBe(false);
  }, 60_000);

  it("--port wins over $PORT; --log-format text is for terminals", async () => {
    const dir = echoFixture();
    const s = spawnServe(dir, ["--port", "0", "--no-persist", "--log-format", "text"], { PORT: "1" });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(s.text())), 30_000);
      s.child.stdout!.on("data", () => {
        if (/info {2}lg-dev ready url=http:\/\/127\.0\.0\.1:\d+/.test(s.text())) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    expect(Number(/lg-dev ready url=http:\/\/127\.0\.0\.1:(\d+)/.exec(s.text())![1])).not.toBe(1);
    s.child.kill("SIGTERM");
    expect(await s.exited).toBe(0);
  }, 60_000);

  it("a bad $PORT or --postgres URL is one JSON error line and exit 1", async () => {
    const dir = echoFixture();
    const badPort = spawnServe(dir, [], { PORT: "eighty" });
    expect(await badPort.exited).toBe(1);
    expect(badPort.logs()).toEqual([expect.objectContaining({ level: "error", msg: "lg-dev serve: PORT=eighty: must be an integer from 0 to 65535" })]);

    const badUrl = spawnServe(dir, ["--port", "0", "--postgres", "mysql://me:hunter2@db/app"]);
    expect(await badUrl.exited).toBe(1);
    expect(badUrl.logs()).toEqual([expect.objectContaining({ level: "error", msg: expect.stringMatching(/^--postgres \/ POSTGRES_URI: the URL's scheme must be postgres:\/\/ or postgresql:\/\/, got mysql:\/\//) })]);
    expect(badUrl.text()).not.toContain("hunter2");

    const unreachable = spawnServe(dir, ["--port", "0"], { POSTGRES_URI: "postgres://me:hunter2@127.0.0.1:1/app" });
    expect(await unreachable.exited).toBe(1);
    expect(unreachable.logs()).toEqual([expect.objectContaining({ level: "error", msg: expect.stringMatching(/^PostgreSQL at 127\.0\.0\.1:1\/app is unreachable: .*ECONNREFUSED/) })]);
    expect(unreachable.text()).not.toContain("hunter2");
  }, 60_000);

  describe("with PostgreSQL", () => {
    const pg = usePostgres();

    it("connects and migrates at start and keeps everything in PostgreSQL (a restart finds it)", async () => {
      const dir = echoFixture();
      const first = await serve(dir, ["--port", "0", "--no-persist"], { POSTGRES_URI: pg.url });
      const client = new Client({ apiUrl: first.url });
      expect(await ask(client)).toBe("echo: hi");
      const thread = await client.threads.create({ metadata: { kept: "in postgres" } });
      await client.runs.wait(thread.thread_id, "echo", { input: { messages: [{ role: "user", content: "hi" }] } });
      expect(await sigterm(first)).toBe(0);
      const label = new URL(pg.url).host + new URL(pg.url).pathname;
      expect(first.logs()).toContainEqual(expect.objectContaining({ level: "info", msg: `PostgreSQL ${label}: connected, schema version ${MIGRATIONS.length} (migrated from 0)` }));
      expect(first.logs()).toContainEqual(expect.objectContaining({ msg: "lg-dev ready", storage: "postgres" }));
      expect(first.text()).not.toContain(new URL(pg.url).password);
      const database = new URL(pg.url).pathname.slice(1);
      const tables = await pg.cluster.query<{ t: string }>("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public'", [], database);
      expect(tables.map((r) => r.t)).toEqual(expect.arrayContaining(["lgdev_threads", "lgdev_runs", "checkpoints", "store"]));
      const rows = await pg.cluster.query<{ status: string }>("SELECT status FROM lgdev_runs WHERE thread_id = $1", [thread.thread_id], database);
      expect(rows).toEqual([{ status: "success" }]);

      // --postgres beats POSTGRES_URI; a second start finds the schema current and the data there (--no-persist:
      // nothing was on disk).
      const second = await serve(dir, ["--port", "0", "--no-persist", "--postgres", pg.url], { POSTGRES_URI: "postgres://x@127.0.0.1:1/nope" });
      const again = new Client({ apiUrl: second.url });
      expect((await again.threads.get(thread.thread_id)).metadata).toMatchObject({ kept: "in postgres" });
      expect(((await again.threads.getState(thread.thread_id)).values as { messages: unknown[] }).messages).toHaveLength(2);
      expect(await sigterm(second)).toBe(0);
      expect(second.logs()).toContainEqual(expect.objectContaining({ msg: `PostgreSQL ${label}: connected, schema version ${MIGRATIONS.length}` }));
    }, 60_000);
  });
});
