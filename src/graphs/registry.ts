/**
 * The graphs currently served. A reload builds a whole new map beside the old one and swaps it in one
 * assignment; a run that already holds a LoadedGraph keeps running on it.
 */
import type { LoadedGraph } from "./types.js";

/** The current set of loaded graphs, swappable atomically. */
export class GraphRegistry {
  #graphs: ReadonlyMap<string, LoadedGraph>;
  #generation: number;
  #lastAllocated: number;

  constructor(graphs: ReadonlyMap<string, LoadedGraph> = new Map(), generation = 0) {
    this.#graphs = graphs;
    this.#generation = generation;
    this.#lastAllocated = generation;
  }

  /** The generation of the graphs being served (0 before the first load). */
  get generation(): number {
    return this.#generation;
  }

  /** A generation number never handed out before, for the next `loadGraphs` (also after a failed attempt). */
  nextGeneration(): number {
    return ++this.#lastAllocated;
  }

  /** The graph with this id, if loaded. */
  get(graphId: string): LoadedGraph | undefined {
    return this.#graphs.get(graphId);
  }

  /** Whether a graph with this id is loaded. */
  has(graphId: string): boolean {
    return this.#graphs.has(graphId);
  }

  /** The loaded graph ids, in langgraph.json order. */
  ids(): string[] {
    return [...this.#graphs.keys()];
  }

  /** `[graphId, graph]` pairs of the current map. */
  entries(): Array<[string, LoadedGraph]> {
    return [...this.#graphs.entries()];
  }

  /** Number of loaded graphs. */
  get size(): number {
    return this.#graphs.size;
  }

  /** Replace all graphs at once; returns the previous map. `generation` defaults to the map's graphs' own. */
  swap(graphs: ReadonlyMap<string, LoadedGraph>, generation?: number): ReadonlyMap<string, LoadedGraph> {
    const previous = this.#graphs;
    const fromGraphs = graphs.values().next().value?.generation;
    this.#graphs = graphs;
    this.#generation = generation ?? fromGraphs ?? this.#generation + 1;
    this.#lastAllocated = Math.max(this.#lastAllocated, this.#generation);
    return previous;
  }
}
