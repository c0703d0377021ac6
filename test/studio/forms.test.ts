/** Forms from JSON schemas: fields, values in and out, messages, errors. */
import { describe, expect, it } from "vitest";
import { fieldsFromSchema, hasMessages, rawFromValues, valuesFromRaw } from "../../studio/src/lib/schema-form.js";

const ZOD_LIKE = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  properties: {
    topic: { type: "string", description: "What to write about" },
    count: { type: "integer", default: 2 },
    ratio: { anyOf: [{ type: "number" }, { type: "null" }] },
    tone: { type: "string", enum: ["formal", "casual"] },
    draft: { type: "boolean" },
    extra: { $ref: "#/$defs/Extra" },
    messages: { type: "array", items: { type: "object", properties: { type: { type: "string" }, content: {} } } },
    anything: {},
  },
  required: ["topic"],
  $defs: { Extra: { type: "object", properties: { a: { type: "number" } } } },
};

describe("fieldsFromSchema", () => {
  it("gives each property a typed field, following $ref and nullable unions", () => {
    const fields = fieldsFromSchema(ZOD_LIKE);
    expect(fields.map((f) => [f.key, f.kind])).toEqual([
      ["topic", "text"],
      ["count", "integer"],
      ["ratio", "number"],
      ["tone", "enum"],
      ["draft", "boolean"],
      ["extra", "json"],
      ["messages", "messages"],
      ["anything", "any"],
    ]);
    expect(fields[0]).toMatchObject({ required: true, description: "What to write about" });
    expect(fields[1]).toMatchObject({ required: false, default: 2 });
    expect(fields[3]!.options).toEqual(['"formal"', '"casual"']);
    expect(hasMessages(ZOD_LIKE)).toBe(true);
    expect(hasMessages({ type: "object", properties: { question: {} } })).toBe(false);
    expect(fieldsFromSchema(null)).toEqual([]);
  });
});

describe("values in and out", () => {
  const fields = fieldsFromSchema(ZOD_LIKE);

  it("turns inputs into the input object, leaving empty ones out", () => {
    const raw = { ...rawFromValues(fields), topic: "otters", ratio: "0.5", tone: '"casual"', draft: true, extra: '{"a": 1}', messages: "hello", anything: "plain words" };
    const { value, errors } = valuesFromRaw(fields, raw);
    expect(errors).toEqual({});
    expect(value).toEqual({
      topic: "otters",
      count: 2,
      ratio: 0.5,
      tone: "casual",
      draft: true,
      extra: { a: 1 },
      messages: [{ type: "human", content: "hello" }],
      anything: "plain words",
    });
    expect(valuesFromRaw(fields, { ...raw, anything: "[1, 2]" }).value.anything).toEqual([1, 2]);
  });

  it("says which inputs are wrong", () => {
    const { errors } = valuesFromRaw(fields, { topic: "", count: "2.5", ratio: "abc", extra: "{", messages: "[oops" });
    expect(errors.topic).toMatch(/required/);
    expect(errors.count).toMatch(/integer/);
    expect(errors.ratio).toMatch(/number/);
    expect(errors.extra).toMatch(/invalid JSON/);
    expect(errors.messages).toMatch(/invalid JSON/);
  });

  it("fills inputs from existing values (editing an assistant's config)", () => {
    const raw = rawFromValues(fields, { topic: "x", count: 5, draft: true, extra: { a: 2 }, anything: "42" });
    expect(raw).toMatchObject({ topic: "x", count: "5", draft: true, extra: '{\n  "a": 2\n}', anything: '"42"', messages: "" });
    // Round trip.
    expect(valuesFromRaw(fields, raw).value).toEqual({ topic: "x", count: 5, draft: true, extra: { a: 2 }, anything: "42" });
  });
});
