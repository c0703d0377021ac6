import { useEffect, useState } from "react";
import { parseJsonText } from "../lib/resume.js";
import { fieldsFromSchema, rawFromValues, valuesFromRaw, type RawValues } from "../lib/schema-form.js";
import type { StudioStream } from "../stream-types.js";
import { JsonTree } from "./JsonTree.js";
import { SchemaForm } from "./SchemaForm.js";

export interface NodeUpdate {
  seq: number;
  node: string;
  update: unknown;
}

export interface GraphInputProps {
  stream: StudioStream;
  inputSchema: object | null | undefined;
  updates: NodeUpdate[];
  onRun: (input: Record<string, unknown> | null) => void;
  onStop: () => void;
}

/** Graph mode: an input form from the graph's input schema (JSON when it has none), each node's updates, the output. */
export function GraphInput({ stream, inputSchema, updates, onRun, onStop }: GraphInputProps) {
  const fields = fieldsFromSchema(inputSchema);
  const schemaKey = JSON.stringify(inputSchema ?? null);
  const [raw, setRaw] = useState<RawValues>(() => rawFromValues(fields));
  const [json, setJson] = useState("{}");
  const [asJson, setAsJson] = useState(fields.length === 0);
  const [errors, setErrors] = useState<Record<string, string>>({});
  useEffect(() => {
    setRaw(rawFromValues(fieldsFromSchema(inputSchema)));
    setAsJson(fieldsFromSchema(inputSchema).length === 0);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [schemaKey]);

  const run = () => {
    if (asJson) {
      const parsed = parseJsonText(json);
      if (!parsed.ok) return setErrors({ json: parsed.error });
      if (parsed.value !== undefined && (typeof parsed.value !== "object" || parsed.value === null || Array.isArray(parsed.value))) {
        return setErrors({ json: "The input must be a JSON object" });
      }
      setErrors({});
      return onRun((parsed.value as Record<string, unknown> | undefined) ?? null);
    }
    const { value, errors: errs } = valuesFromRaw(fields, raw);
    setErrors(errs);
    if (Object.keys(errs).length === 0) onRun(value);
  };

  return (
    <div className="graph-mode">
      <section aria-label="Input" className="input-form">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            run();
          }}
        >
          {fields.length > 0 && (
            <label className="small">
              <input type="checkbox" checked={asJson} onChange={(e) => setAsJson(e.target.checked)} /> Edit the input as JSON
            </label>
          )}
          {asJson ? (
            <div className="field">
              <label htmlFor="graph-input-json">Input (JSON)</label>
              <textarea id="graph-input-json" className="mono" rows={5} value={json} onChange={(e) => setJson(e.target.value)} />
              {errors.json && <div className="field-error">{errors.json}</div>}
            </div>
          ) : (
            <SchemaForm fields={fields} raw={raw} onChange={setRaw} errors={errors} />
          )}
          <div className="composer-buttons">
            <button type="submit" className="primary" disabled={stream.isLoading}>
              Send
            </button>
            <button type="button" onClick={onStop} disabled={!stream.isLoading}>
              Stop
            </button>
          </div>
        </form>
      </section>
      <section aria-label="Node updates" className="updates">
        <h3>Updates</h3>
        {updates.length === 0 ? (
          <p className="muted">Each node's update appears here as the run streams.</p>
        ) : (
          <ol className="update-list">
            {updates.map((u) => (
              <li key={u.seq}>
                <strong>{u.node}</strong>
                <JsonTree value={u.update} openDepth={1} label={`Update of ${u.node}`} />
              </li>
            ))}
          </ol>
        )}
      </section>
      {!stream.isLoading && updates.length > 0 && (
        <section aria-label="Output" className="output">
          <h3>Output</h3>
          <JsonTree value={withoutInterrupt(stream.values)} openDepth={2} label="Output values" />
        </section>
      )}
    </div>
  );
}

export function withoutInterrupt(values: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!values || !("__interrupt__" in values)) return values;
  const { __interrupt__: _, ...rest } = values;
  return rest;
}
