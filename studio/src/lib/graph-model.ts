/**
 * The graph drawing: from `GET /assistants/{id}/graph?xray=true` (plus the subgraph namespaces of
 * `/subgraphs?recurse=true`) to nodes, clusters and edges, then laid out by dagre.
 *
 * LangGraph's xray drawing names a subgraph's nodes `parent:child` and keeps a subgraph whose drawing trims to a
 * single node as one box. Such a box is filled in from the subgraph's own drawing (lg-dev's
 * `GET /assistants/{id}/subgraphs/{namespace}/graph`, see {@link SubgraphDrawings}); a box with no drawing (a
 * subgraph `/subgraphs` does not list) is filled in with the nodes runs showed (see {@link learnFromEvent}).
 */
import { Graph, layout } from "@dagrejs/dagre";

/** The API's drawing (`toJSON()` of LangGraph's drawable graph). */
export interface GraphJson {
  nodes: Array<{ id: string | number; type?: string; data?: unknown; metadata?: Record<string, unknown> | null }>;
  edges: Array<{ source: string | number; target: string | number; conditional?: boolean; data?: unknown }>;
}

export type NodeKind = "start" | "end" | "node" | "subgraph";

export interface ModelNode {
  id: string;
  label: string;
  kind: NodeKind;
  /** The cluster (subgraph) this node is drawn in. */
  parent?: string;
  /** Set on `node.metadata.__interrupt` ("before", "after"). */
  interrupt?: string;
}

export interface ModelCluster {
  id: string;
  label: string;
  parent?: string;
  /** Its inside was learned from runs rather than drawn by the server. */
  learned?: boolean;
}

export interface ModelEdge {
  source: string;
  target: string;
  conditional: boolean;
  label?: string;
  /** Drawn from what runs showed (order of a learned subgraph's nodes), not by the server. */
  observed?: boolean;
}

export interface GraphModel {
  nodes: ModelNode[];
  clusters: ModelCluster[];
  edges: ModelEdge[];
}

/** Inner node names of collapsed subgraphs, by the box's node id, in the order they were first seen. */
export type Learned = Record<string, string[]>;

/**
 * Subgraphs' own drawings (untrimmed: `__start__` and `__end__` included) by the drawing id of the box they fill
 * (`review`, `research:cite`). A drawing's own boxes are filled in from here too, by their full id.
 */
export type SubgraphDrawings = Record<string, GraphJson>;

type RawNode = GraphJson["nodes"][number] & { id: string };
type RawEdge = GraphJson["edges"][number] & { source: string; target: string };

/**
 * `json` with every box that has a drawing replaced by that drawing's nodes (ids under the box's), edges into the box
 * rewired to the subgraph's entry nodes and edges out of it from its exit nodes. Under a `prefix` (a subgraph's own
 * drawing), `__start__` and `__end__` are dropped and tell the entries and exits instead.
 */
function splice(json: GraphJson, drawings: SubgraphDrawings, prefix = "", depth = 0): { nodes: RawNode[]; edges: RawEdge[]; entries: string[]; exits: string[] } {
  const full = (id: string | number) => (prefix ? `${prefix}:${String(id)}` : String(id));
  const nodes: RawNode[] = [];
  const edges: RawEdge[] = [];
  const filled = new Map<string, { entries: string[]; exits: string[] }>();
  for (const raw of json.nodes) {
    const local = String(raw.id);
    if (prefix && (local === "__start__" || local === "__end__")) continue;
    const id = full(local);
    const own = depth < 16 ? drawings[id] : undefined;
    if (own) {
      const inner = splice(own, drawings, id, depth + 1);
      if (inner.nodes.length > 0 && inner.entries.length > 0) {
        nodes.push(...inner.nodes);
        edges.push(...inner.edges);
        filled.set(id, inner);
        continue;
      }
    }
    nodes.push({ ...raw, id });
  }
  const entries: string[] = [];
  const exits: string[] = [];
  for (const e of json.edges) {
    const source = String(e.source);
    const target = String(e.target);
    if (prefix && source === "__start__") {
      if (target !== "__end__") entries.push(...(filled.get(full(target))?.entries ?? [full(target)]));
      continue;
    }
    if (prefix && target === "__end__") {
      exits.push(...(filled.get(full(source))?.exits ?? [full(source)]));
      continue;
    }
    for (const s of filled.get(full(source))?.exits ?? [full(source)]) {
      for (const t of filled.get(full(target))?.entries ?? [full(target)]) edges.push({ ...e, source: s, target: t });
    }
  }
  return { nodes, edges, entries: [...new Set(entries)], exits: [...new Set(exits)] };
}

