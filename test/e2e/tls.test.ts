/**
 * `--ssl-certfile` / `--ssl-keyfile` serve HTTPS: the banner shows https URLs, the SDK Client in another process
 * that trusts the certificate (NODE_EXTRA_CA_CERTS, nothing switched off) runs a graph, a client that does not
 * trust it is refused by TLS, and the DNS-rebinding Host check still answers 403. Also bad files, and
 * `--server-log-level` through the command line.
 */
import { execFileSync, spawn } from "node:child_process";
import { request } from "node:https";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyFixture, runLgDev, startServer, type RunningServer } from "../helpers/spawn.js";

const fx = copyFixture("echo");
const servers: RunningServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
  fx.cleanup();
});

/** A self-signed certificate for localhost and 127.0.0.1, made by the openssl CLI (P-256: fast to make). */
function makeCertificate(dir: string, name = "server"): { cert: string; key: string } {
  const cert = join(dir, `${name}-cert.pem`);
  const key = join(dir, `${name}-key.pem`);
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
  ], { stdio: "ignore" });
  return { cert, key };
}

/** Run a script with the SDK in another Node process (its output: the last line, JSON). */
function runClient(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = join(fx.dir, `client-${servers.length}-${Date.now()}.mjs`);
  writeFileSync(file, script);
  const child = spawn(process.execPath, [file], { cwd: fx.dir, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  return new Promise((resolve) => child.on("exit", (code) => (clearTimeout(timer), resolve({ code, stdout, stderr }))));
}

describe("HTTPS", () => {
  const { cert, key } = makeCertificate(fx.dir);

  it("serves the API over TLS to an SDK client that trusts the certificate", async () => {
    const server = await startServer(fx.dir, { args: ["--no-reload", "--no-persist", "--ssl-certfile", cert, "--ssl-keyfile", key] });
    servers.push(server);
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(server.output()).toContain(`Docs:   ${server.url}/docs`);
    expect(server.output()).toContain(`baseUrl=${encodeURIComponent(server.url)}`);

    const script = `
import { Client } from "@langchain/langgraph-sdk";
const client = new Client({ apiUrl: ${JSON.stringify(server.url)} });
const thread = await client.threads.create();
const out = await client.runs.wait(thread.thread_id, "echo", { input: { messages: [{ role: "user", content: "over tls" }] } });
console.log(JSON.stringify(out.messages.map((m) => m.content)));
`;
    const trusted = await runClient(script, { NODE_EXTRA_CA_CERTS: cert });
    expect(trusted.stderr).toBe("");
    expect(JSON.parse(trusted.stdout.trim().split("\n").at(-1)!)).toEqual(["over tls", "echo: over tls"]);

    // Without the certificate, TLS refuses the connection: this really is HTTPS with that certificate.
    const probe = `try { await fetch(${JSON.stringify(`${server.url}/ok`)}); console.log("connected"); } catch (err) { console.log(err.cause?.code ?? err.message); }`;
    expect((await runClient(probe, {})).stdout.trim()).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
    expect((await runClient(probe, { NODE_EXTRA_CA_CERTS: cert })).stdout.trim()).toBe("connected");
  }, 60_000);

  it("keeps the DNS-rebinding Host check", async () => {
    const server = servers[0] ?? (await startServer(fx.dir, { args: ["--no-reload", "--no-persist", "--ssl-certfile", cert, "--ssl-keyfile", key] }));
    const port = new URL(server.url).port;
    const ask = (host: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, path: "/info", method: "GET", ca: readFileSync(cert), servername: "localhost", headers: { host } }, (res) => {
          let body = "";
          res.on("data", (d) => (body += d));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("error", reject);
        req.end();
      });
    expect((await ask(`localhost:${port}`)).status).toBe(200);
    const evil = await ask("evil.example");
    expect(evil.status).toBe(403);
  });

  it("refuses files that cannot serve HTTPS with one clear line", async () => {
    const missing = await runLgDev(["--config", fx.dir, "--port", "0", "--no-browser", "--no-persist", "--ssl-certfile", "nope.pem", "--ssl-keyfile", key], { cwd: fx.dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/lg-dev: Cannot read --ssl-certfile .*nope\.pem: ENOENT/);
    const other = makeCertificate(fx.dir, "other");
    const mismatch = await runLgDev(["--config", fx.dir, "--port", "0", "--no-browser", "--no-persist", "--ssl-certfile", cert, "--ssl-keyfile", other.key], { cwd: fx.dir });
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toMatch(/lg-dev: --ssl-certfile .* and --ssl-keyfile .* cannot serve HTTPS: .*key values mismatch/);
  });
});

describe("--server-log-level", () => {
  it("logs a line per request at INFO (Python's spelling), none by default", async () => {
    const quiet = await startServer(fx.dir, { args: ["--no-reload", "--no-persist"] });
    servers.push(quiet);
    const loud = await startServer(fx.dir, { args: ["--no-reload", "--no-persist", "--server-log-level", "INFO"] });
    servers.push(loud);
    for (const s of [quiet, loud]) await fetch(`${s.url}/threads`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    const until = Date.now() + 5_000;
    while (!/POST \/threads 200/.test(loud.output()) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    expect(loud.output()).toMatch(/info  POST \/threads 200 \d+\.\d ms/);
    expect(quiet.output()).not.toMatch(/POST \/threads/);
    const bad = await runLgDev(["--server-log-level", "loud"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--server-log-level.*must be one of silent, error, warn, info, debug/);
  });
});
