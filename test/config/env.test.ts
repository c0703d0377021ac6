import { afterEach, describe, expect, test } from "vitest";
import { join } from "node:path";
import { ConfigError } from "../../src/errors.js";
import { applyEnv, loadConfig } from "../../src/config/index.js";
import { makeTempDir, writeFiles } from "../helpers/spawn.js";

// Unique names: process.env is shared by every test in this worker.
const PREFIX = `LG_DEV_ENV_TEST_${process.pid}_`;
const name = (key: string) => PREFIX + key;

const temps: Array<() => void> = [];
afterEach(() => {
  while (temps.length) temps.pop()!();
  for (const key of Object.keys(process.env)) if (key.startsWith(PREFIX)) delete process.env[key];
});

async function projectWith(env: unknown, files: Record<string, string> = {}) {
  const tmp = makeTempDir("lg-dev-env-");
  temps.push(tmp.cleanup);
  writeFiles(tmp.dir, { "langgraph.json": JSON.stringify({ graphs: { g: "./g.ts:graph" }, env }), ...files });
  return { dir: tmp.dir, loaded: await loadConfig(tmp.dir) };
}

describe("applyEnv", () => {
  test("an inline object is applied", async () => {
    const { loaded } = await projectWith({ [name("A")]: "1", [name("B")]: "two" });
    expect(applyEnv(loaded).applied.sort()).toEqual([name("A"), name("B")]);
    expect(process.env[name("A")]).toBe("1");
    expect(process.env[name("B")]).toBe("two");
  });

  test("a dotenv file relative to the config dir is parsed with dotenv", async () => {
    const { loaded } = await projectWith("config/.env.local", {
      "config/.env.local": `# comment\n${name("FILE")}="quoted value"\n${name("MULTI")}="line1\\nline2"\nexport ${name("EXPORTED")}=yes\n`,
    });
    applyEnv(loaded);
    expect(process.env[name("FILE")]).toBe("quoted value");
    expect(process.env[name("MULTI")]).toBe("line1\nline2");
    expect(process.env[name("EXPORTED")]).toBe("yes");
  });

  test("variables already in the environment win", async () => {
    process.env[name("SET")] = "from the shell";
    const { loaded } = await projectWith({ [name("SET")]: "from langgraph.json", [name("NEW")]: "new" });
    const result = applyEnv(loaded);
    expect(result.skipped).toEqual([name("SET")]);
    expect(result.applied).toEqual([name("NEW")]);
    expect(process.env[name("SET")]).toBe("from the shell");
  });

  test("a missing env file is a ConfigError naming it", async () => {
    const { dir, loaded } = await projectWith(".env");
    expect(() => applyEnv(loaded)).toThrow(ConfigError);
    expect(() => applyEnv(loaded)).toThrow(`${join(dir, ".env")} not found`);
  });

  test("no env: nothing happens", async () => {
    const { loaded } = await projectWith(undefined);
    expect(applyEnv(loaded)).toEqual({ applied: [], skipped: [], removed: [] });
  });

  test("re-applying after a reload updates and removes what lg-dev set, never what the user set", async () => {
    process.env[name("USER")] = "user";
    const { dir } = await projectWith(".env", {
      ".env": `${name("KEEP")}=1\n${name("CHANGE")}=old\n${name("DROP")}=bye\n${name("USER")}=file\n`,
    });
    applyEnv(await loadConfig(dir));
    expect(process.env[name("CHANGE")]).toBe("old");

    writeFiles(dir, { ".env": `${name("KEEP")}=1\n${name("CHANGE")}=new\n${name("USER")}=file2\n` });
    const second = applyEnv(await loadConfig(dir));
    expect(process.env[name("CHANGE")]).toBe("new");
    expect(process.env[name("KEEP")]).toBe("1");
    expect(process.env[name("DROP")]).toBeUndefined();
    expect(process.env[name("USER")]).toBe("user");
    expect(second.removed).toEqual([name("DROP")]);
    expect(second.skipped).toEqual([name("USER")]);
    expect(second.applied.sort()).toEqual([name("CHANGE"), name("KEEP")]);
  });

  test("a variable lg-dev set but something else changed since is left alone on re-apply", async () => {
    const { dir } = await projectWith({ [name("X")]: "lg" });
    applyEnv(await loadConfig(dir));
    process.env[name("X")] = "changed by the app";
    writeFiles(dir, { "langgraph.json": JSON.stringify({ graphs: { g: "./g.ts:graph" }, env: { [name("X")]: "lg2" } }) });
    const result = applyEnv(await loadConfig(dir));
    expect(process.env[name("X")]).toBe("changed by the app");
    expect(result.skipped).toEqual([name("X")]);
  });
});
