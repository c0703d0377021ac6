import type { Client } from "@langchain/langgraph-sdk";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { getSubgraphDrawing, loadLocal, saveLocal } from "../api.js";
import { useVisiblePolling } from "../hooks.js";
import type { ApiErrorInfo } from "../lib/errors.js";
import { bestLayout, buildGraphModel, collapsedNamespaces, fitScale, layoutGraph, learnFromEvent, resolveNode, type GraphJson, type Learned, type Layout, type SubgraphDrawings } from "../lib/graph-model.js";
import { JsonTree } from "./JsonTree.js";

/** How often the drawing is compared with the server's (a hot reload may change it): one small GET. */
const GRAPH_POLL_MS = 3000;

export interface GraphViewProps {
  client: Client;
  assistantId: string;
  graphId: string;
  /** Drawing ids of the nodes running now (from the stream). */
  running: ReadonlySet<string>;
  /** Drawing ids streamed events mentioned (teaches the inside of collapsed subgraphs). */
  seen: readonly string[];
  /** What a click on a node shows: its last streamed update, else what the history says. */
  describeNode: (id: string) => { title: string; value: unknown } | undefined;
  report: (err: unknown) => void;
  explain: (err: unknown) => ApiErrorInfo;
}

function pathOf(points: Array<{ x: number; y: number }>): string {
  if (points.length === 0) return "";
  const [first, ...rest] = points;
  if (rest.length === 0) return `M${first!.x},${first!.y}`;
  // A smooth line through dagre's points: quadratic curves between midpoints.
  let d = `M${first!.x},${first!.y}`;
  for (let i = 0; i < rest.length - 1; i += 1) {
    const p = rest[i]!;
    const n = rest[i + 1]!;
    d += ` Q${p.x},${p.y} ${(p.x + n.x) / 2},${(p.y + n.y) / 2}`;
  }
  const end = rest.at(-1)!;
  return `${d} L${end.x},${end.y}`;
}

