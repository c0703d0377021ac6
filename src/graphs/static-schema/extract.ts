/**
 * Reading graphs' schemas from their TypeScript types, for every graph of a project in one program:
 *   1. parse each graph file and find its subgraph candidates (subgraphs.ts); append `export type … = typeof x`
 *      aliases for them (in memory only);
 *   2. next to the graph files, a probe module computes state/input/output/config types (probe.ts);
 *   3. one type check; the schema generator (json-schema/) turns the probe's aliases into JSON schemas.
 * Slow (seconds: it type-checks LangGraph's and LangChain's declarations), so it runs in a child process (worker.ts, started by run-worker.ts).
 */
import { readFileSync } from "node:fs";
import { dirname, extname, sep } from "node:path";
import ts from "typescript";
import { createInheritanceLookup } from "./inheritance.js";
import { SchemaBuilder } from "./json-schema/builder.js";
import { aliasesOf, importSpecifier, probePath, probeSource, type ProbeAliases, type ProbeEntry } from "./probe.js";
import { compilerOptionsFor, createRecordingHost } from "./program.js";
import { findNodeCalls, type NodeCall } from "./subgraphs.js";
import type { ExtractionResult, JsonSchema, StaticGraphSchemas, StaticGraphTarget, StaticSchemaSet } from "./types.js";

const JS_EXTENSIONS = new Set([".js", ".mjs", ".cjs", ".jsx"]);

interface PreparedFile {
  file: string;
  /** Candidate name -> its probe entry key. */
  candidates: Map<string, string>;
}

/** A probe's imports (namespace -> specifier) and entries. */
interface Probe {
  modules: Map<string, string>;
  entries: ProbeEntry[];
}

interface PreparedTarget {
  target: StaticGraphTarget;
  key: string;
  calls: NodeCall[];
}

/** Schemas of `targets` (graphs of one project) from their types. Never throws for one graph's problem. */
export function extractSchemas(targets: StaticGraphTarget[]): ExtractionResult {
  const files = new Map<string, PreparedFile>();
  const prepared: PreparedTarget[] = [];
  const overrides = new Map<string, string>();
  const failures: Record<string, string> = {};

  targets.forEach((target, i) => {
    let text: string;
    try {
      text = readFileSync(target.file, "utf8");
    } catch (err) {
      failures[target.graphId] = `cannot read ${target.file}: ${(err as Error).message}`;
      return;
    }
    const fileIndex = files.size;
    const file = files.get(target.file) ?? { file: target.file, candidates: new Map<string, string>() };
    files.set(target.file, file);
    // JavaScript files cannot carry the appended type aliases: their subgraphs are not looked for.
    const calls = JS_EXTENSIONS.has(extname(target.file)) ? [] : findNodeCalls(ts.createSourceFile(target.file, text, ts.ScriptTarget.Latest, true), target.exportName);
    for (const name of candidateNames(calls)) if (!file.candidates.has(name)) file.candidates.set(name, `f${fileIndex}s${file.candidates.size}`);
    prepared.push({ target, key: `g${i}`, calls });
    if (file.candidates.size) {
      const aliases = [...file.candidates].map(([name, key]) => `export type __lg_dev_${key}_value = typeof ${name};`);
      overrides.set(target.file, `${text}\n${aliases.join("\n")}\n`);
    }
  });

  // One probe per folder and module format, so its imports (@langchain/core, @langchain/langgraph) resolve as the graphs' do.
  const probes = new Map<string, Probe>();
  const moduleNames = new Map<string, string>();
  const probeFor = (file: string) => {
    const dir = dirname(file);
    const path = probePath(dir, extname(file));
    const probe = probes.get(path) ?? { modules: new Map<string, string>(), entries: [] };
    probes.set(path, probe);
    const ns = moduleNames.get(file) ?? `__lg_m${moduleNames.size}`;
    moduleNames.set(file, ns);
    probe.modules.set(ns, importSpecifier(dir, file));
    return { probe, ns };
  };
  for (const { target, key } of prepared) {
    const { probe, ns } = probeFor(target.file);
    probe.entries.push({ key, ref: `typeof ${ns}.${target.exportName}` });
  }
  for (const file of files.values()) {
    const { probe, ns } = probeFor(file.file);
    for (const key of file.candidates.values()) probe.entries.push({ key, ref: `${ns}.__lg_dev_${key}_value` });
  }
  for (const [path, probe] of probes) overrides.set(path, probeSource(probe.modules, probe.entries));

  const { options, configFiles } = compilerOptionsFor(commonDir(targets.map((t) => dirname(t.file))));
  const host = createRecordingHost(options, overrides);
  const rootNames = [...files.keys(), ...probes.keys()];
  const program = ts.createProgram({ rootNames, options, host });
  // Check everything first, as the official server does (it prints these diagnostics): the order in which types
  // are first met decides the order of union members, hence of `anyOf` lists in the schemas.
  ts.getPreEmitDiagnostics(program);
  const aliases = probeAliases(program, [...probes.keys()]);
  const inheriting = createInheritanceLookup(program);
  const checker = program.getTypeChecker();

  const graphs: Record<string, StaticGraphSchemas> = {};
  for (const { target, key, calls } of prepared) {
    const declared = aliases.get(`__lg_dev_${key}`);
    if (!declared || checker.getTypeAtLocation(declared).flags & ts.TypeFlags.Any) {
      failures[target.graphId] = `the type of export "${target.exportName}" of ${target.file} is unknown${probeErrors(program, probePath(dirname(target.file), extname(target.file)))}`;
      continue;
    }
    // A fresh builder per graph, as the official server reads each graph on its own.
    const builder = new SchemaBuilder(program, inheriting);
    const read = (k: string) => readSet(builder, aliases, aliasesOf(k));
    const file = files.get(target.file)!;
    const isGraph = (name: string) => isTrue(checker, aliases.get(aliasesOf(file.candidates.get(name)!).isGraph));
    graphs[target.graphId] = { root: read(key), subgraphs: readSubgraphs(calls, [], isGraph, (name) => read(file.candidates.get(name)!)) };
  }
  return { graphs, failures, manifest: host.manifest(configFiles) };
}

