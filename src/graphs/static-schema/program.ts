/**
 * The TypeScript program the schemas are read from: the project's tsconfig (found from the graphs' folder
 * upwards, as tsc would), a host that serves a few files from memory (the probes, and graph files with type
 * aliases appended) and remembers what it read, for the cache's manifest.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import ts from "typescript";
import { isProbePath } from "./probe.js";
import type { Manifest } from "./types.js";

/** Compiler options for extraction: the project's, plus what the schema rules rely on. */
export function compilerOptionsFor(searchFrom: string): { options: ts.CompilerOptions; configFiles: string[] } {
  const forced: ts.CompilerOptions = {
    noEmit: true,
    // Optional and nullable fields depend on it; the official server forces it too.
    strict: true,
    allowUnusedLabels: true,
    // Graph modules written in JavaScript still get the types TypeScript infers for them.
    allowJs: true,
    // Deprecated options in an older tsconfig must not change how types are read.
    ignoreDeprecations: ts.versionMajorMinor.startsWith("5.") ? "5.0" : "6.0",
  };
  const configPath = ts.findConfigFile(searchFrom, ts.sys.fileExists, "tsconfig.json");
  if (!configPath) return { options: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, ...forced }, configFiles: [] };
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(read.config ?? {}, ts.sys, dirname(configPath));
  const extended = (parsed.options.configFile as { extendedSourceFiles?: string[] } | undefined)?.extendedSourceFiles ?? [];
  // Nothing is emitted: options about output go (declaration checks alone would add a fifth to the time).
  const { noEmit: _n, emitDeclarationOnly: _e, declaration: _d, declarationMap: _m, composite: _c, incremental: _i, tsBuildInfoFile: _t, ...own } = parsed.options;
  return { options: { ...own, ...forced }, configFiles: [configPath, ...extended] };
}

/** A compiler host that serves `overrides` from memory and records every file it reads. */
export interface RecordingHost extends ts.CompilerHost {
  /** What was read, as the cache's manifest (files outside node_modules hashed, packages by version). */
  manifest(extraFiles: string[]): Manifest;
}

export function createRecordingHost(options: ts.CompilerOptions, overrides: Map<string, string>): RecordingHost {
  const base = ts.createCompilerHost(options, true);
  const hashes = new Map<string, string>();
  const packageDirs = new Set<string>();

  const record = (file: string, text: string): void => {
    const pkg = packageDirOf(file);
    if (pkg) packageDirs.add(pkg);
    else hashes.set(file, sha256(text));
  };
  const readText = (file: string): string | undefined => {
    const override = overrides.get(file);
    // An overridden graph file is the original plus aliases: the original is what the result depends on.
    const text = override ?? base.readFile(file);
    if (text !== undefined && !isProbePath(file)) record(file, overrides.has(file) ? (base.readFile(file) ?? "") : text);
    return text;
  };

  return {
    ...base,
    fileExists: (file) => overrides.has(file) || base.fileExists(file),
    readFile: (file) => overrides.get(file) ?? base.readFile(file),
    getSourceFile(file, languageVersion, onError) {
      const text = readText(file);
      if (text === undefined) {
        onError?.(`cannot read ${file}`);
        return undefined;
      }
      return ts.createSourceFile(file, text, languageVersion, true);
    },
    manifest(extraFiles) {
      for (const file of extraFiles) {
        try {
          record(file, readFileSync(file, "utf8"));
        } catch {
          // A config file that vanished: the manifest simply won't match next time.
        }
      }
      const packages: Record<string, string> = {};
      for (const dir of packageDirs) packages[dir] = packageVersion(dir) ?? "unknown";
      return { files: Object.fromEntries(hashes), packages };
    },
  };
}

/** The folder of the package a file belongs to, when it lives under node_modules. */
function packageDirOf(file: string): string | undefined {
  const marker = `${sep}node_modules${sep}`;
  const at = file.lastIndexOf(marker);
  if (at === -1) return undefined;
  const rest = file.slice(at + marker.length).split(sep);
  const depth = rest[0]?.startsWith("@") ? 2 : 1;
  if (rest.length <= depth) return undefined;
  return file.slice(0, at + marker.length) + rest.slice(0, depth).join(sep);
}

/** The `version` of the package in `dir`. */
function packageVersion(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
