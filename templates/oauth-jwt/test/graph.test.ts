import assert from "node:assert/strict";
import { test } from "node:test";
import { MemorySaver } from "@langchain/langgraph";
import { workflow } from "../src/agent/graph.js";

test("the chatbot answers and remembers the conversation on its thread", async () => {
  // The server normally provides the checkpointer; here an in-memory one plays that part.
  const graph = workflow.compile({ checkpointer: new MemorySaver() });
  const config = { configurable: { thread_id: "test-thread" } };

  const first = await graph.invoke({ messages: [{ role: "user", content: "hi" }] }, config);
  assert.equal(first.messages.at(-1)?.text, 'You said: "hi". This is the first message of our conversation.');

  const second = await graph.invoke({ messages: [{ role: "user", content: "how are you?" }] }, config);
  assert.equal(second.messages.length, 4);
  assert.match(second.messages.at(-1)?.text ?? "", /2 messages so far; the first one was "hi"/);
});

test("another thread starts a fresh conversation", async () => {
  const graph = workflow.compile({ checkpointer: new MemorySaver() });
  await graph.invoke({ messages: [{ role: "user", content: "hi" }] }, { configurable: { thread_id: "a" } });
  const other = await graph.invoke({ messages: [{ role: "user", content: "hello" }] }, { configurable: { thread_id: "b" } });
  assert.equal(other.messages.length, 2);
});
