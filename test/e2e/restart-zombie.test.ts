import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { Client } from "@langchain/langgraph-sdk";
import { afterAll, describe, expect, it } from "vitest";
import { copyFixture, LG_DEV_BIN, startServer, TEST_BACKEND, type RunningServer } from "../helpers/spawn.js";

const fixtures: Array<{ cleanup(): void }> = [];
const servers: RunningServer[] = [];
const parents: ChildProcess[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  for (const p of parents) p.kill("SIGKILL");
  fixtures.forEach((f) => f.cleanup());
});

/**
 * A parent that starts lg-dev, kill -9s it once it is ready and then sleeps without reaping it, as a container
 * whose PID 1 reaps late or a supervisor that restarts at once: lg-dev stays a zombie. SIGTERM makes the parent
 * reap it and exit.
 */
const PARENT = `
import os, signal, subprocess, sys, time
proc = subprocess.Popen([sys.argv[1], sys.argv[2], "--config", sys.argv[3], "--port", "0", "--no-browser", "--no-reload"],
                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=dict(os.environ, BROWSER="none", NO_COLOR="1"))
for line in proc.stdout:
    if b"API:" in line:
        break
proc.stdout.close()
os.kill(proc.pid, signal.SIGKILL)
print(proc.pid, flush=True)
def done(*_):
    os.waitpid(proc.pid, 0)
    sys.exit(0)
signal.signal(signal.SIGTERM, done)
while True:
    time.sleep(1)
`;

function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
  } catch {
    return undefined;
  }
}

// The embedded store's lock on .langgraph_api/ (the zombie still holds the directory's pid). PostgreSQL has no such
// lock: a killed process's runs are ended by lease by whoever runs next (durability.test.ts's kill -9 test on
// PostgreSQL, multi-process.test.ts's SIGKILL takeover).
describe.runIf(process.platform === "linux" && TEST_BACKEND === "embedded")("restart right after kill -9", () => {
  it("starts on the data of a killed lg-dev its parent has not reaped (a zombie), and keeps what it acknowledged", async () => {
    const fx = copyFixture("echo");
    fixtures.push(fx);
    // Data the killed process acknowledged, written by a normal run first.
    const first = await startServer(fx.dir, { args: ["--no-reload"] });
    const thread = await new Client({ apiUrl: first.url }).threads.create({ metadata: { kept: true } });
    expect(await first.stop()).toBe(0);

    const parent = spawn("python3", ["-c", PARENT, process.execPath, LG_DEV_BIN, fx.dir], { stdio: ["ignore", "pipe", "inherit"] });
    parents.push(parent);
    const pid = await new Promise<number>((res, rej) => {
      let out = "";
      const timer = setTimeout(() => rej(new Error(`the parent did not report a pid: ${out}`)), 20_000);
      parent.stdout!.on("data", (d) => {
        out += d;
        const m = /^(\d+)\n/.exec(out);
        if (m) {
          clearTimeout(timer);
          res(Number(m[1]));
        }
      });
      parent.once("exit", (code) => rej(new Error(`the parent exited with ${code}: ${out}`)));
    });
    // The kernel marks it a zombie right after the SIGKILL: wait for that (not for any reaping).
    for (let i = 0; i < 100 && procState(pid) !== "Z"; i++) await new Promise((r) => setTimeout(r, 20));
    expect(procState(pid)).toBe("Z");

    const second = await startServer(fx.dir, { args: ["--no-reload"], timeoutMs: 30_000 });
    servers.push(second);
    expect(procState(pid)).toBe("Z"); // still unreaped while the new one serves
    const again = await new Client({ apiUrl: second.url }).threads.get(thread.thread_id);
    expect(again.metadata).toMatchObject({ kept: true });

    // A second live process is still refused, naming the holder.
    await expect(startServer(fx.dir, { args: ["--no-reload"], timeoutMs: 10_000 })).rejects.toThrow(
      new RegExp(`in use by another lg-dev process \\(pid ${second.process.pid}\\)`),
    );
    expect(await second.stop()).toBe(0);

    const reaped = new Promise((r) => parent.once("exit", r));
    parent.kill("SIGTERM");
    await reaped;
  }, 60_000);
});
