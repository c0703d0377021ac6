/**
 * The probe: a TypeScript module, compiled beside the user's graph files but never written to disk, whose type
 * aliases compute what a graph accepts and returns from the graph's own static type. The JSON schema generator
 * then reads those aliases. The type-level rules follow the official server's (same inputs, same answers):
 *   state  = what the compiled graph accepts (its input type), as written to the state
 *   input  = UpdateType of the builder's input definition
 *   output = StateType of the builder's output definition
 *   config = UpdateType of the builder's config (context) schema
 * Messages are collapsed to `BaseMessage` / `BaseMessage[]` (instead of the union of message classes and
 * message-likes that reducers accept) and nesting is cut at three levels, as there.
 */
import { basename, dirname, extname, join, relative, sep } from "node:path";

/** One type to probe: `ref` is a type expression valid in the probe (e.g. `typeof __lg_m0.graph`). */
export interface ProbeEntry {
  /** Unique identifier fragment for this entry's aliases. */
  key: string;
  ref: string;
}

/** The aliases a probe exports for one entry. */
export interface ProbeAliases {
  state: string;
  input: string;
  output: string;
  config: string;
  /** `true` when the entry's value is a graph (compiled or not), `false` otherwise. */
  isGraph: string;
}

/** Names of the exported aliases of one probe entry. */
export function aliasesOf(key: string): ProbeAliases {
  return {
    state: `__lg_dev_${key}__state`,
    input: `__lg_dev_${key}__input`,
    output: `__lg_dev_${key}__output`,
    config: `__lg_dev_${key}__config`,
    isGraph: `__lg_dev_${key}__is_graph`,
  };
}

/**
 * The probe file for graph files in `dir` with extension `ext`: same folder and same module format as them, so
 * that its imports of LangChain packages resolve to the very declarations the graphs use.
 */
export function probePath(dir: string, ext: string): string {
  const probeExt = { ".mts": ".mts", ".mjs": ".mts", ".cts": ".cts", ".cjs": ".cts" }[ext] ?? ".ts";
  return join(dir, `__lg_dev_schema_probe__${probeExt}`);
}

/** Whether a path is one of the probes. */
export function isProbePath(file: string): boolean {
  return /__lg_dev_schema_probe__\.[mc]?ts$/.test(file);
}

/** How the probe (in `fromDir`) imports `file`: relative, with the extension TypeScript maps back to the source. */
export function importSpecifier(fromDir: string, file: string): string {
  const ext = extname(file);
  const runtimeExt = { ".ts": ".js", ".tsx": ".js", ".mts": ".mjs", ".cts": ".cjs" }[ext] ?? ext;
  let spec = relative(fromDir, join(dirname(file), basename(file, ext) + runtimeExt)).split(sep).join("/");
  if (!spec.startsWith(".")) spec = `./${spec}`;
  return spec;
}

// No JSDoc on these helpers: the schema generator copies the documentation of aliases it meets into descriptions.
const HELPERS = `
type __lg_IsAny<T> = 0 extends 1 & T ? true : false;
type __lg_NotAny<T> = 0 extends 1 & T ? never : T;
type __lg_Same<A, B> = (<V>() => V extends A ? 1 : 2) extends <V>() => V extends B ? 1 : 2 ? true : false;
type __lg_Message<T> = T extends BaseMessage ? BaseMessage : never;
type __lg_MessageList<T> = T extends Array<infer E> ? (__lg_Same<__lg_Message<E>, BaseMessage> extends true ? BaseMessage[] : never) : never;
type __lg_Plain<T> = Exclude<T, { __overwrite__: any }>;
type __lg_Resolved<T> = T extends (...args: any[]) => infer R ? Awaited<R> : Awaited<T>;
type __lg_Compiled<T> = __lg_Resolved<T> extends infer G ? (G extends { compile(...args: any[]): infer C } ? C : G) : never;
type __lg_Values<G> = G extends { RunInput: infer S; RunOutput: infer U }
  ? { state: S; update: U }
  : G extends { "~InputType": infer I; "~OutputType": infer O }
    ? { state: O; update: I }
    : never;
type __lg_Builder<G> = G extends {
  builder: {
    _inputDefinition: infer I extends StateDefinition;
    _outputDefinition: infer O extends StateDefinition;
    _configSchema?: infer C extends StateDefinition | undefined;
  };
}
  ? { input: UpdateType<I>; output: StateType<O>; config: UpdateType<Exclude<C, undefined>> }
  : never;
type __lg_Shape<T, D extends Array<0> = []> = D extends [0, 0, 0]
  ? any
  : T extends unknown
    ? {
        [K in keyof T]: __lg_IsAny<T[K]> extends true
          ? T[K]
          : __lg_Same<__lg_MessageList<__lg_Plain<T[K]>>, BaseMessage[]> extends true
            ? BaseMessage[]
            : __lg_Same<__lg_Message<__lg_Plain<T[K]>>, BaseMessage> extends true
              ? BaseMessage
              : __lg_Shape<__lg_Plain<T[K]>, [0, ...D]>;
      }
    : never;
type __lg_AnyPregel = { lg_is_pregel: boolean; stream: (...args: any[]) => any; invoke: (...args: any[]) => any };
type __lg_AnyGraph = { compiled: boolean; compile: (...args: any[]) => any };
`;

/**
 * The probe's source: imports of the graph modules (`modules`: namespace name -> specifier), the helpers, and
 * for each entry the aliases of {@link aliasesOf}.
 */
export function probeSource(modules: Map<string, string>, entries: ProbeEntry[]): string {
  const lines = [
    `import type { BaseMessage } from "@langchain/core/messages";`,
    `import type { StateDefinition, StateType, UpdateType } from "@langchain/langgraph";`,
    ...[...modules].map(([name, spec]) => `import type * as ${name} from ${JSON.stringify(spec)};`),
    HELPERS,
  ];
  for (const { key, ref } of entries) {
    const a = aliasesOf(key);
    const t = `__lg_dev_${key}`;
    lines.push(
      `type ${t} = ${ref};`,
      `type ${t}__values = __lg_Values<__lg_Compiled<${t}>>;`,
      `export type ${a.state} = __lg_Shape<${t}__values["update"]>;`,
      `type ${t}__builder = __lg_Builder<__lg_Compiled<${t}>>;`,
      `export type ${a.input} = __lg_Shape<__lg_NotAny<${t}__builder["input"]>>;`,
      `export type ${a.output} = __lg_Shape<__lg_NotAny<${t}__builder["output"]>>;`,
      `export type ${a.config} = __lg_Shape<__lg_NotAny<${t}__builder["config"]>>;`,
      `export type ${a.isGraph} = [${t}] extends [__lg_AnyPregel | __lg_AnyGraph] ? true : false;`,
    );
  }
  return lines.join("\n") + "\n";
}
