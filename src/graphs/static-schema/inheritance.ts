/**
 * Which declared classes and interfaces extend a given (abstract) class, as typescript-json-schema answers it:
 * every class/interface declaration in the program whose base type prints as that class's full name, in program
 * order, each standing for the type last declared under its name. An abstract class's schema is `oneOf` them —
 * that is how a `BaseMessage` becomes `oneOf: [RemoveMessage]` in the official server's schemas.
 * Computed lazily and only for the names asked: base types are resolved just for declarations whose heritage
 * clause mentions the class by name.
 */
import ts from "typescript";

/** A lookup from a class's printed full name to the types extending it. */
export function createInheritanceLookup(program: ts.Program): (fullName: string) => ts.Type[] {
  const checker = program.getTypeChecker();
  let index: { heirs: Array<ts.ClassDeclaration | ts.InterfaceDeclaration>; byName: Map<string, ts.Declaration> } | undefined;
  const cache = new Map<string, ts.Type[]>();

  const build = () => {
    const heirs: Array<ts.ClassDeclaration | ts.InterfaceDeclaration> = [];
    const byName = new Map<string, ts.Declaration>();
    const visit = (node: ts.Node): void => {
      if (ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node) || ts.isEnumDeclaration(node) || ts.isTypeAliasDeclaration(node)) {
        const name = declaredName(checker, node);
        if (name !== undefined) byName.set(name, node);
        if ((ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node)) && node.heritageClauses?.length) heirs.push(node);
        return;
      }
      ts.forEachChild(node, visit);
    };
    for (const file of program.getSourceFiles()) visit(file);
    return { heirs, byName };
  };

  return (fullName) => {
    const known = cache.get(fullName);
    if (known) return known;
    const { heirs, byName } = (index ??= build());
    const simple = fullName.replace(/<.*$/, "").split(".").pop()!;
    const found: ts.Type[] = [];
    for (const heir of heirs) {
      if (!mentionsBase(heir, simple)) continue;
      const type = checker.getTypeAtLocation(heir);
      const bases = type.isClassOrInterface() ? (checker.getBaseTypes(type) ?? []) : [];
      if (!bases.some((base) => checker.typeToString(base, undefined, ts.TypeFormatFlags.UseFullyQualifiedType) === fullName)) continue;
      const name = declaredName(checker, heir);
      const declaration = name !== undefined ? byName.get(name) : undefined;
      if (declaration) found.push(checker.getTypeAtLocation(declaration));
    }
    cache.set(fullName, found);
    return found;
  };
}

/** The name a declaration is known by: its fully qualified name without the module part. */
function declaredName(checker: ts.TypeChecker, node: ts.Declaration): string | undefined {
  const symbol = (node as ts.Node & { symbol?: ts.Symbol }).symbol;
  return symbol ? checker.getFullyQualifiedName(symbol).replace(/".*"\./, "") : undefined;
}

function mentionsBase(node: ts.ClassDeclaration | ts.InterfaceDeclaration, simple: string): boolean {
  return (node.heritageClauses ?? []).some((clause) =>
    clause.types.some((t) => {
      const e = t.expression;
      return (ts.isIdentifier(e) && e.text === simple) || (ts.isPropertyAccessExpression(e) && e.name.text === simple);
    }),
  );
}
