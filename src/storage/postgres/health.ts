import type { Logger } from "../../logger.js";
import { DatabaseUnavailableError, describeConnectionError } from "./errors.js";

/** Whether the database answers. */
export type HealthState = "up" | "down";

/** The health at one moment, as the server may show it (e.g. in a 503 body or a readiness probe). */
export interface HealthSnapshot {
  state: HealthState;
  /** When the state last changed (ISO). */
  since: string;
  /** Why it is down (the driver's message). */
  reason?: string;
}

/** Options of {@link DatabaseHealth}. */
export interface HealthOptions {
  /** One cheap round trip (`SELECT 1` on a pooled connection); rejects when the database is unreachable. */
  probe: () => Promise<void>;
  logger: Logger;
  /** `host:port/db`, for log lines. */
  label: string;
  /** First retry delay after a failure; doubles up to `maxDelayMs`. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Tracks whether the database is reachable. Queries report their outcome; once one fails for a connection reason
 * the state turns `down`, `assertUp()` fails fast (a 503 instead of every request waiting for a connect timeout),
 * and a probe loop retries with backoff until the database answers again, then the state turns `up`.
 * The driver's pool makes new connections by itself: this only decides when to try and what to tell clients.
 */
export class DatabaseHealth {
  private current: HealthSnapshot = { state: "up", since: new Date().toISOString() };
  private readonly listeners = new Set<(s: HealthSnapshot) => void>();
  private probing = false;
  private closed = false;
  private timer?: NodeJS.Timeout;
  private wake?: () => void;

  constructor(private readonly options: HealthOptions) {}

  get state(): HealthState {
    return this.current.state;
  }

  snapshot(): HealthSnapshot {
    return { ...this.current };
  }

  /** Throw the 503 error while the database is down. */
  assertUp(): void {
    if (this.current.state === "down") throw this.unavailableError();
  }

  /** The error that requests get while the database is down. */
  unavailableError(cause?: unknown): DatabaseUnavailableError {
    const reason = this.current.reason ?? (cause === undefined ? "connection lost" : describeConnectionError(cause));
    return new DatabaseUnavailableError(`${this.options.label} unreachable since ${this.current.since} (${reason})`, { cause });
  }

  /** Called on every state change (not on repeated failures while down). Returns an unsubscribe function. */
  onChange(fn: (s: HealthSnapshot) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** A query succeeded. */
  reportSuccess(): void {
    if (this.current.state === "down") this.set({ state: "up", since: new Date().toISOString() });
  }

  /** A query failed for a connection reason: turn down and start probing. */
  reportFailure(err: unknown): void {
    const reason = describeConnectionError(err);
    if (this.current.state === "up") {
      this.set({ state: "down", since: new Date().toISOString(), reason });
      this.options.logger.warn(`PostgreSQL at ${this.options.label} is unreachable (${reason}): answering 503 until it is back`);
    } else {
      this.current.reason = reason;
    }
    this.startProbing();
  }

  /**
   * Something hinted at trouble without failing a request (an idle pooled connection died, the notification
   * connection dropped): probe at once; the state turns down only if the probe fails.
   */
  checkSoon(): void {
    if (this.probing) {
      this.wake?.();
      return;
    }
    if (this.closed) return;
    this.options.probe().then(
      () => this.reportSuccess(),
      (err) => this.reportFailure(err),
    );
  }

  /** Stop probing (the database is being closed). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.wake?.();
  }

  private set(next: HealthSnapshot): void {
    const wasDown = this.current.state === "down";
    const downSince = this.current.since;
    this.current = next;
    if (wasDown && next.state === "up") {
      const seconds = ((Date.parse(next.since) - Date.parse(downSince)) / 1000).toFixed(1);
      this.options.logger.info(`PostgreSQL at ${this.options.label} is reachable again (down for ${seconds} s)`);
    }
    for (const l of this.listeners) {
      try {
        l(this.snapshot());
      } catch (err) {
        this.options.logger.error("a database health listener failed", err);
      }
    }
  }

  private startProbing(): void {
    if (this.probing || this.closed) return;
    this.probing = true;
    void this.probeLoop().finally(() => {
      this.probing = false;
    });
  }

  private async probeLoop(): Promise<void> {
    const max = this.options.maxDelayMs ?? 1000;
    let delay = this.options.minDelayMs ?? 100;
    while (!this.closed && this.current.state === "down") {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, delay);
        this.timer.unref();
      });
      this.wake = undefined;
      if (this.closed) return;
      try {
        await this.options.probe();
        this.reportSuccess();
      } catch (err) {
        this.current.reason = describeConnectionError(err);
        delay = Math.min(delay * 2, max);
      }
    }
  }
}
