import type { Assistant, AssistantVersion, Client, GraphSchema } from "@langchain/langgraph-sdk";
import { useEffect, useState } from "react";
import { parseJsonText } from "../lib/resume.js";
import { fieldsFromSchema, rawFromValues, valuesFromRaw, type RawValues } from "../lib/schema-form.js";
import { SchemaForm } from "./SchemaForm.js";

const isSystem = (a: Assistant) => a.metadata?.created_by === "system";
/** A graph id standing in for an assistant this user may not see (see App): it can be used, not edited. */
const isGraphId = (a: Assistant) => a.metadata?.created_by === "graph id";

/** A config or context editor: a form from the schema, or JSON when the schema has no properties. */
function ObjectEditor({ title, schema, value, onChange }: { title: string; schema: object | null | undefined; value: { raw: RawValues; json: string }; onChange: (v: { raw: RawValues; json: string }) => void }) {
  const fields = fieldsFromSchema(schema);
  return (
    <fieldset>
      <legend>{title}</legend>
      {fields.length > 0 ? (
        <SchemaForm fields={fields} raw={value.raw} onChange={(raw) => onChange({ ...value, raw })} />
      ) : (
        <textarea aria-label={`${title} (JSON)`} className="mono" rows={3} value={value.json} onChange={(e) => onChange({ ...value, json: e.target.value })} />
      )}
    </fieldset>
  );
}

function readEditor(schema: object | null | undefined, value: { raw: RawValues; json: string }): { value?: Record<string, unknown>; error?: string } {
  const fields = fieldsFromSchema(schema);
  if (fields.length > 0) {
    const { value: v, errors } = valuesFromRaw(fields, value.raw);
    const first = Object.values(errors)[0];
    return first ? { error: first } : { value: v };
  }
  const parsed = parseJsonText(value.json);
  if (!parsed.ok) return { error: parsed.error };
  if (parsed.value !== undefined && (typeof parsed.value !== "object" || parsed.value === null || Array.isArray(parsed.value))) return { error: "Must be a JSON object" };
  return { value: (parsed.value as Record<string, unknown>) ?? {} };
}

const editorFor = (schema: object | null | undefined, values: Record<string, unknown> = {}) => ({ raw: rawFromValues(fieldsFromSchema(schema), values), json: JSON.stringify(values, null, 2) });

interface Draft {
  /** The assistant edited, or undefined for a new one. */
  id?: string;
  name: string;
  description: string;
  config: { raw: RawValues; json: string };
  context: { raw: RawValues; json: string };
  error?: string;
}

export interface AssistantsSectionProps {
  client: Client;
  assistants: Assistant[];
  current: Assistant | undefined;
  schemas: GraphSchema | undefined;
  onSelect: (id: string) => void;
  onChanged: () => Promise<unknown>;
  report: (err: unknown) => void;
}

