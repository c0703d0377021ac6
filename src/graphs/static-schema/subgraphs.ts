/**
 * Finding subgraphs in a graph's source, before any type checking: every `.addNode("name", x)` in the
 * expression that builds the exported graph, where `x` (or an identifier inside it, as in
 * `(s) => child.invoke(s)`) names a module-level variable or import of the same file. Which of those candidates
 * really are graphs is decided later from their types; a chosen subgraph's own declaration is searched the same
 * way for deeper levels (`child|grandchild`). Candidates are module-level names only, so that a type alias
 * `typeof name` appended to the file can reach them.
 */
import ts from "typescript";

/** One `.addNode(name, ...)` call: the node name and the module-level names its second argument mentions. */
export interface NodeCall {
  node: string;
  candidates: Candidate[];
}

/** A module-level name that may be the subgraph run by a node. */
export interface Candidate {
  name: string;
  /** Node calls found in this name's own declaration (searched only if this turns out to be the subgraph). */
  children: NodeCall[];
}

/** Node calls of the export `exportName` of `source` (a parsed file), with their nested candidates. */
export function findNodeCalls(source: ts.SourceFile, exportName: string): NodeCall[] {
  const scope = moduleScope(source);
  const start = exportedExpression(source, exportName, scope);
  return start ? searchDeclaration(start, scope, new Set()) : [];
}

interface ModuleScope {
  /** Variables declared at the top level: name -> the node to search (initializer or function body). */
  declared: Map<string, ts.Node | undefined>;
  /** Names bound by imports. */
  imported: Set<string>;
}

function moduleScope(source: ts.SourceFile): ModuleScope {
  const declared = new Map<string, ts.Node | undefined>();
  const imported = new Set<string>();
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) if (ts.isIdentifier(d.name)) declared.set(d.name.text, d.initializer);
    } else if (ts.isFunctionDeclaration(statement) && statement.name) {
      declared.set(statement.name.text, statement.body);
    } else if (ts.isImportDeclaration(statement) && statement.importClause && !statement.importClause.isTypeOnly) {
      const clause = statement.importClause;
      if (clause.name) imported.add(clause.name.text);
      if (clause.namedBindings && ts.isNamedImports(clause.namedBindings)) {
        for (const el of clause.namedBindings.elements) if (!el.isTypeOnly) imported.add(el.name.text);
      }
    }
  }
  return { declared, imported };
}

/** The expression (or function body) behind an export name: `export const x = …`, `export { y as x }`, `export default …`. */
function exportedExpression(source: ts.SourceFile, exportName: string, scope: ModuleScope): ts.Node | undefined {
  let local: string | undefined;
  for (const statement of source.statements) {
    const exported = ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    const isDefault = ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
    if (exported && ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === exportName) return d.initializer;
    } else if (exported && ts.isFunctionDeclaration(statement)) {
      if ((isDefault ? "default" : statement.name?.text) === exportName) return statement.body;
    } else if (ts.isExportAssignment(statement) && !statement.isExportEquals && exportName === "default") {
      if (ts.isIdentifier(statement.expression) && scope.declared.has(statement.expression.text)) return scope.declared.get(statement.expression.text);
      return statement.expression;
    } else if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const el of statement.exportClause.elements) if (el.name.text === exportName) local = (el.propertyName ?? el.name).text;
    }
  }
  return local !== undefined ? scope.declared.get(local) : undefined;
}

/**
 * Node calls in `node`. Without any, the graph is usually built elsewhere (`export const graph = workflow.compile()`):
 * follow the first module-level variable it mentions and look there.
 */
function searchDeclaration(node: ts.Node, scope: ModuleScope, visiting: Set<ts.Node>): NodeCall[] {
  if (visiting.has(node)) return [];
  visiting.add(node);
  const calls: NodeCall[] = [];
  const visit = (n: ts.Node): void => {
    const call = nodeCall(n, scope, visiting);
    if (call) calls.push(call);
    ts.forEachChild(n, visit);
  };
  visit(node);
  if (calls.length === 0) {
    const next = firstMentioned(node, scope);
    if (next) calls.push(...searchDeclaration(next, scope, visiting));
  }
  visiting.delete(node);
  return calls;
}

function nodeCall(n: ts.Node, scope: ModuleScope, visiting: Set<ts.Node>): NodeCall | undefined {
  if (!ts.isCallExpression(n) || !ts.isPropertyAccessExpression(n.expression) || n.expression.name.text !== "addNode") return undefined;
  const [nameArg, runArg] = n.arguments;
  if (!runArg) return undefined;
  const node = nameArg && ts.isStringLiteralLike(nameArg) ? nameArg.text : "unknown";
  const names = ts.isIdentifier(runArg) ? [runArg.text] : ts.isFunctionLike(runArg) || ts.isCallLikeExpression(runArg) ? mentionedNames(runArg) : [];
  const candidates: Candidate[] = [];
  for (const name of new Set(names)) {
    if (!scope.declared.has(name) && !scope.imported.has(name)) continue;
    const declaration = scope.declared.get(name);
    candidates.push({ name, children: declaration ? searchDeclaration(declaration, scope, visiting) : [] });
  }
  return candidates.length ? { node, candidates } : undefined;
}

/** Identifiers used as values inside `node`, in source order (not property names or declared names). */
function mentionedNames(node: ts.Node): string[] {
  const names: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n) && isValueReference(n)) names.push(n.text);
    ts.forEachChild(n, visit);
  };
  visit(node);
  return names;
}

function isValueReference(id: ts.Identifier): boolean {
  const parent = id.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === id) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent)) && parent.name === id) return false;
  if ((ts.isParameter(parent) || ts.isVariableDeclaration(parent) || ts.isBindingElement(parent) || ts.isFunctionLike(parent)) && (parent as { name?: ts.Node }).name === id) return false;
  if (ts.isTypeReferenceNode(parent) || ts.isQualifiedName(parent)) return false;
  return true;
}

/** The declaration of the first module-level variable mentioned in `node`. */
function firstMentioned(node: ts.Node, scope: ModuleScope): ts.Node | undefined {
  for (const name of mentionedNames(node)) {
    const declaration = scope.declared.get(name);
    if (declaration) return declaration;
  }
  return undefined;
}
