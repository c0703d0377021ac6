// Turning results into the comparison table (stdout, RESULTS.md) with targets from issue 7.

const fmtNum = (v, unit = "") => {
  if (v === null || v === undefined) return "n/a";
  if (typeof v === "string") return v;
  const s = Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en-US") : String(Math.round(v * 100) / 100);
  return `${s}${unit}`;
};

/** lg-dev/official ratio as text: "8.0×" above 1, "1/20" below. */
export function fmtRatio(r) {
  if (r === null || r === undefined || !Number.isFinite(r)) return "—";
  if (r >= 1) return `${r.toFixed(r >= 10 ? 0 : 1)}×`;
  const inv = 1 / r;
  return `1/${inv >= 10 ? Math.round(inv) : inv.toFixed(1)}`;
}

const get = (obj, path) => path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj);

/**
 * Rows of the main table. `kind`: "higher" (capacity: ratio >= target), "lower" (time/memory: ratio <= target),
 * "info" (no target). `share` rows compare lg-dev with the bare Fastify ceiling instead of the official server.
 */
const ROWS = [
  { label: "POST /threads with token, 64 conns (req/s)", path: "capacity_auth.rps", kind: "higher", target: 5, targetText: "≥ 5×" },
  { label: "  … share of bare Fastify ceiling", path: "capacity_auth.rps", share: true, target: 0.4, targetText: "≥ 40%" },
  { label: "  … server CPU per request (µs)", path: "capacity_auth.server_cpu_us_per_req", kind: "info" },
  { label: "POST /threads without token → 401 (req/s)", path: "capacity_401.rps", kind: "higher", target: 5, targetText: "≥ 5×" },
  { label: "  … share of bare Fastify ceiling", path: "capacity_401.rps", share: true, target: 0.4, targetText: "≥ 40%" },
  { label: "  … server CPU per request (µs)", path: "capacity_401.server_cpu_us_per_req", kind: "info" },
  { label: "threads.create p50, c=1 (ms)", path: "create_c1.p50", kind: "info" },
  { label: "threads.create p99, c=1 (ms)", path: "create_c1.p99", kind: "info" },
  { label: "threads.create p50, c=16 (ms)", path: "create_c16.p50", kind: "info" },
  { label: "threads.create p99, c=16 (ms)", path: "create_c16.p99", kind: "info" },
  { label: "runs.wait p50, c=1 (ms)", path: "wait_c1.p50", kind: "lower", target: 1 / 20, targetText: "≤ 1/20" },
  { label: "runs.wait p99, c=1 (ms)", path: "wait_c1.p99", kind: "info" },
  { label: "runs.wait p50, c=16 (ms)", path: "wait_c16.p50", kind: "lower", target: 1 / 20, targetText: "≤ 1/20" },
  { label: "runs.wait p99, c=16 (ms)", path: "wait_c16.p99", kind: "info" },
  { label: "runs.stream time to first event p50 (ms)", path: "stream.ttfe.p50", kind: "lower", target: 1 / 4, targetText: "≤ 1/4" },
  { label: "runs.stream time to first event p99 (ms)", path: "stream.ttfe.p99", kind: "info" },
  { label: "runs.stream time to end p50 (ms)", path: "stream.end.p50", kind: "info" },
  { label: "start-up to first answer, median of 3 (ms)", path: "startup.ms", kind: "lower", target: 1 / 2, targetText: "≤ 1/2" },
  { label: "idle memory, whole process tree (MB)", path: "main.idle_memory.mb", kind: "lower", target: 1 / 2, targetText: "≤ 1/2" },
  { label: "  … after 1,000 more runs, idle (MB)", path: "main.memory_after_1000_runs.mb", kind: "info" },
  { label: "graph file saved → new behaviour (ms)", path: "reload.ms", kind: "lower", target: 1 / 5, targetText: "≤ 1/5" },
  { label: "restart with 10k stored threads (ms)", path: "restart.ms", kind: "info" },
  { label: "100 SSE joiners on one run: complete", path: "fanout_text", kind: "info" },
  { label: "100 SSE joiners: last-event spread (ms)", path: "main.fanout.last_event_spread_ms", kind: "info" },
];