export function AssistantsSection({ client, assistants, current, schemas, onSelect, onChanged, report }: AssistantsSectionProps) {
  const [draft, setDraft] = useState<Draft | undefined>();
  const [versions, setVersions] = useState<{ id: string; list: AssistantVersion[] } | undefined>();
  const graphId = current?.graph_id;
  const ofGraph = assistants.filter((a) => a.graph_id === graphId);
  useEffect(() => setDraft(undefined), [graphId]);

  const start = (a?: Assistant) =>
    setDraft({
      id: a?.assistant_id,
      name: a ? a.name : `${graphId} assistant`,
      description: a?.description ?? "",
      config: editorFor(schemas?.config_schema, (a?.config?.configurable ?? {}) as Record<string, unknown>),
      context: editorFor(schemas?.context_schema, (a?.context ?? {}) as Record<string, unknown>),
    });
  const save = async () => {
    if (!draft || !graphId) return;
    const config = readEditor(schemas?.config_schema, draft.config);
    const context = readEditor(schemas?.context_schema, draft.context);
    const error = config.error ?? context.error;
    if (error) return setDraft({ ...draft, error });
    const payload = { graphId, name: draft.name, description: draft.description || undefined, config: { configurable: config.value ?? {} }, context: context.value ?? {} };
    try {
      const saved = draft.id ? await client.assistants.update(draft.id, payload) : await client.assistants.create(payload);
      setDraft(undefined);
      await onChanged();
      onSelect(saved.assistant_id);
      if (versions?.id === saved.assistant_id) await showVersions(saved.assistant_id);
    } catch (err) {
      report(err);
    }
  };
  const showVersions = async (id: string) => {
    try {
      setVersions({ id, list: await client.assistants.getVersions(id, { limit: 50 }) });
    } catch (err) {
      report(err);
    }
  };
  const act = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      await onChanged();
    } catch (err) {
      report(err);
    }
  };

  return (
    <section className="panel assistants-section" aria-labelledby="assistants-title" id="assistants">
      <div className="panel-title">
        <h2 id="assistants-title">Assistants</h2>
        <span className="muted small">of graph {graphId ?? "—"}</span>
        <button type="button" onClick={() => start()} disabled={!graphId}>
          New assistant
        </button>
      </div>
      <ul className="assistant-list" aria-label="Assistants of this graph">
        {ofGraph.map((a) => (
          <li key={a.assistant_id} className={a.assistant_id === current?.assistant_id ? "selected" : undefined}>
            <span>
              <strong>{a.name}</strong> <span className="muted small mono">{a.assistant_id.slice(0, 8)}</span> <span className="badge">v{a.version}</span>
              {isSystem(a) && <span className="badge">system</span>}
              {isGraphId(a) && <span className="badge">graph id</span>}
            </span>
            <span className="row-actions">
              <button type="button" onClick={() => onSelect(a.assistant_id)} disabled={a.assistant_id === current?.assistant_id}>
                Use
              </button>
              {!isGraphId(a) && (
                <>
                  <button type="button" onClick={() => start(a)}>
                    Edit
                  </button>
                  <button type="button" onClick={() => void showVersions(a.assistant_id)}>
                    Versions
                  </button>
                </>
              )}
              {!isSystem(a) && !isGraphId(a) && (
                <button type="button" aria-label={`Delete assistant ${a.name}`} onClick={() => void act(() => client.assistants.delete(a.assistant_id))}>
                  Delete
                </button>
              )}
            </span>
          </li>
        ))}
      </ul>
      {draft && (
        <form
          className="assistant-form"
          aria-label={draft.id ? "Edit assistant" : "New assistant"}
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <h3>{draft.id ? "Edit assistant (saves a new version)" : "New assistant"}</h3>
          <label>
            Name <input value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
          </label>
          <label>
            Description <input value={draft.description} onChange={(e) => setDraft({ ...draft, description: e.target.value })} />
          </label>
          <ObjectEditor title="Config (configurable)" schema={schemas?.config_schema} value={draft.config} onChange={(config) => setDraft({ ...draft, config })} />
          <ObjectEditor title="Context" schema={schemas?.context_schema} value={draft.context} onChange={(context) => setDraft({ ...draft, context })} />
          {draft.error && <div className="field-error">{draft.error}</div>}
          <div className="composer-buttons">
            <button type="submit" className="primary">
              {draft.id ? "Save assistant" : "Create assistant"}
            </button>
            <button type="button" onClick={() => setDraft(undefined)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {versions && (
        <div className="versions">
          <h3>Versions of {assistants.find((a) => a.assistant_id === versions.id)?.name ?? versions.id}</h3>
          <ol aria-label="Versions">
            {versions.list.map((v) => {
              const latest = assistants.find((a) => a.assistant_id === versions.id)?.version === v.version;
              return (
                <li key={v.version}>
                  <span className="badge">v{v.version}</span> <span className="muted small">{new Date(v.created_at).toLocaleString()}</span> <code className="small">{JSON.stringify({ config: v.config?.configurable ?? {}, context: v.context ?? {} })}</code>{" "}
                  {latest ? (
                    <span className="badge">current</span>
                  ) : (
                    <button type="button" onClick={() => void act(async () => (await client.assistants.setLatest(versions.id, v.version), showVersions(versions.id)))}>
                      Make current
                    </button>
                  )}
                </li>
              );
            })}
          </ol>
        </div>
      )}
    </section>
  );
}
