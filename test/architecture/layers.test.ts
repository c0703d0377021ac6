import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readImportGraph, type ImportGraph } from "./import-graph.js";
import { ALLOWED, LAYERS, layerOf, layerViolations } from "./layers.js";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));
const graphOf = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]));

describe("the layers of src/ (docs/architecture.md)", () => {
  it("every import goes in an allowed direction", () => {
    const graph = readImportGraph(SRC);
    expect(graph.size).toBeGreaterThan(50);
    // Each entry says which import breaks which rule: move what is shared down to a layer both may import.
    expect(layerViolations(graph)).toEqual([]);
  });

  it("runs/ and services/ import each other one way only (services -> runs)", () => {
    const graph = readImportGraph(SRC);
    const between = (a: string, b: string) => [...graph].some(([from, to]) => from.startsWith(`${a}/`) && [...to].some((t) => t.startsWith(`${b}/`)));
    expect(between("services", "runs")).toBe(true);
    expect(between("runs", "services")).toBe(false);
  });

  it("the rules have no cycle: the layers can be listed so that each imports only earlier ones", () => {
    const order: string[] = [];
    const placed = new Set<string>();
    while (order.length < LAYERS.length) {
      const next = LAYERS.find((l) => !placed.has(l) && ALLOWED[l].every((d) => placed.has(d)));
      expect(next, `no layer can come after ${order.join(", ")}`).toBeDefined();
      order.push(next!);
      placed.add(next!);
    }
    expect(order[0]).toBe("base");
    expect(order.at(-1)).toBe("entry");
  });

  it("only the composition root (dev/) reaches a storage backend", () => {
    const graph = readImportGraph(SRC);
    const importers = [...graph].filter(([from, to]) => !from.startsWith("storage/") && [...to].some((t) => /^storage\/(embedded|postgres)\//.test(t))).map(([from]) => from);
    expect(importers.sort()).toEqual(["dev/postgres.ts", "dev/storage.ts"]);
  });
});

describe("checking an import graph against the rules", () => {
  it("names each import that breaks a rule", () => {
    const graph = graphOf({
      "runs/executor.ts": ["services/threads.ts", "storage/backend.ts", "errors.ts"],
      "services/threads.ts": ["storage/embedded/storage.ts", "runs/executor.ts"],
      "storage/embedded/backend.ts": ["auth/authorize.ts", "storage/postgres/index.ts", "storage/backend.ts"],
      "storage/backend.ts": ["storage/embedded/backend.ts"],
      "errors.ts": ["server/app.ts"],
      "dev/storage.ts": ["storage/embedded/index.ts"],
    });
    expect(layerViolations(graph)).toEqual([
      "errors.ts -> server/app.ts: base/ may not import server/",
      "runs/executor.ts -> services/threads.ts: runs/ may not import services/",
      "services/threads.ts -> storage/embedded/storage.ts: only dev/ chooses a storage backend; import the interface (storage/backend.ts, types.ts)",
      "storage/backend.ts -> storage/embedded/backend.ts: the storage interface may not import backend embedded",
      "storage/embedded/backend.ts -> auth/authorize.ts: storage/ may use only auth/filters.ts and auth/types.ts",
      "storage/embedded/backend.ts -> storage/postgres/index.ts: backend embedded may not import backend postgres",
    ]);
  });

  it("refuses a folder that is in no layer", () => {
    expect(layerOf("wire.ts")).toBe("base");
    expect(layerOf("index.ts")).toBe("entry");
    expect(layerOf("server/routes/runs.ts")).toBe("server");
    expect(() => layerOf("plugins/x.ts")).toThrow(/src\/plugins\/ is in no layer/);
  });
});
