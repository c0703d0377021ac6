import { useId } from "react";
import type { Field, RawValues } from "../lib/schema-form.js";

/** Inputs for `fields` (see lib/schema-form): the caller keeps the raw values and turns them into a value. */
export function SchemaForm({ fields, raw, onChange, errors = {} }: { fields: Field[]; raw: RawValues; onChange: (raw: RawValues) => void; errors?: Record<string, string> }) {
  const base = useId();
  const set = (key: string, value: string | boolean) => onChange({ ...raw, [key]: value });
  return (
    <div className="schema-form">
      {fields.map((f) => {
        const id = `${base}-${f.key}`;
        const value = raw[f.key];
        const text = typeof value === "string" ? value : "";
        const error = errors[f.key];
        const hint = f.kind === "messages" ? "text = one human message, or a JSON array" : f.kind === "json" ? "JSON" : f.kind === "any" ? "JSON or text" : f.kind;
        return (
          <div className="field" key={f.key}>
            <label htmlFor={id}>
              {f.label}
              {f.required && <span aria-hidden="true"> *</span>} <span className="muted small">{hint}</span>
            </label>
            {f.kind === "boolean" ? (
              <input id={id} type="checkbox" checked={value === true} onChange={(e) => set(f.key, e.target.checked)} />
            ) : f.kind === "enum" ? (
              <select id={id} value={text} onChange={(e) => set(f.key, e.target.value)}>
                <option value="">(not set)</option>
                {f.options!.map((o) => (
                  <option key={o} value={o}>
                    {JSON.parse(o) as string}
                  </option>
                ))}
              </select>
            ) : f.kind === "string" || f.kind === "number" || f.kind === "integer" ? (
              <input id={id} type="text" inputMode={f.kind === "string" ? undefined : "decimal"} value={text} onChange={(e) => set(f.key, e.target.value)} />
            ) : (
              <textarea id={id} rows={f.kind === "json" ? 3 : 2} className={f.kind === "json" ? "mono" : undefined} value={text} onChange={(e) => set(f.key, e.target.value)} />
            )}
            {f.description && <div className="muted small">{f.description}</div>}
            {error && (
              <div className="field-error" role="status">
                {error}
              </div>
            )}
          </div>
        );
      })}
    </div>
  );
}
