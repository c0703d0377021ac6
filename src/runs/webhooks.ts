/**
 * Webhooks: when a run that names a `webhook` finishes, POST the run to it, as LangGraph Platform does:
 * the run's fields plus `status`, `run_started_at`, `run_ended_at`, `webhook_sent_at`, the final `values`
 * and, for a failed run, `error` (its message). A path starting with `/` is one of this server's own routes.
 * Delivery is retried a few times with exponential backoff; failures are logged and never touch the run.
 * `webhooks` in langgraph.json adds static headers and a URL policy (webhook-config.ts, webhook-policy.ts), checked
 * when a run is created (`validate`) and again when its webhook is sent.
 */
import { ValidationError } from "../errors.js";
import type { Logger } from "../logger.js";
import { toWireJson } from "../wire.js";
import type { RunRecord } from "../storage/types.js";
import type { RunOutcome } from "./executor.js";
import type { WebhookConfig } from "./webhook-config.js";
import { WebhookPolicy, type Resolver } from "./webhook-policy.js";
import { postWebhook } from "./webhook-post.js";

/** Deliver a request to this server's own routes (no network): returns the response status. */
export type LoopbackPost = (path: string, body: string, headers: Record<string, string>) => Promise<number>;

/** Options for {@link WebhookSender}. */
export interface WebhookOptions {
  logger: Logger;
  /** False turns webhooks off (`http.disable_webhooks`). */
  enabled?: boolean;
  /** Retries after the first attempt (default 3). */
  retries?: number;
  /** Delay before the first retry; doubles each time (default 500 ms). */
  backoffMs?: number;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
  /** `webhooks` from langgraph.json, resolved; undefined: no headers, no policy (any http(s) URL or path). */
  config?: WebhookConfig;
  /** The policy's DNS resolver (tests). */
  resolver?: Resolver;
}

/** The body POSTed to a run's webhook. */
export function webhookPayload(run: RunRecord, outcome: RunOutcome): Record<string, unknown> {
  const { not_before: _n, ...fields } = run;
  return {
    ...fields,
    status: outcome.status,
    run_started_at: outcome.started_at ?? run.created_at,
    run_ended_at: outcome.ended_at ?? new Date().toISOString(),
    webhook_sent_at: new Date().toISOString(),
    values: outcome.values ?? null,
    ...(outcome.error ? { error: outcome.error.message } : {}),
  };
}

/** Sends run webhooks; one per server. */
export class WebhookSender {
  private loopback: LoopbackPost | undefined;
  private readonly inflight = new Set<Promise<void>>();
  private readonly controller = new AbortController();
  private readonly policy: WebhookPolicy | undefined;
  private readonly headers: Record<string, string>;

  constructor(private readonly o: WebhookOptions) {
    this.policy = o.config && new WebhookPolicy(o.config.rules, o.resolver);
    this.headers = { "content-type": "application/json", ...o.config?.headers };
  }

  /** True when langgraph.json sets a URL policy: runs naming a webhook must pass {@link validate}. */
  get hasPolicy(): boolean {
    return this.policy !== undefined;
  }

  /** Check a run's webhook against the policy (at run creation). Throws `ValidationError` (422) naming the rule. */
  async validate(url: string): Promise<void> {
    await this.policy?.check(url);
  }

  /** Route `/path` webhooks through the app (set once the app exists). */
  bindLoopback(post: LoopbackPost): void {
    this.loopback = post;
  }

  /** The executor's run-finished hook: fire and forget. */
  onRunFinished(run: RunRecord, outcome: RunOutcome): void {
    const url = run.kwargs.webhook;
    if (!url || this.o.enabled === false || this.controller.signal.aborted) return;
    const p = this.deliver(run.run_id, url, toWireJson(webhookPayload(run, outcome))).catch((err) =>
      this.o.logger.error(`webhook for run ${run.run_id}: unexpected failure`, err),
    );
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  /** Resolve once every webhook in flight has been delivered or given up (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Abandon pending retries (shutdown). */
  async stop(): Promise<void> {
    this.controller.abort();
    await this.idle();
  }

  private async deliver(runId: string, url: string, body: string): Promise<void> {
    const retries = this.o.retries ?? 3;
    const backoff = this.o.backoffMs ?? 500;
    let problem = "";
    for (let attempt = 0; attempt <= retries; attempt += 1) {
      if (attempt > 0) {
        const waited = await sleep(backoff * 2 ** (attempt - 1), this.controller.signal);
        if (!waited) break;
      }
      try {
        const status = await this.post(url, body);
        if (status < 400) return;
        problem = `HTTP ${status}`;
        if (status < 500 && status !== 408 && status !== 429) break; // the receiver refused it: retrying will not help
      } catch (err) {
        problem = (err as Error).message;
        if (err instanceof ValidationError) break; // refused by the policy: retrying will not change that
      }
      this.o.logger.debug(`webhook for run ${runId} to ${url}: attempt ${attempt + 1} failed (${problem})`);
    }
    this.o.logger.warn(`webhook for run ${runId} to ${url} failed: ${problem || "shutting down"}`);
  }

  private async post(url: string, body: string): Promise<number> {
    const headers = this.headers;
    // Checked again at delivery: the policy may have changed since the run was created (a restart).
    const target = this.policy?.checkStatic(url) ?? (url.startsWith("/") ? { kind: "path" as const } : { kind: "url" as const, url: new URL(url), allowlisted: false });
    if (target.kind === "path") {
      if (!this.loopback) throw new Error("no server to deliver a path webhook to");
      return this.loopback(url, body, { ...headers });
    }
    const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.o.timeoutMs ?? 10_000)]);
    return postWebhook(target.url, body, { headers, signal, lookup: this.policy?.lookupFor(target.allowlisted) });
  }
}

/** Wait `ms`; false when aborted first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