/** Flatten a server's results so ROWS paths resolve (main workloads live under `main`). */
function view(server) {
  if (!server) return undefined;
  const m = server.main ?? {};
  return {
    ...m,
    main: m,
    startup: server.startup,
    reload: server.reload,
    restart: server.restart,
    fanout_text: m.fanout ? `${m.fanout.complete}/${m.fanout.joiners}` : undefined,
  };
}

/** Build the table rows: [metric, lg-dev, official, ratio, target, result]. */
export function buildTable(results) {
  const lg = view(results.servers["lg-dev"]);
  const off = view(results.servers.official);
  const ceil = results.servers.fastify;
  const rows = [];
  for (const row of ROWS) {
    const a = get(lg, row.path);
    if (row.share) {
      const c = get(ceil, row.path);
      const ratio = typeof a === "number" && typeof c === "number" && c > 0 ? a / c : null;
      const pass = ratio === null ? "n/a" : ratio >= row.target ? "PASS" : "FAIL";
      rows.push([`${row.label} (${fmtNum(c)} req/s)`, fmtNum(a), "—", ratio === null ? "—" : `${Math.round(ratio * 100)}%`, row.targetText, pass]);
      continue;
    }
    const b = get(off, row.path);
    const ratio = typeof a === "number" && typeof b === "number" && b > 0 ? a / b : null;
    let pass = "";
    if (row.kind !== "info") {
      if (ratio === null) pass = off ? "n/a" : "n/a (no official)";
      else pass = (row.kind === "higher" ? ratio >= row.target : ratio <= row.target) ? "PASS" : "FAIL";
    }
    rows.push([row.label, fmtNum(a), off ? fmtNum(b) : "not run", fmtRatio(ratio), row.targetText ?? "", pass]);
  }
  return rows;
}

/** Scaling rows (lg-dev). */
export function buildScalingTable(scaling) {
  return (scaling ?? []).map((r) => [
    r.threads.toLocaleString("en-US"),
    fmtNum(r.fill_s),
    `${fmtNum(r.search_filtered.p50)} / ${fmtNum(r.search_filtered.p99)}`,
    `${fmtNum(r.search_unfiltered.p50)} / ${fmtNum(r.search_unfiltered.p99)}`,
    fmtNum(r.count_filtered.p50),
    fmtNum(r.runs_list.p50),
    fmtNum(r.history.p50),
    fmtNum(r.thread_get.p50),
    fmtNum(r.rss_mb),
  ]);
}
export const SCALING_HEADER = ["threads", "fill (s)", "search metadata p50/p99 (ms)", "search all p50/p99 (ms)", "count p50 (ms)", "runs.list p50 (ms)", "history p50 (ms)", "threads.get p50 (ms)", "RSS (MB)"];
export const MAIN_HEADER = ["metric", "lg-dev", "official", "lg-dev/official", "target", "result"];

/** Growth exponent of a latency between two sizes (1 = linear, 2 = quadratic); null when too small to tell. */
export function growth(scaling, key) {
  const out = [];
  for (let i = 1; i < (scaling?.length ?? 0); i++) {
    const a = scaling[i - 1];
    const b = scaling[i];
    const ta = a[key].p50;
    const tb = b[key].p50;
    if (!ta || !tb) continue;
    out.push({ from: a.threads, to: b.threads, exponent: Math.round((Math.log(tb / ta) / Math.log(b.threads / a.threads)) * 100) / 100 });
  }
  return out;
}

/** A Markdown table. */
export function markdownTable(header, rows) {
  const esc = (s) => String(s).replace(/\|/g, "\\|");
  return [`| ${header.map(esc).join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`)].join("\n");
}

/** A fixed-width text table for the terminal. */
export function textTable(header, rows) {
  const widths = header.map((h, i) => Math.max(String(h).length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** The notes under a terminal report ("" when there are none). */
export function notesText(notes) {
  return notes.length ? `\nNotes:\n${notes.map((n) => `- ${n}`).join("\n")}\n` : "";
}

/** The notes section of a Markdown report (no lines when there are none). */
export function notesMarkdown(notes) {
  return notes.length ? ["## Notes", "", ...notes.map((n) => `- ${n}`), ""] : [];
}

/** The date, command and machine lines that open a Markdown report. */
export function runFacts(results, machineText) {
  return [`- Date: ${results.date}`, `- Command: \`${results.command}\``, `- Machine: ${machineText}`];
}
