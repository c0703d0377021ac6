import { v5 as uuid5 } from "uuid";
import { ConflictError, NotFoundError } from "../errors.js";
import type { AssistantQuery, StorageBackend } from "../storage/backend.js";
import type { AssistantRecord, AssistantVersionRecord, Metadata } from "../storage/types.js";
import type { Authorizer, RequestContext } from "./context.js";
import { ASSISTANT_NAMESPACE, isUuid, pick, type SearchQuery } from "./util.js";
import { newId, nowIso } from "../wire.js";

export interface AssistantCreate {
  graph_id: string;
  assistant_id?: string;
  config?: Record<string, unknown>;
  context?: Record<string, unknown>;
  metadata?: Metadata;
  if_exists?: "raise" | "do_nothing";
  name?: string;
  description?: string | null;
}

export interface AssistantPatch {
  graph_id?: string;
  config?: Record<string, unknown>;
  context?: Record<string, unknown>;
  metadata?: Metadata;
  name?: string;
  description?: string | null;
}

export interface AssistantSearch extends SearchQuery {
  graph_id?: string;
  name?: string;
  metadata?: Metadata;
}

/** Which graph ids exist right now (the graph registry, as the assistants service needs it). */
export interface GraphIds {
  has(graphId: string): boolean;
}

/** The deterministic id of a graph's system assistant. */
export const systemAssistantId = (graphId: string) => uuid5(graphId, ASSISTANT_NAMESPACE);

/** Assistants: versioned configurations of a graph. */
export class AssistantsService {
  /** uuid5 is a SHA-1 and runs on every run request: remembered per graph id. */
  private readonly systemIds = new Map<string, string>();

  constructor(
    private readonly backend: StorageBackend,
    private readonly authz: Authorizer,
    private readonly graphs: GraphIds,
  ) {}

  /** Create the system assistant of each graph that has none yet; defaults come from LANGGRAPH_CONFIG. */
  async ensureSystemAssistants(graphIds: string[], defaults: Record<string, { config?: Record<string, unknown>; context?: Record<string, unknown> }> = {}): Promise<void> {
    for (const graphId of graphIds) {
      const id = systemAssistantId(graphId);
      if (await this.backend.assistants.get(id)) continue;
      await this.insert({
        assistant_id: id,
        graph_id: graphId,
        config: defaults[graphId]?.config ?? {},
        context: defaults[graphId]?.context ?? {},
        metadata: { created_by: "system" },
        name: graphId,
        description: null,
      });
    }
  }

  /**
   * A graph's own assistant, made by lg-dev at load: its deterministic id and `created_by: system` (an assistant a
   * user creates cannot take that id while the graph's exists).
   */
  private isSystem(a: AssistantRecord): boolean {
    if (a.metadata?.created_by !== "system") return false;
    let id = this.systemIds.get(a.graph_id);
    if (id === undefined) this.systemIds.set(a.graph_id, (id = systemAssistantId(a.graph_id)));
    return a.assistant_id === id;
  }

  /** Accept an assistant id or a graph id; returns the assistant id (without checking visibility). */
  resolveId(idOrGraph: string): string {
    if (isUuid(idOrGraph) || !this.graphs.has(idOrGraph)) return idOrGraph;
    let id = this.systemIds.get(idOrGraph);
    if (id === undefined) this.systemIds.set(idOrGraph, (id = systemAssistantId(idOrGraph)));
    return id;
  }

  async create(ctx: RequestContext, body: AssistantCreate): Promise<AssistantRecord> {
    const value: Record<string, unknown> = {
      assistant_id: body.assistant_id ?? newId(),
      graph_id: body.graph_id,
      config: body.config ?? {},
      context: body.context ?? {},
      metadata: { ...(body.metadata ?? {}) },
      if_exists: body.if_exists ?? "raise",
      name: body.name ?? "Untitled",
      description: body.description ?? null,
    };
    const filters = await this.authz.check(ctx, "assistants", "create", value);
    if (!this.graphs.has(value.graph_id as string)) throw new NotFoundError("graph", undefined, `Graph "${value.graph_id}" not found`);
    const existing = await this.backend.assistants.get(value.assistant_id as string);
    if (!existing) {
      const created = await this.insert(value as unknown as Omit<AssistantRecord, "version" | "created_at" | "updated_at">);
      if (created) return created;
    }
    const current = existing ?? (await this.backend.assistants.get(value.assistant_id as string));
    if (current && value.if_exists === "do_nothing" && this.authz.visible(current.metadata, filters)) return current;
    throw new ConflictError(`Assistant with ID ${value.assistant_id as string} already exists`);
  }

  async get(ctx: RequestContext, id: string): Promise<AssistantRecord> {
    const assistantId = this.resolveId(id);
    const filters = await this.authz.check(ctx, "assistants", "read", { assistant_id: assistantId });
    return await this.visibleOrThrow(assistantId, filters);
  }

  async patch(ctx: RequestContext, id: string, body: AssistantPatch): Promise<AssistantRecord> {
    const assistantId = this.resolveId(id);
    const value: Record<string, unknown> = { assistant_id: assistantId, ...body };
    const filters = await this.authz.check(ctx, "assistants", "update", value);
    const current = await this.visibleOrThrow(assistantId, filters);
    const graphId = (value.graph_id as string | undefined) ?? current.graph_id;
    if (!this.graphs.has(graphId)) throw new NotFoundError("graph", undefined, `Graph "${graphId}" not found`);
    const latest = (await this.backend.assistants.listVersions(assistantId, { limit: 1 }))[0]?.version ?? current.version;
    const now = nowIso();
    const next: AssistantRecord = {
      ...current,
      graph_id: graphId,
      config: (value.config as Record<string, unknown>) ?? current.config,
      context: (value.context as Record<string, unknown>) ?? current.context,
      metadata: value.metadata ? { ...current.metadata, ...(value.metadata as Metadata) } : current.metadata,
      name: (value.name as string) ?? current.name,
      description: value.description !== undefined ? (value.description as string | null) : current.description,
      version: latest + 1,
      updated_at: now,
    };
    await this.backend.assistants.putWithVersion(next, versionOf(next, now));
    return next;
  }

