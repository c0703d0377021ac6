import { createInterface } from "node:readline/promises";
import type { Readable, Writable } from "node:stream";
import { resolveTemplate, type TemplateInfo } from "./templates.js";

/** Thrown when the user leaves a prompt (Ctrl+C, Ctrl+D): nothing has been written at that point. */
export class PromptCancelled extends Error {
  constructor() {
    super("Cancelled");
    this.name = "PromptCancelled";
  }
}

/** Streams to talk through; a real terminal in the CLI, in-memory streams in tests. */
export interface PromptIO {
  input: Readable;
  output: Writable;
}

/** What is already known from the command line; the rest gets asked. */
export interface PromptNeeds {
  dir?: string;
  template?: TemplateInfo;
  templates: TemplateInfo[];
  /** Why a directory cannot be used (undefined when it can), so a bad answer is asked again instead of failing. */
  checkDir(dir: string): Promise<string | undefined>;
  defaultDir?: string;
}

/** Asks for the directory and then the template, whichever is missing. */
export async function promptMissing(io: PromptIO, needs: PromptNeeds): Promise<{ dir: string; template: TemplateInfo }> {
  const rl = createInterface({ input: io.input, output: io.output });
  // readline's question() never settles when input ends or on Ctrl+C; an abort turns both into a clean cancel.
  const cancel = new AbortController();
  rl.on("SIGINT", () => cancel.abort());
  rl.on("close", () => cancel.abort());
  const ask = async (query: string) => {
    try {
      return (await rl.question(query, { signal: cancel.signal })).trim();
    } catch (err) {
      if (cancel.signal.aborted) throw new PromptCancelled();
      throw err;
    }
  };
  try {
    const dir = needs.dir ?? (await askDir(ask, io.output, needs));
    const template = needs.template ?? (await askTemplate(ask, io.output, needs.templates));
    return { dir, template };
  } finally {
    rl.close();
  }
}

type Ask = (query: string) => Promise<string>;

async function askDir(ask: Ask, output: Writable, needs: PromptNeeds): Promise<string> {
  const fallback = needs.defaultDir ?? "my-langgraph-app";
  for (;;) {
    const dir = (await ask(`Project directory (${fallback}): `)) || fallback;
    const problem = await needs.checkDir(dir);
    if (!problem) return dir;
    output.write(`  ${problem}\n`);
  }
}

async function askTemplate(ask: Ask, output: Writable, templates: TemplateInfo[]): Promise<TemplateInfo> {
  const width = Math.max(...templates.map((t) => t.id.length));
  output.write("Templates:\n");
  templates.forEach((t, i) => output.write(`  ${String(i + 1).padStart(2)}. ${t.id.padEnd(width)}  ${t.description}\n`));
  for (;;) {
    const answer = await ask(`Template [1-${templates.length}, or an id] (1): `);
    if (!answer) return templates[0]!;
    const chosen = /^\d+$/.test(answer) ? templates[Number(answer) - 1] : resolveTemplate(templates, answer);
    if (chosen) return chosen;
    output.write(`  Type a number from 1 to ${templates.length}, or one of: ${templates.map((t) => t.id).join(", ")}\n`);
  }
}
