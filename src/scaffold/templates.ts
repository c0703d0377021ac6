import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The templates shipped inside the package (listed in package.json "files"), so scaffolding never needs the network.
 * Two levels up from this file is the package root, both for dist/scaffold (installed) and src/scaffold (tests).
 */
export const DEFAULT_TEMPLATES_DIR = fileURLToPath(new URL("../../templates/", import.meta.url));

/** A template as its `template.json` describes it, plus where it lives. */
export interface TemplateInfo {
  /** The id users type; equal to the template's directory name. */
  id: string;
  /** One line for `--list` and the interactive menu. */
  description: string;
  /** Other accepted names, e.g. the official `langgraph new` ids (`react-agent-js`). */
  aliases: string[];
  /** Commands to run after `npm install`, shown in the next steps (e.g. `cp .env.example .env`). */
  setup: string[];
  /** A line printed after the next steps. */
  hint?: string;
  /** Position in listings: the simplest template first, the auth tutorial in its order. */
  order: number;
  /** Absolute path of the template directory. */
  dir: string;
}

/** Reads every `<templatesDir>/<id>/template.json`, sorted for display. A malformed one is a packaging bug: it throws. */
export async function loadTemplates(templatesDir: string = DEFAULT_TEMPLATES_DIR): Promise<TemplateInfo[]> {
  const entries = await readdir(templatesDir, { withFileTypes: true });
  const templates: TemplateInfo[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const dir = join(templatesDir, entry.name);
    const file = join(dir, "template.json");
    let raw: string;
    try {
      raw = await readFile(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue; // not a template (e.g. a stray folder)
      throw err;
    }
    templates.push(parseTemplateJson(raw, file, entry.name, dir));
  }
  return templates.sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
}

function parseTemplateJson(raw: string, file: string, dirName: string, dir: string): TemplateInfo {
  const fail = (why: string): never => {
    throw new Error(`${file}: ${why}`);
  };
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(raw) as Record<string, unknown>;
  } catch (err) {
    return fail(`not valid JSON (${(err as Error).message})`);
  }
  const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === "string");
  if (json.id !== dirName) fail(`"id" must be "${dirName}", the directory's name`);
  if (typeof json.description !== "string" || !json.description) fail(`"description" must be a non-empty string`);
  if (json.aliases !== undefined && !isStrings(json.aliases)) fail(`"aliases" must be a list of strings`);
  if (json.setup !== undefined && !isStrings(json.setup)) fail(`"setup" must be a list of strings`);
  if (json.hint !== undefined && typeof json.hint !== "string") fail(`"hint" must be a string`);
  if (json.order !== undefined && typeof json.order !== "number") fail(`"order" must be a number`);
  return {
    id: dirName,
    description: json.description as string,
    aliases: (json.aliases as string[] | undefined) ?? [],
    setup: (json.setup as string[] | undefined) ?? [],
    hint: json.hint as string | undefined,
    order: (json.order as number | undefined) ?? Number.MAX_SAFE_INTEGER,
    dir,
  };
}

/** Finds a template by id or alias (case-insensitive); undefined when none matches. */
export function resolveTemplate(templates: TemplateInfo[], name: string): TemplateInfo | undefined {
  const wanted = name.trim().toLowerCase();
  return (
    templates.find((t) => t.id === wanted) ?? templates.find((t) => t.aliases.some((a) => a.toLowerCase() === wanted))
  );
}

/** `--list` output: one line per template, id then description (and aliases). */
export function formatTemplateList(templates: TemplateInfo[]): string {
  const width = Math.max(...templates.map((t) => t.id.length));
  return templates
    .map((t) => {
      const aliases = t.aliases.length ? ` (alias: ${t.aliases.join(", ")})` : "";
      return `${t.id.padEnd(width)}  ${t.description}${aliases}\n`;
    })
    .join("");
}
