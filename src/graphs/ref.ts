/** `"./src/graph.ts:graph"` split into the module path and the export name (`default` when absent). */
export interface ExportRef {
  path: string;
  exportName: string;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Split a `file:export` reference on its LAST colon. A colon followed by a path separator is part of the
 * path (a Windows drive such as `C:\graph.ts`), so such a reference means the default export.
 */
export function splitExportRef(ref: string): ExportRef {
  const i = ref.lastIndexOf(":");
  if (i === -1 || /[\\/]/.test(ref.slice(i + 1))) return { path: ref, exportName: "default" };
  return { path: ref.slice(0, i), exportName: ref.slice(i + 1) };
}

/** Why a `file:export` reference is malformed, or undefined when it is fine. */
export function checkExportRef(ref: string): string | undefined {
  const { path, exportName } = splitExportRef(ref);
  if (path.trim() === "") return "names no file";
  if (!IDENTIFIER.test(exportName)) return `has an invalid export name ${JSON.stringify(exportName)}`;
  return undefined;
}
