import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { copyFile, mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import type { TemplateInfo } from "./templates.js";

/** A problem the user can fix (bad directory, unknown template): printed as `error: <message>`, exit 1, no stack. */
export class ScaffoldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScaffoldError";
  }
}

/** What to create and where. */
export interface ScaffoldOptions {
  template: TemplateInfo;
  /** Absolute path of the project directory: it must not exist, or be empty. */
  targetDir: string;
  /** The project's `lg-dev` devDependency: a version spec as is, or made by `vendor` inside the new project. */
  lgDev: string | { vendor(projectDir: string): Promise<{ spec: string; file: string }> };
}

/** What was created. */
export interface ScaffoldResult {
  dir: string;
  packageName: string;
  /** The `lg-dev` devDependency written. */
  lgDevSpec: string;
  /** Paths relative to `dir`, sorted. */
  files: string[];
}

// npm never publishes a package's .gitignore (and some setups drop other dotfiles), so templates store them
// under these names and they get their real name on copy.
const RENAMED: Record<string, string> = { _gitignore: ".gitignore", "_env.example": ".env.example" };
// Leftovers of working on a template inside the repository; never part of a new project (.env may hold secrets).
const SKIPPED = new Set(["node_modules", ".langgraph_api", ".env", "package-lock.json"]);

/**
 * Copies a template into `targetDir`, all or nothing: the project is assembled in a hidden staging directory
 * and only moved into place once complete, so a failure half-way leaves nothing behind, and nothing that
 * already exists is ever overwritten.
 */
export async function scaffoldProject(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const target = options.targetDir;
  const targetExists = (await inspectTarget(target)) === "empty";
  const packageName = toPackageName(basename(target));
  // Staging sits on the same filesystem as the target so the final step is a rename, not a copy (which could fail
  // half-way). For an existing empty directory it goes inside it: that needs no write access to the parent, and
  // replacing the directory itself would pull it from under a shell whose working directory it is (`lg-new .`).
  const createdParent = targetExists ? undefined : await mkdir(dirname(target), { recursive: true });
  const stagingParent = targetExists ? target : dirname(target);
  let staging: string | undefined;
  try {
    // Not mkdtemp: its 0700 mode would stick to the project once renamed; mkdir gives the usual umask-based mode.
    const stagingPath = join(stagingParent, `.${basename(target)}.lg-new-${randomBytes(4).toString("hex")}`);
    await mkdir(stagingPath);
    staging = stagingPath; // only now is it ours to remove
    const files = await copyTree(options.template.dir, staging, "");
    let lgDevSpec = options.lgDev;
    if (typeof lgDevSpec !== "string") {
      const vendored = await lgDevSpec.vendor(staging);
      files.push(vendored.file);
      lgDevSpec = vendored.spec;
    }
    await rewritePackageJson(join(staging, "package.json"), packageName, lgDevSpec);
    if (targetExists) await moveEntries(staging, target);
    else await renameNew(staging, target);
    staging = undefined;
    return { dir: target, packageName, lgDevSpec, files: files.sort() };
  } catch (err) {
    if (staging) await rm(staging, { recursive: true, force: true });
    if (createdParent) await removeEmptyDirs(createdParent, dirname(target));
    throw err;
  }
}

/** "missing" or "empty"; anything else is refused with a message saying why. */
export async function inspectTarget(dir: string): Promise<"missing" | "empty"> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "missing";
    if (code === "ENOTDIR") throw new ScaffoldError(`${displayPath(dir)} exists and is not a directory`);
    throw err;
  }
  if (entries.length === 0) return "empty";
  const shown = entries.sort().slice(0, 3).join(", ") + (entries.length > 3 ? ", ..." : "");
  throw new ScaffoldError(
    `${displayPath(dir)} is not empty (it contains ${shown}). lg-new never overwrites anything: ` +
      `choose a new directory, or empty this one first.`,
  );
}

