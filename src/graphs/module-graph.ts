/**
 * The project files one loader has loaded, with who imports whom: the single source for "what must be evaluated
 * again when this file changes". Both loading paths feed it (project-modules.ts when it compiles a file, with
 * everything that file imports; hooks.ts, on the native ES module fallback, one resolved import at a time), and
 * loader.ts asks it at every new generation. Edges go both ways and are updated incrementally, as in vite's
 * module graph: a file compiled again replaces its own imports and nothing else, so a change costs the files it
 * reaches, never a scan of every module. Pure: paths in, paths out, no file system.
 */

/** One project file and its import edges. */
interface ModuleNode {
  readonly file: string;
  /** Project files this one imports (statically or by `import()` with a literal specifier). */
  readonly imported: Set<ModuleNode>;
  /** Project files importing this one. */
  readonly importers: Set<ModuleNode>;
}

/** What a change renews: these files (the changed ones and everything importing them), or, when that is not known, all. */
export type Renewal = ReadonlySet<string> | "all";

/** Import edges between the project files of one loader. */
export class ModuleGraph {
  private readonly nodes = new Map<string, ModuleNode>();

  /** Whether `file` has been loaded (or seen imported) since the graph was last cleared. */
  has(file: string): boolean {
    return this.nodes.has(file);
  }

  /** The files `file` imports, as last reported. */
  importsOf(file: string): string[] {
    return [...(this.nodes.get(file)?.imported ?? [])].map((node) => node.file);
  }

  /** The files importing `file` directly. */
  importersOf(file: string): string[] {
    return [...(this.nodes.get(file)?.importers ?? [])].map((node) => node.file);
  }

  /** A file was loaded, importing `importer -> file` when an importer is given (the native path's resolve calls). */
  addImport(file: string, importer?: string): void {
    const node = this.ensure(file);
    if (importer === undefined || importer === file) return;
    const from = this.ensure(importer);
    from.imported.add(node);
    node.importers.add(from);
  }

  /** `file` was (re)compiled and imports exactly `imported` now: its old edges go, the new ones come. */
  setImports(file: string, imported: Iterable<string>): void {
    const node = this.ensure(file);
    this.dropImports(node);
    for (const target of imported) this.addImport(target, file);
  }

  /**
   * Files changed on disk: the files to renew are those and every file importing them, directly or not. Their own
   * imports are dropped (their next version reports them again). A changed file the graph has never seen may be
   * imported by anything (a file new in this generation, one only Node's own loader read): then everything is
   * renewed, and the graph starts afresh.
   */
  invalidate(changed: Iterable<string>): Renewal {
    const start: ModuleNode[] = [];
    for (const file of changed) {
      const node = this.nodes.get(file);
      if (!node) {
        this.clear();
        return "all";
      }
      start.push(node);
    }
    const renewed = new Set<ModuleNode>();
    const stack = start;
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (renewed.has(node)) continue;
      renewed.add(node);
      stack.push(...node.importers);
    }
    for (const node of renewed) this.dropImports(node);
    return new Set([...renewed].map((node) => node.file));
  }

  /** Forget every file and edge (everything is renewed). */
  clear(): void {
    this.nodes.clear();
  }

  private ensure(file: string): ModuleNode {
    let node = this.nodes.get(file);
    if (!node) {
      node = { file, imported: new Set(), importers: new Set() };
      this.nodes.set(file, node);
    }
    return node;
  }

  private dropImports(node: ModuleNode): void {
    for (const target of node.imported) target.importers.delete(node);
    node.imported.clear();
  }
}
