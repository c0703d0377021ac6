/**
 * Group commit for inserts of new rows: the inserts asked for while earlier ones are on their way to the server
 * travel together in one multi-row statement (one round trip, one transaction, one commit for the server instead
 * of one each). The first insert of a quiet moment leaves at once, so a lone request waits for nothing.
 *
 * Each insert still resolves only once its row has committed (the statement is its own transaction). When a grouped
 * statement fails for a reason other than a lost connection (a value the server refuses, say), every row of it is
 * sent again on its own, so one bad row fails only its own request, as it would without grouping.
 */
import type { Database } from "./database.js";
import { DatabaseUnavailableError, isConnectionError } from "./errors.js";

/** Options of {@link GroupedInsert}. */
export interface GroupedInsertOptions<K> {
  /**
   * The statement that inserts the rows whose per-column parameter arrays it receives (one array per column, as
   * `unnest` takes them), skipping rows whose key exists, and RETURNs the key of each row it inserted.
   */
  sql: string;
  /** A name for the prepared statement (the server parses and plans it once per connection). */
  name: string;
  /** The column values of one row, in the statement's order. */
  columns: readonly string[];
  /** The key a row is inserted under (rows of one key never travel in one statement). */
  keyOf: (row: Record<string, unknown>) => K;
  /** How many statements may be in flight at once (default 2: more makes smaller groups, and more work for the server). */
  maxInFlight?: number;
  /** At most this many rows per statement (default 256). */
  maxRows?: number;
}

interface Waiting<K> {
  key: K;
  values: unknown[];
  resolve: (inserted: boolean) => void;
  reject: (err: unknown) => void;
}

/** Inserts grouped into multi-row statements; `insert` resolves true when the row was inserted, false when its key existed. */
export class GroupedInsert<K> {
  private queue: Array<Waiting<K>> = [];
  private inFlight = 0;
  private readonly maxInFlight: number;
  private readonly maxRows: number;

  constructor(
    private readonly db: Database,
    private readonly o: GroupedInsertOptions<K>,
  ) {
    this.maxInFlight = o.maxInFlight ?? 2;
    this.maxRows = o.maxRows ?? 256;
  }

  insert(row: Record<string, unknown>, values: unknown[]): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ key: this.o.keyOf(row), values, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      // Rows of a key already in this group wait for the next one (the first of them decides which one inserts).
      const keys = new Set<K>();
      const group: Array<Waiting<K>> = [];
      const rest: Array<Waiting<K>> = [];
      for (const w of this.queue) {
        if (group.length < this.maxRows && !keys.has(w.key)) {
          keys.add(w.key);
          group.push(w);
        } else rest.push(w);
      }
      this.queue = rest;
      this.inFlight++;
      void this.send(group).finally(() => {
        this.inFlight--;
        this.drain();
      });
    }
  }

  private async send(group: Array<Waiting<K>>): Promise<void> {
    try {
      const inserted = await this.run(group);
      for (const w of group) w.resolve(inserted.has(w.key));
    } catch (err) {
      if (group.length === 1 || isConnectionError(err) || err instanceof DatabaseUnavailableError) {
        for (const w of group) w.reject(err);
        return;
      }
      // One row may be at fault: each on its own, so the others are not failed by it.
      await Promise.all(group.map((w) => this.send([w])));
    }
  }

  private async run(group: Array<Waiting<K>>): Promise<Set<K>> {
    const arrays = this.o.columns.map((_, i) => group.map((w) => w.values[i]));
    const r = await this.db.query<{ key: K }>({ name: this.o.name, text: this.o.sql }, arrays);
    return new Set(r.rows.map((row) => row.key));
  }
}
