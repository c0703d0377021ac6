/**
 * Cron schedules: parsing with croner, and a scheduler that fires due crons while the server runs.
 * One timer, armed for the earliest next run of all enabled crons (not a poll every second); every change to a cron
 * re-arms it. A cron's next run is stored before it fires, so a crash or a slow run never fires the same tick twice.
 */
import { Cron } from "croner";
import type { Logger } from "../logger.js";
import type { StorageBackend } from "../storage/backend.js";
import type { CronRecord } from "../storage/types.js";

/** setTimeout's largest delay; longer waits re-arm when it fires. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** Why a schedule or timezone was rejected, naming what was wrong (croner's message). */
export class ScheduleError extends Error {
  constructor(
    readonly field: "schedule" | "timezone",
    message: string,
  ) {
    super(message);
    this.name = "ScheduleError";
  }
}

/**
 * Parse a cron expression: 5 fields (minute precision), 6 (with seconds first) or 7 (with years last).
 * Throws ScheduleError for a bad pattern or an unknown IANA timezone.
 */
export function parseSchedule(schedule: string, timezone?: string | null): Cron {
  let cron: Cron;
  try {
    cron = new Cron(schedule.trim(), { paused: true, ...(timezone ? { timezone } : { timezone: "UTC" }) });
  } catch (err) {
    throw new ScheduleError("schedule", (err as Error).message.replace(/^CronPattern: /, ""));
  }
  try {
    cron.nextRun();
  } catch (err) {
    throw new ScheduleError(timezone ? "timezone" : "schedule", (err as Error).message.replace(/^CronDate: /, ""));
  }
  return cron;
}

/** The first run strictly after `after` (ISO string), or null when there is none before `endTime`. */
export function nextRunDate(schedule: string, opts: { timezone?: string | null; after?: Date; endTime?: string | null }): string | null {
  const next = parseSchedule(schedule, opts.timezone).nextRun(opts.after ?? new Date());
  if (!next) return null;
  if (opts.endTime && next.getTime() > Date.parse(opts.endTime)) return null;
  return next.toISOString();
}

/** Options for {@link CronScheduler}. */
export interface CronSchedulerOptions {
  backend: StorageBackend;
  /** Start the cron's run (authorisation, thread, queue). Errors are logged, never thrown out of the timer. */
  fire(cron: CronRecord): Promise<void>;
  logger: Logger;
}

/** Fires crons at their `next_run_date`. Several schedulers may live in one process (one per server). */
export class CronScheduler {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private ticking = false;
  private unsubscribe: (() => void) | undefined;
  /** Bumped by every reschedule: an older one still reading the storage does not arm the timer. */
  private generation = 0;

  constructor(private readonly o: CronSchedulerOptions) {}

  /** Arm the timer for the crons already stored (at start-up, after a restart). */
  start(): void {
    this.stopped = false;
    if (!this.unsubscribe) {
      // Crons changed by other processes sharing the storage (and whatever a reconnection may have hidden): re-arm.
      // Every process arms its timer for the same due cron; `advance` lets exactly one of them fire it.
      const { changes } = this.o.backend;
      const offChanged = changes.subscribe("cron_changed", () => this.rearm());
      const offResync = changes.onResync(() => this.rearm());
      this.unsubscribe = () => (offChanged(), offResync());
    }
    this.rearm();
  }

  /** A cron changed here (created, updated, deleted): tell the other processes, and re-arm the timer. */
  reschedule(cronId = ""): void {
    this.o.backend.changes.publish({ type: "cron_changed", cron_id: cronId }).catch((err) => this.o.logger.debug(`publishing cron_changed: ${(err as Error).message}`));
    this.rearm();
  }

  /** Re-arm the timer for the earliest due cron. */
  private rearm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped || this.ticking) return;
    const generation = ++this.generation;
    this.o.backend.crons.nextDue().then(
      (next) => {
        if (generation === this.generation && next !== undefined) this.arm(Date.parse(next));
      },
      (err) => this.o.logger.error("cron scheduler: could not read the next due cron", err),
    );
  }

  private arm(earliest: number): void {
    if (this.stopped || this.ticking) return;
    if (this.timer) clearTimeout(this.timer);
    const delay = Math.min(Math.max(0, earliest - Date.now()), MAX_DELAY_MS);
    this.timer = setTimeout(() => void this.tick(), delay);
    this.timer.unref();
  }

  /** Stop firing (shutdown). */
  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Fire every due cron once (a missed tick fires once, not once per missed tick), then re-arm. */
  private async tick(): Promise<void> {
    this.timer = undefined;
    this.ticking = true;
    try {
      const now = Date.now();
      const due = await this.o.backend.crons.due(new Date(now).toISOString());
      for (const cron of due) {
        if (this.stopped) return;
        const dueAt = Date.parse(cron.next_run_date!);
        let next: string | null = null;
        try {
          next = nextRunDate(cron.schedule, { timezone: cron.timezone, after: new Date(Math.max(now, dueAt)), endTime: cron.end_time });
        } catch (err) {
          this.o.logger.warn(`cron ${cron.cron_id}: schedule "${cron.schedule}" no longer parses (${(err as Error).message}); it stops firing`);
        }
        // Compare-and-set: changed or deleted meanwhile (or fired by another process), it is not fired here.
        const current = await this.o.backend.crons.advance(cron.cron_id, cron.next_run_date!, next);
        if (!current) continue;
        if (cron.end_time && dueAt > Date.parse(cron.end_time)) continue;
        try {
          await this.o.fire(current);
        } catch (err) {
          this.o.logger.warn(`cron ${cron.cron_id}: could not start its run: ${(err as Error).message}`);
        }
      }
    } catch (err) {
      this.o.logger.error("cron scheduler failure", err);
    } finally {
      this.ticking = false;
      this.rearm();
    }
  }
}
