import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, test } from "vitest";
import { makeTempDir, REPO_ROOT } from "../helpers/spawn.js";
import { PromptCancelled, promptMissing } from "../../src/scaffold/prompts.js";
import { runLgNew } from "../../src/scaffold/run.js";
import { scaffoldProject, toPackageName } from "../../src/scaffold/scaffold.js";
import { DEFAULT_TEMPLATES_DIR, loadTemplates, resolveTemplate } from "../../src/scaffold/templates.js";
import { TEMPLATE_IDS } from "./cli.js";

let cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
});
function tempDir(): string {
  const tmp = makeTempDir("lg-new-unit-");
  cleanups.push(tmp.cleanup);
  return tmp.dir;
}

describe("templates", () => {
  test("are found with their aliases, in listing order", async () => {
    const templates = await loadTemplates();
    expect(templates.map((t) => t.id)).toEqual(TEMPLATE_IDS);
    expect(resolveTemplate(templates, "react-agent-js")?.id).toBe("react-agent");
    expect(resolveTemplate(templates, "New-LangGraph-Project-JS")?.id).toBe("new-langgraph-project");
    expect(resolveTemplate(templates, "memory-agent-js")).toBeUndefined();
  });

  test("a malformed template.json names its file", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "broken"));
    writeFileSync(join(dir, "broken", "template.json"), JSON.stringify({ id: "other", description: "x" }));
    await expect(loadTemplates(dir)).rejects.toThrow(/broken\/template\.json: "id" must be "broken"/);
  });
});

test.each([
  ["my-app", "my-app"],
  ["My App", "my-app"],
  ["  Über Agent!! ", "uber-agent"],
  [".hidden", "hidden"],
  ["_private", "private"],
  ["@scope", "scope"],
  ["a--b..", "a-b"],
  ["日本語", "langgraph-app"],
  ["node_modules", "langgraph-app"],
])("package name from directory %j is %j", (dir, name) => {
  expect(toPackageName(dir)).toBe(name);
});

describe("a failure half-way leaves nothing behind", () => {
  // A template whose package.json is broken fails after its files were copied: the worst moment.
  async function brokenTemplate() {
    const dir = join(tempDir(), "broken");
    cpSync(join(DEFAULT_TEMPLATES_DIR, "new-langgraph-project"), dir, { recursive: true });
    writeFileSync(join(dir, "package.json"), "{ not json");
    return { ...(await loadTemplates(DEFAULT_TEMPLATES_DIR))[0]!, dir };
  }

  test("a new directory (and the parents made for it) disappear", async () => {
    const cwd = tempDir();
    const target = join(cwd, "a", "b", "app");
    await expect(scaffoldProject({ template: await brokenTemplate(), targetDir: target, lgDev: "0.0.0" })).rejects.toThrow(
      /package\.json cannot be read/,
    );
    expect(readdirSync(cwd)).toEqual([]);
  });

  test("an existing empty directory is left empty", async () => {
    const target = join(tempDir(), "app");
    mkdirSync(target);
    await expect(scaffoldProject({ template: await brokenTemplate(), targetDir: target, lgDev: "0.0.0" })).rejects.toThrow();
    expect(readdirSync(target)).toEqual([]);
  });

  test("lg-dev that cannot be packed into the project leaves nothing either", async () => {
    const cwd = tempDir();
    const template = (await loadTemplates(DEFAULT_TEMPLATES_DIR))[0]!;
    const vendor = async (projectDir: string) => {
      writeFileSync(join(projectDir, "half-written.tgz"), "");
      throw new Error("npm pack failed");
    };
    await expect(scaffoldProject({ template, targetDir: join(cwd, "app"), lgDev: { vendor } })).rejects.toThrow("npm pack failed");
    expect(readdirSync(cwd)).toEqual([]);
  });
});

/** Answers prompts one at a time, as a person would: readline drops lines typed before a question is asked. */
function scriptedTerminal(answers: string[]) {
  const input = new PassThrough();
  const output = new PassThrough();
  let transcript = "";
  output.on("data", (chunk: Buffer) => {
    transcript += chunk.toString();
    if (/\): $/.test(transcript)) {
      const next = answers.shift();
      if (next === undefined) input.end();
      else setImmediate(() => input.write(`${next}\n`));
    }
  });
  return { input, output, transcript: () => transcript };
}

describe("interactive prompts", () => {
  test("ask for the directory (again when unusable) and the template by number or id", async () => {
    const templates = await loadTemplates();
    const term = scriptedTerminal(["taken", "", "9", "oauth-jwt"]);
    const answer = await promptMissing(term, {
      templates,
      checkDir: async (dir) => (dir === "taken" ? "taken is not empty" : undefined),
    });
    expect(answer.dir).toBe("my-langgraph-app");
    expect(answer.template.id).toBe("oauth-jwt");
    expect(term.transcript()).toContain("  taken is not empty\n");
    expect(term.transcript()).toContain("Type a number from 1 to 5");
  });

  test("ending the input cancels", async () => {
    const templates = await loadTemplates();
    const term = scriptedTerminal([]);
    await expect(promptMissing(term, { templates, checkDir: async () => undefined })).rejects.toBeInstanceOf(PromptCancelled);
  });

  test("runLgNew in a terminal asks what is missing, then scaffolds", async () => {
    const cwd = tempDir();
    const term = scriptedTerminal(["bot", "2"]);
    const stderr = new PassThrough();
    const code = await runLgNew(
      { version: "9.9.9", lgDevSpec: "9.9.9", packageRoot: REPO_ROOT },
      { stdin: term.input, stdout: term.output, stderr, interactive: true, cwd },
    );
    expect(code).toBe(0);
    expect(existsSync(join(cwd, "bot", "src", "agent", "tools.ts"))).toBe(true);
    expect(term.transcript()).toContain('Created bot from the "react-agent" template');
  });
});