function candidateNames(calls: NodeCall[]): string[] {
  return calls.flatMap((call) => call.candidates.flatMap((c) => [c.name, ...candidateNames(c.children)]));
}

/**
 * Subgraph schemas by namespace: for each node, the first candidate that is a graph; direct children first,
 * then the descendants of each, as the official server orders them.
 */
function readSubgraphs(calls: NodeCall[], namespace: string[], isGraph: (name: string) => boolean, read: (name: string) => StaticSchemaSet): Record<string, StaticSchemaSet> {
  const chosen = calls.flatMap((call) => {
    const graph = call.candidates.find((c) => isGraph(c.name));
    return graph ? [{ ns: [...namespace, call.node], graph }] : [];
  });
  const out: Record<string, StaticSchemaSet> = {};
  for (const { ns, graph } of chosen) out[ns.join("|")] ??= read(graph.name);
  for (const { ns, graph } of chosen) Object.assign(out, readSubgraphs(graph.children, ns, isGraph, read));
  return out;
}

function readSet(builder: SchemaBuilder, aliases: Map<string, ts.TypeAliasDeclaration>, names: ProbeAliases): StaticSchemaSet {
  const one = (name: string): JsonSchema | undefined => {
    const alias = aliases.get(name);
    if (!alias) return undefined;
    try {
      return withCoreNamesShortened(builder.schemaOf(alias));
    } catch {
      // No JSON form (e.g. `never` when the graph has no such schema): left out, as the official server does.
      return undefined;
    }
  };
  return { state: one(names.state), input: one(names.input), output: one(names.output), config: one(names.config) };
}

function probeAliases(program: ts.Program, probeFiles: string[]): Map<string, ts.TypeAliasDeclaration> {
  const out = new Map<string, ts.TypeAliasDeclaration>();
  for (const file of probeFiles) {
    for (const statement of program.getSourceFile(file)?.statements ?? []) if (ts.isTypeAliasDeclaration(statement)) out.set(statement.name.text, statement);
  }
  return out;
}

function isTrue(checker: ts.TypeChecker, alias: ts.TypeAliasDeclaration | undefined): boolean {
  if (!alias) return false;
  const type = checker.getTypeAtLocation(alias) as ts.Type & { intrinsicName?: string };
  return !!(type.flags & ts.TypeFlags.BooleanLiteral) && type.intrinsicName === "true";
}

/** The first errors of a folder's probe (a missing @langchain/langgraph, an unknown export…), to say why. */
function probeErrors(program: ts.Program, probe: string): string {
  const file = program.getSourceFile(probe);
  const messages = file ? program.getSemanticDiagnostics(file).slice(0, 2).map((d) => ts.flattenDiagnosticMessageText(d.messageText, " ")) : [];
  return messages.length ? ` (${messages.join("; ")})` : "";
}

/** Definitions named `import("…/@langchain/core/…").Name` are renamed `Name` (when free), as the official server does. */
function withCoreNamesShortened(schema: JsonSchema): JsonSchema {
  const definitions = schema.definitions as Record<string, JsonSchema> | undefined;
  if (!definitions) return schema;
  const renamed = new Map<string, string>();
  for (const key of Object.keys(definitions)) {
    const short = key.includes("import(") ? key.replace(/import\(.+@langchain[\\/]core.+\)\./, "") : key;
    if (short !== key && definitions[short] == null) {
      definitions[short] = definitions[key]!;
      delete definitions[key];
      renamed.set(`#/definitions/${key}`, `#/definitions/${short}`);
    }
  }
  if (renamed.size === 0) return schema;
  return JSON.parse(JSON.stringify(schema, (_k, v: unknown) => (typeof v === "string" && renamed.has(v) ? renamed.get(v) : v))) as JsonSchema;
}

/** The deepest folder containing all of `dirs`. */
function commonDir(dirs: string[]): string {
  if (dirs.length === 0) return process.cwd();
  let parts = dirs[0]!.split(sep);
  for (const dir of dirs.slice(1)) {
    const other = dir.split(sep);
    let i = 0;
    while (i < parts.length && parts[i] === other[i]) i++;
    parts = parts.slice(0, i);
  }
  return parts.join(sep) || sep;
}