/**
 * Which subgraphs (as `/subgraphs` namespaces) the xray drawing `json` leaves collapsed or does not reach: those with
 * no drawn node under them. Their own drawings fill them in (see {@link SubgraphDrawings}).
 */
export function collapsedNamespaces(json: GraphJson, namespaces: string[]): string[] {
  const ids = json.nodes.map((n) => String(n.id));
  return namespaces.filter((ns) => {
    const id = ns.split("|").join(":");
    return !ids.some((n) => n.startsWith(`${id}:`));
  });
}

const last = (id: string) => id.slice(id.lastIndexOf(":") + 1);
const isSubgraphData = (data: unknown) =>
  typeof data === "object" && data !== null && Array.isArray((data as { id?: unknown }).id) && ((data as { id: string[] }).id.includes("pregel") || (data as { id: string[] }).id.some((p) => /CompiledStateGraph|CompiledGraph/.test(p)));

/**
 * Build the model. `namespaces` are the subgraph namespaces (`nested|inner`); when unknown (undefined), every `:`
 * in a node id is taken as nesting. `drawings` fill in collapsed subgraphs; `learned` fills in those still collapsed.
 */
export function buildGraphModel(json: GraphJson, namespaces?: string[], learned: Learned = {}, drawings: SubgraphDrawings = {}): GraphModel {
  const spliced = splice(json, drawings);
  const nsSet = namespaces ? new Set(namespaces.map((n) => n.split("|").join(":"))) : undefined;
  const isCluster = (prefix: string) => (nsSet ? nsSet.has(prefix) : true);
  const clusters = new Map<string, ModelCluster>();
  const nodes: ModelNode[] = [];
  const addCluster = (id: string, learnedInside = false): void => {
    if (clusters.has(id)) return;
    const parent = parentOf(id);
    if (parent) addCluster(parent);
    clusters.set(id, { id, label: last(id), ...(parent ? { parent } : {}), ...(learnedInside ? { learned: true } : {}) });
  };
  const parentOf = (id: string): string | undefined => {
    const parts = id.split(":");
    for (let i = parts.length - 1; i >= 1; i -= 1) {
      const prefix = parts.slice(0, i).join(":");
      if (isCluster(prefix)) return prefix;
    }
    return undefined;
  };

  const entry = new Map<string, string>();
  const exit = new Map<string, string>();
  const extraEdges: ModelEdge[] = [];
  for (const raw of spliced.nodes) {
    const id = raw.id;
    const kind: NodeKind = id === "__start__" ? "start" : id === "__end__" ? "end" : nsSet?.has(id) || (nsSet === undefined && isSubgraphData(raw.data)) ? "subgraph" : "node";
    const parent = kind === "start" || kind === "end" ? undefined : parentOf(id);
    if (parent) addCluster(parent);
    const interrupt = typeof raw.metadata?.__interrupt === "string" ? (raw.metadata.__interrupt as string) : undefined;
    const inner = kind === "subgraph" ? learned[id] : undefined;
    if (inner && inner.length > 0) {
      // A collapsed subgraph whose nodes runs have shown: draw it as a cluster of those, in the order seen.
      addCluster(id, true);
      const ids = inner.map((name) => `${id}:${name}`);
      for (const child of ids) nodes.push({ id: child, label: last(child), kind: "node", parent: id });
      for (let i = 1; i < ids.length; i += 1) extraEdges.push({ source: ids[i - 1]!, target: ids[i]!, conditional: false, observed: true });
      entry.set(id, ids[0]!);
      exit.set(id, ids.at(-1)!);
      continue;
    }
    nodes.push({ id, label: kind === "start" || kind === "end" ? id : last(id), kind, ...(parent ? { parent } : {}), ...(interrupt ? { interrupt } : {}) });
  }
  const edges: ModelEdge[] = spliced.edges.map((e) => {
    const source = exit.get(e.source) ?? e.source;
    const target = entry.get(e.target) ?? e.target;
    const label = typeof e.data === "string" && e.data !== last(target) ? e.data : undefined;
    return { source, target, conditional: e.conditional === true, ...(label ? { label } : {}) };
  });
  return { nodes, clusters: [...clusters.values()], edges: dedupeEdges([...edges, ...extraEdges]) };
}

