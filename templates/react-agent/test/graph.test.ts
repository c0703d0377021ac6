import assert from "node:assert/strict";
import { test } from "node:test";
import { MemorySaver } from "@langchain/langgraph";
import { workflow } from "../src/agent/graph.js";
import { loadChatModel } from "../src/agent/model.js";

// The test must not depend on a key in the developer's shell: force the fake model.
delete process.env.OPENAI_API_KEY;

test("the agent calls the calculator and answers with its result", async () => {
  const graph = workflow.compile({ checkpointer: new MemorySaver() });
  const result = await graph.invoke(
    { messages: [{ role: "user", content: "what is 6 * 7?" }] },
    { configurable: { thread_id: "t" } },
  );
  const [question, call, toolResult, answer] = result.messages;
  assert.equal(question?.text, "what is 6 * 7?");
  assert.deepEqual((call as { tool_calls?: unknown[] }).tool_calls?.map((c) => (c as { name: string }).name), ["calculator"]);
  assert.equal(toolResult?.text, "42");
  assert.equal(answer?.text, "The answer is 42.");
  assert.equal(result.messages.length, 4);
});

test("the agent uses the weather tool, and answers directly when no tool fits", async () => {
  const graph = workflow.compile();
  const weather = await graph.invoke({ messages: [{ role: "user", content: "What's the weather in Paris?" }] });
  assert.match(weather.messages.at(-1)?.text ?? "", /sunny in Paris/);
  const plain = await graph.invoke({ messages: [{ role: "user", content: "hello" }] });
  assert.equal(plain.messages.length, 2);
});

test("with a key but without @langchain/openai installed, the fake model is used", async () => {
  const warn = console.warn;
  console.warn = () => {};
  try {
    const model = await loadChatModel({ OPENAI_API_KEY: "sk-test" });
    // Where @langchain/openai is installed the real model is chosen instead; both are fine here.
    assert.ok(["fake-tool-calling", "openai"].includes(model._llmType()));
  } finally {
    console.warn = warn;
  }
});