/** A valid npm package name from a directory name: "My App!" -> "my-app". */
export function toPackageName(dirName: string): string {
  const name = dirName
    .trim()
    .toLowerCase()
    .normalize("NFKD") // "über" -> "u" + combining mark, and the mark is dropped below
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9._~-]+/g, "-") // spaces, capitals' leftovers, @, /, ... are not allowed
    .replace(/^[._~-]+/, "") // a name may not start with a dot or an underscore
    .replace(/-{2,}/g, "-")
    .replace(/[-.]+$/, "")
    .slice(0, 214); // npm's limit
  return name && name !== "node_modules" && name !== "favicon.ico" ? name : "langgraph-app";
}

/** Copies files and folders (not symlinks: a published package should not contain any); returns relative paths. */
async function copyTree(from: string, to: string, rel: string): Promise<string[]> {
  const written: string[] = [];
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name) || (rel === "" && entry.name === "template.json")) continue;
    const name = RENAMED[entry.name] ?? entry.name;
    const relPath = rel ? `${rel}/${name}` : name;
    if (entry.isDirectory()) {
      await mkdir(join(to, name));
      written.push(...(await copyTree(join(from, entry.name), join(to, name), relPath)));
    } else if (entry.isFile()) {
      await copyFile(join(from, entry.name), join(to, name), constants.COPYFILE_EXCL);
      written.push(relPath);
    }
  }
  return written;
}

/** Names the project after its directory and pins lg-dev as a dev dependency, keeping the template's field order. */
async function rewritePackageJson(file: string, name: string, lgDevSpec: string): Promise<void> {
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`the template's package.json cannot be read: ${(err as Error).message}`);
  }
  const devDependencies = { ...(pkg.devDependencies as Record<string, string> | undefined), "lg-dev": lgDevSpec };
  const sorted = Object.fromEntries(Object.entries(devDependencies).sort(([a], [b]) => a.localeCompare(b)));
  const { name: _templateName, ...rest } = pkg;
  await writeFile(file, JSON.stringify({ name, ...rest, devDependencies: sorted }, null, 2) + "\n");
}

/** The target did not exist: one atomic rename. If it appeared meanwhile with content, the rename fails instead of merging. */
async function renameNew(staging: string, target: string): Promise<void> {
  try {
    await rename(staging, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOTEMPTY" || code === "EEXIST") {
      throw new ScaffoldError(`${displayPath(target)} appeared while the project was being created; nothing was written`);
    }
    throw err;
  }
}

/**
 * The target is an existing empty directory: move the staged entries into it one by one. Folders move with a
 * rename (which fails rather than replace a non-empty folder); files are copied exclusively (fail if one exists)
 * because a rename would silently replace a file created there in the meantime. On failure, take back what moved.
 */
async function moveEntries(staging: string, target: string): Promise<void> {
  const moved: string[] = [];
  try {
    for (const entry of await readdir(staging, { withFileTypes: true })) {
      const to = join(target, entry.name);
      if (entry.isDirectory()) await rename(join(staging, entry.name), to);
      else await copyFile(join(staging, entry.name), to, constants.COPYFILE_EXCL);
      moved.push(to);
    }
  } catch (err) {
    await Promise.all(moved.map((path) => rm(path, { recursive: true, force: true })));
    if ((err as NodeJS.ErrnoException).code === "EEXIST" || (err as NodeJS.ErrnoException).code === "ENOTEMPTY") {
      throw new ScaffoldError(`files appeared in ${displayPath(target)} while the project was being created; nothing was written`);
    }
    throw err;
  }
  await rm(staging, { recursive: true, force: true });
}

/** Removes the parent folders this run created (deepest first), but only while they are empty. */
async function removeEmptyDirs(topCreated: string, deepest: string): Promise<void> {
  for (let dir = deepest; dir.length >= topCreated.length; dir = dirname(dir)) {
    try {
      await rmdir(dir);
    } catch {
      return; // not empty (someone else's files) or already gone: leave it
    }
    if (dir === topCreated) return;
  }
}

/** Paths in messages: relative to the working directory when inside it, absolute otherwise. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === "" ? "." : rel.startsWith("..") ? path : rel;
}