  async delete(ctx: RequestContext, id: string): Promise<string> {
    const assistantId = this.resolveId(id);
    const filters = await this.authz.check(ctx, "assistants", "delete", { assistant_id: assistantId });
    await this.visibleOrThrow(assistantId, filters);
    await this.backend.assistants.delete(assistantId);
    return assistantId;
  }

  async search(ctx: RequestContext, q: AssistantSearch): Promise<{ items: Partial<AssistantRecord>[]; total: number }> {
    const value: Record<string, unknown> = { graph_id: q.graph_id, metadata: q.metadata ?? {}, limit: q.limit ?? 10, offset: q.offset ?? 0 };
    const filters = await this.authz.check(ctx, "assistants", "search", value);
    const { items, total } = await this.backend.assistants.search(this.query(q, filters));
    return { items: items.map((a) => pick(a, q.select)), total };
  }

  async count(ctx: RequestContext, q: AssistantSearch): Promise<number> {
    const filters = await this.authz.check(ctx, "assistants", "search", { graph_id: q.graph_id, metadata: q.metadata ?? {} });
    return (await this.backend.assistants.search({ ...this.query(q, filters), limit: 0 })).total;
  }

  async versions(ctx: RequestContext, id: string, q: { metadata?: Metadata; limit?: number; offset?: number }): Promise<AssistantVersionRecord[]> {
    const assistantId = this.resolveId(id);
    const filters = await this.authz.check(ctx, "assistants", "read", { assistant_id: assistantId });
    const a = await this.backend.assistants.get(assistantId);
    if (!a || !this.authz.visible(a.metadata, filters)) throw new NotFoundError("assistant", undefined, `Assistant "${assistantId}" not found.`);
    return this.backend.assistants.listVersions(assistantId, q);
  }

  async setLatest(ctx: RequestContext, id: string, version: number): Promise<AssistantRecord> {
    const assistantId = this.resolveId(id);
    const filters = await this.authz.check(ctx, "assistants", "update", { assistant_id: assistantId, version });
    const current = await this.visibleOrThrow(assistantId, filters);
    const v = await this.backend.assistants.getVersion(assistantId, version);
    if (!v) throw new NotFoundError("assistant version", undefined, "Assistant version not found");
    const next: AssistantRecord = { ...current, ...v, updated_at: nowIso() };
    await this.backend.assistants.put(next);
    return next;
  }

  /**
   * The assistant a run (or a cron) uses: only one the caller can read (`assistants:read`), and a hidden one answers
   * exactly as an unknown one. A graph's system assistant is the graph itself, which every caller may run, so it is
   * not held to `assistants:read` (owner filters on assistants would otherwise lock everyone out of the graphs).
   */
  async getForRun(ctx: RequestContext, idOrGraph: string): Promise<AssistantRecord> {
    const assistantId = this.resolveId(idOrGraph);
    const notFound = () => new NotFoundError("assistant", undefined, `No assistant found for "${idOrGraph}"`);
    const a = await this.backend.assistants.get(assistantId);
    if (a && this.isSystem(a)) return a;
    const filters = await this.authz.check(ctx, "assistants", "read", { assistant_id: assistantId });
    // Read again: the handler may have awaited while the assistant changed.
    const current = await this.backend.assistants.get(assistantId);
    if (!current || !this.authz.visible(current.metadata, filters)) throw notFound();
    return current;
  }

  /** The assistant for introspection (graph, schemas, subgraphs): checked against `read` filters. */
  async getForUse(ctx: RequestContext, idOrGraph: string): Promise<AssistantRecord> {
    return this.get(ctx, idOrGraph);
  }

  /** Remove every assistant except the system ones (truncate). */
  async truncate(): Promise<void> {
    await this.backend.assistants.clearUserMade();
  }

  /** A search as the backend takes it. */
  private query(q: AssistantSearch, filters: Record<string, unknown> | undefined): AssistantQuery {
    return {
      graphId: q.graph_id,
      name: q.name,
      metadata: q.metadata,
      authFilters: filters,
      sortBy: q.sort_by,
      sortOrder: q.sort_order,
      offset: q.offset,
      limit: q.limit,
    };
  }

  private async visibleOrThrow(assistantId: string, filters: Record<string, unknown> | undefined): Promise<AssistantRecord> {
    const a = await this.backend.assistants.get(assistantId);
    // Worded as the official server words it (SDK users match on it).
    if (!a || !this.authz.visible(a.metadata, filters)) throw new NotFoundError("assistant", undefined, "Assistant not found");
    return a;
  }

  /** Store a new assistant with its first version; undefined when the id is taken. */
  private async insert(fields: Omit<AssistantRecord, "version" | "created_at" | "updated_at">): Promise<AssistantRecord | undefined> {
    const now = nowIso();
    const record: AssistantRecord = {
      assistant_id: fields.assistant_id,
      graph_id: fields.graph_id,
      config: fields.config,
      context: fields.context,
      metadata: fields.metadata,
      name: fields.name,
      description: fields.description,
      version: 1,
      created_at: now,
      updated_at: now,
    };
    return (await this.backend.assistants.create(record, versionOf(record, now))) ? record : undefined;
  }
}

function versionOf(a: AssistantRecord, createdAt: string): AssistantVersionRecord {
  const { updated_at: _u, ...rest } = a;
  return { ...rest, created_at: createdAt };
}
