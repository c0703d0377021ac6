/**
 * The layering rules of src/ (docs/architecture.md), as data, and the check of an import graph against them.
 *
 * Every file belongs to a layer: its top folder under src/ (`server/routes/x.ts` is in `server`), `base` for the
 * files directly in src/ (errors, json-value, json-limits, wire, logger, semantic-index, version...), or `entry` for
 * src/index.ts, the package's entry for projects (it may re-export from anywhere; nothing imports it). A file may import its
 * own layer and the layers listed for it; besides, outside `storage/` and `dev/`, only the storage interface files
 * may be imported (`storage/backend.ts`, `storage/types.ts`, `storage/paging.ts`): the backends are chosen by dev/.
 */
import type { ImportGraph } from "./import-graph.js";

export const LAYERS = ["base", "auth", "graphs", "ui", "scaffold", "config", "storage", "runs", "services", "server", "dev", "cli", "entry"] as const;
export type Layer = (typeof LAYERS)[number];

/** What each layer may import besides itself. */
export const ALLOWED: Record<Layer, readonly Layer[]> = {
  base: [],
  auth: ["base"],
  graphs: ["base"],
  ui: ["base"],
  scaffold: ["base"],
  config: ["base", "graphs"],
  storage: ["base", "auth"],
  runs: ["base", "graphs", "storage"],
  services: ["base", "auth", "graphs", "storage", "runs"],
  server: ["base", "auth", "config", "graphs", "ui", "storage", "runs", "services"],
  dev: ["base", "auth", "config", "graphs", "ui", "storage", "runs", "services", "server"],
  cli: ["base", "config", "scaffold", "dev"],
  entry: ["base", "auth", "graphs", "ui", "scaffold", "config", "storage", "runs", "services", "server", "dev", "cli"],
};

/** The storage interface: the only storage files other layers than dev/ may import. */
export const STORAGE_INTERFACE = new Set(["storage/backend.ts", "storage/types.ts", "storage/paging.ts"]);

/** The auth files storage/ may use (pure: filter matching and its types). */
export const AUTH_FOR_STORAGE = new Set(["auth/filters.ts", "auth/types.ts"]);

/** The layer of a file (path relative to src/). */
export function layerOf(file: string): Layer {
  const slash = file.indexOf("/");
  if (file === "index.ts") return "entry";
  if (slash < 0) return "base";
  const top = file.slice(0, slash);
  if (!(LAYERS as readonly string[]).includes(top)) throw new Error(`${file}: src/${top}/ is in no layer; add it to test/architecture/layers.ts and docs/architecture.md`);
  return top as Layer;
}

/** Sub-folders of storage/ that are backends: none imports another, and the interface imports none of them. */
const backendOf = (file: string): string | undefined => /^storage\/([^/]+)\//.exec(file)?.[1];

/** Every import that breaks a rule, as "from -> to: why". */
export function layerViolations(graph: ImportGraph): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const a = layerOf(from);
    for (const to of targets) {
      const b = layerOf(to);
      if (a !== b && !ALLOWED[a].includes(b)) out.push(`${from} -> ${to}: ${a}/ may not import ${b}/`);
      else if (b === "storage" && a !== "storage" && a !== "dev" && !STORAGE_INTERFACE.has(to)) {
        out.push(`${from} -> ${to}: only dev/ chooses a storage backend; import the interface (storage/backend.ts, types.ts)`);
      } else if (a === "storage" && b === "auth" && !AUTH_FOR_STORAGE.has(to)) {
        out.push(`${from} -> ${to}: storage/ may use only auth/filters.ts and auth/types.ts`);
      } else if (a === "storage" && b === "storage") {
        const fb = backendOf(from);
        const tb = backendOf(to);
        if (tb !== undefined && fb !== tb) out.push(`${from} -> ${to}: ${fb ? `backend ${fb}` : "the storage interface"} may not import backend ${tb}`);
      }
    }
  }
  return out.sort();
}