function dedupeEdges(edges: ModelEdge[]): ModelEdge[] {
  const seen = new Set<string>();
  return edges.filter((e) => {
    const key = `${e.source}\u0000${e.target}\u0000${e.label ?? ""}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The drawing's id of the node an event is about: namespace `["nested:<task>", "inner:<task>"]` and node `a` give
 * `nested:inner:a` (task ids after the `:` are dropped).
 */
export function eventNodeId(namespace: string[] | undefined, name: string): string {
  const path = (namespace ?? []).map((part) => part.split(":")[0]!).filter((p) => p.length > 0);
  return [...path, name].join(":");
}

/** The node of `model` to light up for `id`: itself, or the nearest enclosing box when its inside is not drawn. */
export function resolveNode(model: GraphModel, id: string): string | undefined {
  const ids = new Set(model.nodes.map((n) => n.id));
  const parts = id.split(":");
  for (let i = parts.length; i >= 1; i -= 1) {
    const candidate = parts.slice(0, i).join(":");
    if (ids.has(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Remember what an event shows about a collapsed subgraph. Returns a new `learned` when it adds something, or the
 * same object when not (so callers can skip a redraw).
 */
export function learnFromEvent(model: GraphModel, learned: Learned, id: string): Learned {
  const boxes = new Set(model.nodes.filter((n) => n.kind === "subgraph").map((n) => n.id));
  const learnedClusters = new Set(model.clusters.filter((c) => c.learned).map((c) => c.id));
  const parts = id.split(":");
  for (let i = parts.length - 1; i >= 1; i -= 1) {
    const box = parts.slice(0, i).join(":");
    if (!boxes.has(box) && !learnedClusters.has(box)) continue;
    // Only the next level down: deeper levels are learned once this one is drawn as a cluster.
    const name = parts[i]!;
    const known = learned[box] ?? [];
    if (known.includes(name)) return learned;
    return { ...learned, [box]: [...known, name] };
  }
  return learned;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Layout {
  width: number;
  height: number;
  nodes: Record<string, Box>;
  clusters: Record<string, Box>;
  edges: Array<ModelEdge & { points: Array<{ x: number; y: number }> }>;
}

/** Node size from its label (the page's font is about 7.5 px per character at 13 px). */
export function nodeSize(node: ModelNode): { width: number; height: number } {
  return { width: Math.max(72, Math.round(node.label.length * 7.5) + 32), height: node.kind === "start" || node.kind === "end" ? 30 : 36 };
}

/** Lay the model out top to bottom (or left to right); boxes are given by their top-left corner. */
export function layoutGraph(model: GraphModel, direction: "TB" | "LR" = "TB"): Layout {
  const g = new Graph({ compound: true, multigraph: true });
  g.setGraph({ rankdir: direction, nodesep: direction === "TB" ? 28 : 18, ranksep: direction === "TB" ? 44 : 40, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const c of model.clusters) g.setNode(c.id, { label: c.label, paddingTop: 28, paddingBottom: 12, paddingLeft: 12, paddingRight: 12 } as never);
  for (const c of model.clusters) if (c.parent) g.setParent(c.id, c.parent);
  for (const n of model.nodes) {
    g.setNode(n.id, { ...nodeSize(n) });
    if (n.parent) g.setParent(n.id, n.parent);
  }
  const ids = new Set(model.nodes.map((n) => n.id));
  model.edges.forEach((e, i) => {
    if (ids.has(e.source) && ids.has(e.target)) g.setEdge(e.source, e.target, { label: e.label, minlen: 1 } as never, `e${i}`);
  });
  layout(g);
  const box = (id: string): Box => {
    const n = g.node(id) as unknown as { x: number; y: number; width: number; height: number };
    return { x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width, height: n.height };
  };
  const out: Layout = { width: 0, height: 0, nodes: {}, clusters: {}, edges: [] };
  for (const n of model.nodes) out.nodes[n.id] = box(n.id);
  for (const c of model.clusters) out.clusters[c.id] = box(c.id);
  model.edges.forEach((e, i) => {
    if (!ids.has(e.source) || !ids.has(e.target)) return;
    const label = g.edge({ v: e.source, w: e.target, name: `e${i}` }) as unknown as { points?: Array<{ x: number; y: number }> };
    out.edges.push({ ...e, points: label?.points ?? [] });
  });
  const graph = g.graph() as { width?: number; height?: number };
  out.width = Math.ceil(graph.width ?? 0);
  out.height = Math.ceil(graph.height ?? 0);
  return out;
}

/** How much a layout must shrink to fit `room` (1 = not at all). */
export function fitScale(layout: Layout, room: { width: number; height: number }): number {
  return Math.min(1, room.width / Math.max(1, layout.width), room.height / Math.max(1, layout.height));
}

/** Of the given layouts, the one that needs the least shrinking to fit `room` (the first on a tie). */
export function bestLayout(layouts: Layout[], room: { width: number; height: number } | undefined): Layout {
  if (!room || room.width <= 0 || room.height <= 0) return layouts[0]!;
  return layouts.reduce((best, l) => (fitScale(l, room) > fitScale(best, room) + 0.02 ? l : best));
}
