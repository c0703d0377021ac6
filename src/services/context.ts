import type { AuthContext, AuthFilters, AuthResource, AuthAction, AuthService } from "../auth/types.js";
import { matchesFilters } from "../auth/filters.js";

/** Who is asking: carried from the HTTP layer into every service call. */
export interface RequestContext {
  auth?: AuthContext;
}

/** A swappable reference (hot reload replaces the auth service without touching the services holding it). */
export interface Ref<T> {
  current: T;
}

/** Runs the user's authorization handlers for services and applies their filters. */
export class Authorizer {
  constructor(private readonly auth: Ref<AuthService>) {}

  /** Run the handler for resource:action; the handler may mutate `value`. Returns the filters (or undefined). */
  async check(ctx: RequestContext, resource: AuthResource, action: AuthAction, value: Record<string, unknown>): Promise<AuthFilters | undefined> {
    const filters = await this.auth.current.authorize(ctx.auth, { resource, action, value });
    return filters && Object.keys(filters).length > 0 ? filters : undefined;
  }

  /**
   * True when metadata passes the filters (no filters: always). Thread searches answer plain-value filters from the
   * metadata index instead of calling this (storage/embedded/search.ts metadataIndexSets): keep the two in step.
   */
  visible(metadata: Record<string, unknown> | undefined, filters: AuthFilters | undefined): boolean {
    return filters === undefined || matchesFilters(metadata ?? {}, filters);
  }
}