export function GraphView({ client, assistantId, graphId, running, seen, describeNode, report, explain }: GraphViewProps) {
  const [drawing, setDrawing] = useState<{ json: GraphJson; text: string } | undefined>();
  // What `/subgraphs` said for the drawing `text`: the namespaces, and the own drawings of the subgraphs the xray
  // drawing leaves collapsed. The graph is drawn once these are known (or could not be), so it opens expanded.
  const [subgraphs, setSubgraphs] = useState<{ text: string; namespaces?: string[]; drawings: SubgraphDrawings } | undefined>();
  // The subgraph drawings fetched for the current drawing, as text by namespace (`a|b`): the poll compares them too,
  // since a reload may change the inside of a subgraph the xray drawing shows as one box, and the box alone.
  const subgraphTexts = useRef(new Map<string, string>());
  const [subgraphsChanged, setSubgraphsChanged] = useState(0);
  const [learned, setLearned] = useState<Learned>(() => loadLocal(`learned:${graphId}`, {}));
  const [selected, setSelected] = useState<string | undefined>();
  // Shown in the panel (a user whose auth handlers hide the assistant may still run its graph by id).
  const [failure, setFailure] = useState<string | undefined>();
  const failing = useRef(false);
  // A drawing this user may not read (403/404) is not asked for again by the poll, only when the page regains focus.
  const refused = useRef(false);

  useEffect(() => setLearned(loadLocal(`learned:${graphId}`, {})), [graphId]);

  const fetchDrawing = useCallback(
    async (signal?: { cancelled: boolean }): Promise<string | undefined> => {
      try {
        const json = (await client.assistants.getGraph(assistantId, { xray: true })) as unknown as GraphJson;
        const text = JSON.stringify(json);
        if (signal?.cancelled) return;
        failing.current = false;
        refused.current = false;
        setFailure(undefined);
        setDrawing((prev) => (prev?.text === text ? prev : { json, text }));
        return text;
      } catch (err) {
        if (signal?.cancelled) return;
        const info = explain(err);
        refused.current = info.status === 403 || info.status === 404;
        setFailure(info.status === 401 ? `${info.title}: the drawing needs an identity the server accepts.` : `${info.title}: ${info.detail}`);
        // A refusal is also the page's business (once per failure streak, not every poll).
        if (!failing.current && info.status === 401) report(err);
        failing.current = true;
        return undefined;
      }
    },
    [client, assistantId, report, explain],
  );

  useEffect(() => {
    const signal = { cancelled: false };
    setDrawing(undefined);
    setSelected(undefined);
    void fetchDrawing(signal);
    return () => {
      signal.cancelled = true;
    };
  }, [fetchDrawing]);

  // The subgraph namespaces tell real nesting from a `:` in a node's name, and which subgraphs the xray drawing left
  // as one box (their own drawings fill those in); fetched again whenever the drawing changes.
  const text = drawing?.text;
  useEffect(() => {
    if (text === undefined) return;
    const abort = new AbortController();
    void (async () => {
      let namespaces: string[] | undefined;
      const drawings: SubgraphDrawings = {};
      const texts = new Map<string, string>();
      try {
        namespaces = Object.keys(await client.assistants.getSubgraphs(assistantId, { recurse: true, signal: abort.signal }));
        const json = JSON.parse(text) as GraphJson;
        await Promise.all(
          collapsedNamespaces(json, namespaces).map(async (ns) => {
            try {
              const own = await getSubgraphDrawing<GraphJson>(client, assistantId, ns, abort.signal);
              drawings[ns.split("|").join(":")] = own;
              texts.set(ns, JSON.stringify(own));
            } catch {
              // Left as a box (filled in by what runs show).
            }
          }),
        );
      } catch {
        // Without namespaces every `:` is taken as nesting.
      }
      if (abort.signal.aborted) return;
      subgraphTexts.current = texts;
      setSubgraphs({ text, namespaces, drawings });
    })();
    return () => abort.abort();
  }, [client, assistantId, text, subgraphsChanged]);

  /** Whether the own drawing of a subgraph shown from it differs from the server's now. */
  const subgraphDrawingsChanged = useCallback(async () => {
    for (const [ns, before] of subgraphTexts.current) {
      try {
        if (JSON.stringify(await getSubgraphDrawing<GraphJson>(client, assistantId, ns)) !== before) return true;
      } catch {
        return true;
      }
    }
    return false;
  }, [client, assistantId]);

  useVisiblePolling(() => {
    if (refused.current) return;
    void (async () => {
      const now = await fetchDrawing();
      // A changed drawing fetches its subgraphs anyway; an unchanged one may hide a changed subgraph.
      if (now !== undefined && now === text && subgraphTexts.current.size > 0 && (await subgraphDrawingsChanged())) setSubgraphsChanged((n) => n + 1);
    })();
  }, GRAPH_POLL_MS);

  // Until the subgraphs of a changed drawing (a hot reload) are known, the previous model stays up.
  const current = drawing && subgraphs?.text === drawing.text ? subgraphs : undefined;
  const built = useMemo(() => (drawing && current ? buildGraphModel(drawing.json, current.namespaces, learned, current.drawings) : undefined), [drawing, current, learned]);
  const lastModel = useRef(built);
  if (built || !drawing) lastModel.current = built;
  const model = lastModel.current;
  const layouts: Layout[] | undefined = useMemo(() => (model ? [layoutGraph(model, "TB"), layoutGraph(model, "LR")] : undefined), [model]);

  useEffect(() => {
    if (!model) return;
    let next = learned;
    for (const id of seen) next = learnFromEvent(model, next, id);
    if (next !== learned) {
      setLearned(next);
      saveLocal(`learned:${graphId}`, next);
    }
  }, [seen, model, learned, graphId]);

  const active = useMemo(() => {
    const out = new Set<string>();
    if (model) for (const id of running) {
      const hit = resolveNode(model, id);
      if (hit) out.add(hit);
    }
    return out;
  }, [model, running]);

  // Fit the drawing to the panel (down to 45%; below that it scrolls), following the panel's size.
  const scroller = useRef<HTMLDivElement>(null);
  const [room, setRoom] = useState<{ width: number; height: number } | undefined>();
  useEffect(() => {
    const el = scroller.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(([entry]) => entry && setRoom({ width: entry.contentRect.width, height: entry.contentRect.height }));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  // Top to bottom, unless left to right fits the panel better (long pipelines in a wide panel).
  const inner = room ? { width: room.width - 8, height: room.height - 8 } : undefined;
  const layout = layouts ? bestLayout(layouts, inner) : undefined;
  const scale = layout && inner && inner.width > 0 && inner.height > 0 ? Math.max(0.45, fitScale(layout, inner)) : 1;

  const detail = selected ? describeNode(selected) : undefined;
  return (
    <section aria-label="Graph" className="panel graph-panel">
      <div className="panel-title">
        <h2>Graph</h2>
        <span className="muted small">{graphId}</span>
        {active.size > 0 && (
          <span className="badge busy" role="status">
            running: {[...active].join(", ")}
          </span>
        )}
      </div>
      <div className="graph-body">
      <div className="graph-scroll" ref={scroller}>
        {failure && !layout ? (
          <p className="field-error" role="status">
            The graph's drawing could not be loaded. {failure}
          </p>
        ) : !layout ? (
          <p className="muted">Loading the graph…</p>
        ) : (
          <div className="graph-fit" style={{ width: layout.width * scale, height: layout.height * scale }}>
          <div className="graph-canvas" style={{ width: layout.width, height: layout.height, transform: scale === 1 ? undefined : `scale(${scale})` }}>
            <svg width={layout.width} height={layout.height} aria-hidden="true">
              <defs>
                <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                  <path d="M0,0 L10,5 L0,10 z" className="arrow-head" />
                </marker>
              </defs>
              {model!.clusters.map((c) => {
                const b = layout.clusters[c.id]!;
                return (
                  <g key={c.id}>
                    <rect className={`cluster${c.learned ? " learned" : ""}`} x={b.x} y={b.y} width={b.width} height={b.height} rx={10} />
                    <text className="cluster-label" x={b.x + 10} y={b.y + 18}>
                      {c.label}
                      {c.learned ? " (seen in runs)" : ""}
                    </text>
                  </g>
                );
              })}
              {layout.edges.map((e, i) => {
                const mid = e.points[Math.floor(e.points.length / 2)];
                return (
                  <g key={i}>
                    <path d={pathOf(e.points)} className={`edge${e.conditional ? " conditional" : ""}${e.observed ? " observed" : ""}`} markerEnd="url(#arrow)" />
                    {e.label && mid && (
                      <text className="edge-label" x={mid.x + 4} y={mid.y - 4}>
                        {e.label}
                      </text>
                    )}
                  </g>
                );
              })}
            </svg>
            {model!.nodes.map((n) => {
              const b = layout.nodes[n.id]!;
              const isActive = active.has(n.id);
              return (
                <button
                  key={n.id}
                  type="button"
                  className={`graph-node ${n.kind}${isActive ? " active" : ""}${selected === n.id ? " selected" : ""}`}
                  style={{ left: b.x, top: b.y, width: b.width, height: b.height }}
                  aria-pressed={selected === n.id}
                  aria-current={isActive ? "step" : undefined}
                  title={n.kind === "subgraph" ? `${n.id}: a subgraph (its nodes appear once a run shows them)` : n.interrupt ? `${n.id} (interrupt ${n.interrupt})` : n.id}
                  onClick={() => setSelected((s) => (s === n.id ? undefined : n.id))}
                >
                  {n.label}
                </button>
              );
            })}
          </div>
          </div>
        )}
      </div>
      {selected && (
        <div className="node-detail" role="group" aria-label={`Node ${selected}`}>
          <div className="panel-title">
            <h3>{detail?.title ?? `${selected}: no update yet`}</h3>
            <button type="button" className="link" onClick={() => setSelected(undefined)}>
              Close
            </button>
          </div>
          {detail ? <JsonTree value={detail.value} openDepth={3} label={`Update of ${selected}`} /> : <p className="muted">This node has not run on this thread yet.</p>}
        </div>
      )}
      </div>
    </section>
  );
}
