import { relative, resolve } from "node:path";
import type { Readable, Writable } from "node:stream";
import { PromptCancelled, promptMissing } from "./prompts.js";
import { vendorLgDev } from "./pack.js";
import { displayPath, inspectTarget, scaffoldProject, ScaffoldError, type ScaffoldResult } from "./scaffold.js";
import { formatTemplateList, loadTemplates, resolveTemplate, type TemplateInfo } from "./templates.js";

/** What `lg-new` was asked to do. */
export interface LgNewOptions {
  dir?: string;
  template?: string;
  list?: boolean;
  /** Spec for the project's lg-dev devDependency; by default this lg-dev, packed into the project (pack.ts). */
  lgDevSpec?: string;
  /** The running lg-dev's version. */
  version: string;
  /** The running lg-dev's package root (what is packed into the project). */
  packageRoot: string;
  /** Where the templates are; defaults to the ones shipped in the package. */
  templatesDir?: string;
}

/** Where `lg-new` reads and writes, and whether there is a person to ask. */
export interface LgNewIO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** True with a terminal on both stdin and stdout: only then are missing arguments asked for. */
  interactive: boolean;
  cwd: string;
}

/** Runs `lg-new` and returns the exit code: 0 done, 1 refused or failed, 130 cancelled at a prompt. */
export async function runLgNew(options: LgNewOptions, io: LgNewIO): Promise<number> {
  try {
    const templates = await loadTemplates(options.templatesDir);
    if (options.list) {
      io.stdout.write(formatTemplateList(templates));
      return 0;
    }
    let template = options.template === undefined ? undefined : findTemplate(templates, options.template);
    let dir = options.dir;
    // Refuse a bad directory before asking anything else.
    if (dir !== undefined) await inspectTarget(resolve(io.cwd, dir));
    if (dir === undefined || template === undefined) {
      if (!io.interactive) throw new ScaffoldError(missingArguments(dir, template, templates));
      ({ dir, template } = await promptMissing(
        { input: io.stdin, output: io.stdout },
        { dir, template, templates, checkDir: (d) => whyUnusable(resolve(io.cwd, d)) },
      ));
    }
    const packageRoot = options.packageRoot;
    const result = await scaffoldProject({
      template,
      targetDir: resolve(io.cwd, dir),
      lgDev: options.lgDevSpec ?? { vendor: (projectDir) => vendorLgDev(packageRoot, projectDir) },
    });
    io.stdout.write(formatNextSteps(result, template, io.cwd));
    return 0;
  } catch (err) {
    if (err instanceof PromptCancelled) {
      io.stderr.write("\nCancelled: nothing was written.\n");
      return 130;
    }
    // File system errors (permissions, disk full) carry a clear message of their own; a stack would only add noise.
    io.stderr.write(`error: ${(err as Error).message}\n`);
    return 1;
  }
}

function findTemplate(templates: TemplateInfo[], name: string): TemplateInfo {
  const template = resolveTemplate(templates, name);
  if (template) return template;
  throw new ScaffoldError(`unknown template "${name}". Available templates:\n${indent(formatTemplateList(templates))}`);
}

/** Without a terminal nobody can answer a prompt, so say exactly which argument is missing. */
function missingArguments(dir: string | undefined, template: TemplateInfo | undefined, templates: TemplateInfo[]): string {
  const missing = [dir === undefined && "the project directory <dir>", template === undefined && "--template <id>"];
  return (
    `missing ${missing.filter(Boolean).join(" and ")} (no terminal to ask in).\n` +
    `Usage: lg-new <dir> --template <id>, with one of these ids:\n${indent(formatTemplateList(templates))}`
  );
}

async function whyUnusable(dir: string): Promise<string | undefined> {
  try {
    await inspectTarget(dir);
    return undefined;
  } catch (err) {
    if (err instanceof ScaffoldError) return err.message;
    throw err;
  }
}

/** The message after a successful scaffold: what was made, and the commands to run it. */
export function formatNextSteps(result: ScaffoldResult, template: TemplateInfo, cwd: string): string {
  const rel = relative(cwd, result.dir);
  const where = rel === "" ? [] : [`cd ${shellQuote(rel.startsWith("..") ? result.dir : rel)}`];
  const steps = [...where, "npm install", ...template.setup, "npx lg-dev"];
  const lines = [
    `Created ${result.packageName} from the "${template.id}" template in ${displayPath(result.dir)}`,
    "",
    "Next steps:",
    ...steps.map((step) => `  ${step}`),
    "",
    ...(result.lgDevSpec.startsWith("file:vendor/")
      ? [`lg-dev is not on the npm registry: the project installs it from ${result.lgDevSpec.slice("file:".length)}, packed from this lg-dev.`]
      : []),
    ...(template.hint ? [template.hint] : []),
    "README.md has more: how to call the API, run the tests (npm test), and where to go next.",
  ];
  return lines.join("\n") + "\n";
}

function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : JSON.stringify(path);
}

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, "  ");
}
