/**
 * The webhook URL policy at run creation (`webhooks.url` in langgraph.json): a route whose body schema has a
 * `webhook` field (runs, batches, crons) checks it after authentication and body validation, before the handler,
 * so a refused webhook is a 422 naming the rule and nothing is created, as on Python's server. Routes are found by
 * their schema rather than by path, so a new route that takes a webhook is covered without being listed here.
 */
import type { FastifyInstance, FastifyRequest, RouteOptions } from "fastify";

/** What the guard needs: the policy check of the webhook sender. */
export interface WebhookValidator {
  readonly hasPolicy: boolean;
  validate(url: string): Promise<void>;
}

/** Add the check to every route registered after this call in `scope` (no-op without a policy). */
export function guardWebhooks(scope: FastifyInstance, webhooks: WebhookValidator): void {
  if (!webhooks.hasPolicy) return;
  scope.addHook("onRoute", (route: RouteOptions) => {
    if (!takesWebhook((route.schema as { body?: unknown } | undefined)?.body)) return;
    const check = async (req: FastifyRequest) => {
      const body = req.body;
      for (const item of Array.isArray(body) ? body : [body]) {
        const url = (item as { webhook?: unknown } | null)?.webhook;
        if (typeof url === "string") await webhooks.validate(url);
      }
    };
    const existing = route.preHandler;
    route.preHandler = existing === undefined ? check : [...(Array.isArray(existing) ? existing : [existing]), check];
  });
}

/** True for a body schema (or an array of them, as /runs/batch takes) with a `webhook` property. */
function takesWebhook(schema: unknown): boolean {
  const s = schema as { properties?: Record<string, unknown>; items?: unknown } | undefined;
  if (!s || typeof s !== "object") return false;
  return (s.properties !== undefined && "webhook" in s.properties) || takesWebhook(s.items);
}
