/** Shapes shared by the static (TypeScript-type) schema extractor, its worker and its cache. */

/** A JSON schema object. */
export type JsonSchema = Record<string, unknown>;

/** One graph to read the types of: its id and where it is exported. */
export interface StaticGraphTarget {
  graphId: string;
  /** Absolute path of the module. */
  file: string;
  /** The export holding the graph (or its factory); "default" for a default export. */
  exportName: string;
}

/** The schemas of one graph (or subgraph) as the official server words them. Undefined: the type had none. */
export interface StaticSchemaSet {
  state?: JsonSchema;
  input?: JsonSchema;
  output?: JsonSchema;
  config?: JsonSchema;
}

/** A graph's schemas: its own and those of the subgraphs found in its source, by namespace (`child|grandchild`). */
export interface StaticGraphSchemas {
  root: StaticSchemaSet;
  subgraphs: Record<string, StaticSchemaSet>;
}

/** What one extraction produced: schemas by graph id, and the inputs they depend on (for the cache). */
export interface ExtractionResult {
  graphs: Record<string, StaticGraphSchemas>;
  /** Graphs whose types could not be read, with why. */
  failures: Record<string, string>;
  manifest: Manifest;
}

/** Everything an extraction read, so a later start can tell whether its result still holds. */
export interface Manifest {
  /** Files outside node_modules (graph sources, what they import, tsconfig): path -> sha256 of the content read. */
  files: Record<string, string>;
  /** Packages whose declarations were read: package directory -> version. */
  packages: Record<string, string>;
}
