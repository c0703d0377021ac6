import { appendFileSync, constants, copyFileSync, existsSync, linkSync, readdirSync, rmSync, statSync, truncateSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../../logger.js";
import { asMutations, scanRecords, type BadRegion } from "./records.js";
import { loadSnapshot } from "./snapshot.js";
import type { Storage } from "./storage.js";

/**
 * Files in the data directory (`<configDir>/.langgraph_api/`):
 *   lg-dev.lock              pid of the process using it (lock.ts)
 *   snapshot.jsonl           every collection as of journal generation N (snapshot.ts)
 *   journal.<N>.jsonl        mutations since, one record per line (records.ts); replayed in order of N
 *   *.damaged                damaged files kept aside for the user, never read again
 */
export const SNAPSHOT = "snapshot.jsonl";
export const LOCK = "lg-dev.lock";
const JOURNAL_RE = /^journal\.(\d+)\.jsonl$/;
export const journalName = (gen: number) => `journal.${gen}.jsonl`;

/** The journals in `dir`, oldest generation first. */
export function listJournals(dir: string): { gen: number; path: string }[] {
  return readdirSync(dir)
    .map((f) => ({ f, m: JOURNAL_RE.exec(f) }))
    .filter((x) => x.m)
    .map((x) => ({ gen: Number(x.m![1]), path: join(dir, x.f) }))
    .sort((a, b) => a.gen - b.gen);
}

/** Keep a damaged file for the user under a new name (a hard link, or a copy), leaving the original in place. */
function keepAside(path: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const aside = `${path.replace(/\.jsonl$/, "")}.${stamp}.damaged`;
  try {
    linkSync(path, aside);
  } catch {
    copyFileSync(path, aside, constants.COPYFILE_EXCL);
  }
  return aside;
}

const describeBad = (r: BadRegion) => `line ${r.line} (byte ${r.offset}${r.lines > 1 ? `, ${r.lines} lines` : ""})`;

/** What recovery found and did. */
export interface Recovery {
  /** The journal generation to append to. */
  gen: number;
  snapshotBytes: number;
  snapshotRecords: number;
  journalRecords: number;
  droppedTailBytes: number;
  /** Copies of damaged files (their valid records were loaded); a fresh snapshot should replace the originals. */
  damaged: string[];
}

/**
 * Load the snapshot and replay the journals of `dir` into `storage`. A torn last record is cut off with a warning;
 * any other damage is reported in one line naming the copy kept aside, and every valid record is still loaded.
 */
export function recover(storage: Storage, dir: string, logger: Logger): Recovery {
  const snapshotPath = join(dir, SNAPSHOT);
  const stats: Recovery = { gen: 1, snapshotBytes: 0, snapshotRecords: 0, journalRecords: 0, droppedTailBytes: 0, damaged: [] };
  let gen = 1;
  rmSync(`${snapshotPath}.tmp`, { force: true }); // an interrupted snapshot, never the source of truth
  let baseGen: number | undefined;
  let damaged = false;
  if (existsSync(snapshotPath)) {
    stats.snapshotBytes = statSync(snapshotPath).size;
    const snap = loadSnapshot(storage, snapshotPath);
    stats.snapshotRecords = snap.records;
    baseGen = snap.gen;
    if (!snap.complete) {
      const aside = keepAside(snapshotPath);
      stats.damaged.push(aside);
      damaged = true;
      const bad = [...snap.scan.middle, snap.scan.tail, snap.scan.badTail].filter((r): r is BadRegion => !!r);
      const where = bad.length ? `bad data at ${bad.map(describeBad).join(", ")}` : "it is incomplete";
      logger.warn(`snapshot ${snapshotPath} is damaged (${where}); kept ${snap.records} valid records — the damaged file is preserved at ${aside}`);
    }
  }

  const journals = listJournals(dir);
  // An unreadable snapshot header: replay every journal (replaying one the snapshot already covers is harmless).
  if (baseGen === undefined) baseGen = journals[0]?.gen ?? 1;
  for (const j of journals) {
    if (j.gen < baseGen) {
      // Left by a compaction interrupted after its snapshot was in place: covered by it. If that snapshot turned
      // out damaged, the user may still want the older history: keep a copy.
      if (damaged) stats.damaged.push(keepAside(j.path));
      rmSync(j.path);
      continue;
    }
    gen = j.gen;
    const scan = scanRecords(j.path, (json) => {
      const ms = asMutations(json);
      if (!ms) return false;
      for (const m of ms) storage.replay(m);
      stats.journalRecords++;
      return true;
    });
    if (scan.middle.length > 0 || scan.badTail) {
      const aside = keepAside(j.path);
      stats.damaged.push(aside);
      damaged = true;
      const bad = [...scan.middle, scan.badTail].filter((r): r is BadRegion => !!r);
      logger.warn(
        `journal ${j.path} is damaged (bad records at ${bad.map(describeBad).join(", ")}); kept all ${scan.good} valid records — the damaged file is preserved at ${aside}`,
      );
    } else if (scan.tail) {
      const dropped = statSync(j.path).size - scan.goodEnd;
      truncateSync(j.path, scan.goodEnd);
      stats.droppedTailBytes += dropped;
      logger.warn(
        `dropped an incomplete last record in ${j.path} (${describeBad(scan.tail)}, ${dropped} bytes), left by an interrupted write; the journal now ends at its last good record`,
      );
    } else if (scan.missingNewline) {
      appendFileSync(j.path, "\n"); // the record is whole and verified; only its newline was cut off
    }
  }
  stats.gen = Math.max(gen, baseGen);
  return stats;
}
