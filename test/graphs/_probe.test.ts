import { test, expect } from "vitest";
import { register, createRequire } from "node:module";
test("probe", async () => {
  const { register: tsx } = await import("tsx/esm/api");
  const { register: cjs } = await import("tsx/cjs/api");
  cjs(); tsx();
  register(new URL("file:///tmp/proto/lib/hooks.mjs"));
  const imp = createRequire("file:///tmp/proto/lib/x.js")("./native.cts");
  const m = await imp("file:///tmp/proto/proj/src/graph.ts?lg_gen=z.1");
  const { StateGraph } = await import("@langchain/langgraph");
  console.log(m.out, m.SG === StateGraph);
  expect(m.SG).toBe(StateGraph);
});
