/**
 * The static import graph of a source tree, and its cycles. Imports are read with TypeScript's own parser, so
 * `import type` and `export … from` count as much as value imports: a cycle of types still ties the files together.
 * Dynamic `import()` is left out on purpose: it is how a module reaches one above it lazily (the CLI loading the
 * server), and it does not make the two files load as one.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

/** file (relative to the root) -> the files of the tree it imports. */
export type ImportGraph = Map<string, Set<string>>;

const SOURCE = /\.(ts|tsx|mts|cts)$/;

/** Every TypeScript file below `root`, with its static imports of other files below `root`. */
export function readImportGraph(root: string): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const file of sourceFiles(root)) {
    const text = readFileSync(file, "utf8");
    const targets = new Set<string>();
    for (const specifier of staticImports(text, file)) {
      const target = resolveRelative(file, specifier);
      if (target !== undefined && target.startsWith(root)) targets.add(relative(root, target));
    }
    graph.set(relative(root, file), targets);
  }
  return graph;
}

/** The module specifiers of a file's static imports and re-exports. */
export function staticImports(text: string, fileName = "x.ts"): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  for (const statement of source.statements) {
    if ((ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      out.push(statement.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference)) {
      const expr = statement.moduleReference.expression;
      if (ts.isStringLiteral(expr)) out.push(expr.text);
    }
  }
  return out;
}

/**
 * The cycles of a graph: one per strongly connected component of more than one file (or a file importing itself),
 * each given as a closed path `a -> b -> … -> a` through that component.
 */
export function findCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  // Tarjan's algorithm, iterative (a deep import chain must not overflow the stack).
  for (const start of [...graph.keys()].sort()) {
    if (index.has(start)) continue;
    const work: Array<{ node: string; edges: string[]; i: number }> = [];
    const enter = (node: string) => {
      index.set(node, next);
      low.set(node, next);
      next += 1;
      stack.push(node);
      onStack.add(node);
      work.push({ node, edges: [...(graph.get(node) ?? [])].sort(), i: 0 });
    };
    enter(start);
    while (work.length > 0) {
      const frame = work.at(-1)!;
      if (frame.i < frame.edges.length) {
        const to = frame.edges[frame.i++]!;
        if (!index.has(to)) enter(to);
        else if (onStack.has(to)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        continue;
      }
      work.pop();
      const parent = work.at(-1);
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        if (component.length > 1 || graph.get(frame.node)?.has(frame.node)) components.push(component.sort());
      }
    }
  }
  return components.map((component) => closedPath(graph, component)).sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** A shortest path from the component's first file back to itself, staying inside the component. */
function closedPath(graph: ImportGraph, component: string[]): string[] {
  const members = new Set(component);
  const first = component[0]!;
  const cameFrom = new Map<string, string>();
  const queue = [first];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const to of [...(graph.get(node) ?? [])].sort()) {
      if (!members.has(to)) continue;
      if (to === first) {
        const path = [first];
        for (let at: string | undefined = node; at !== undefined && at !== first; at = cameFrom.get(at)) path.splice(1, 0, at);
        return [...path, first];
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, node);
        queue.push(to);
      }
    }
  }
  return [...component, first];
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (SOURCE.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(full);
  }
  return out.sort();
}

/** A relative specifier as the file it names (`./x.js` is `./x.ts` in the sources); bare packages: undefined. */
function resolveRelative(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const base = resolve(dirname(from), specifier);
  const stem = base.replace(/\.(js|jsx|mjs|cjs)$/, "");
  const ext = /\.(c|m)js$/.exec(base)?.[1] ?? "";
  const candidates = [base, `${stem}.${ext}ts`, `${stem}.tsx`, `${base}.ts`, `${base}.tsx`, join(base, "index.ts")];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile() && SOURCE.test(c));
}
