import { BaseChatModel, type BindToolsInput } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage, ToolMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";

/**
 * The chat model the agent uses: OpenAI when OPENAI_API_KEY is set and `@langchain/openai` is installed
 * (`npm install @langchain/openai`), otherwise a deterministic fake, so the project runs without any key.
 */
export async function loadChatModel(env: NodeJS.ProcessEnv = process.env): Promise<BaseChatModel> {
  if (env.OPENAI_API_KEY) {
    try {
      // A computed specifier: the package is optional, so TypeScript must not insist on finding it.
      const specifier = "@langchain/openai";
      const { ChatOpenAI } = await import(specifier);
      return new ChatOpenAI({ model: env.OPENAI_MODEL || "gpt-4o-mini", temperature: 0 });
    } catch (err) {
      if ((err as { code?: string }).code !== "ERR_MODULE_NOT_FOUND") throw err;
      console.warn("OPENAI_API_KEY is set but @langchain/openai is not installed (npm install @langchain/openai); using the fake model.");
    }
  }
  return new FakeToolCallingModel({});
}

/**
 * A fake model that behaves like a tool-calling one: for "what is 6 * 7?" it calls `calculator`, for
 * "what's the weather in Paris?" it calls `get_weather`, and once the tool has answered it replies with the result.
 */
export class FakeToolCallingModel extends BaseChatModel {
  _llmType(): string {
    return "fake-tool-calling";
  }

  // It already knows its two tools by name, so binding them changes nothing.
  override bindTools(_tools: BindToolsInput[]) {
    return this;
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const message = nextMessage(messages);
    return { generations: [{ text: message.text, message }] };
  }
}

/** What the fake model says next, decided only from the conversation so far (deterministic). */
export function nextMessage(messages: BaseMessage[]): AIMessage {
  const last = messages.at(-1);
  if (last && ToolMessage.isInstance(last)) {
    return new AIMessage(last.name === "calculator" ? `The answer is ${last.text}.` : last.text);
  }
  const text = last?.text ?? "";
  const id = `call_${messages.length}`;
  const math = /(-?\d+(?:\.\d+)?)\s*([-+*/x×])\s*(-?\d+(?:\.\d+)?)/.exec(text);
  if (math) {
    const operator = ({ x: "*", "×": "*" } as Record<string, string>)[math[2]!] ?? math[2]!;
    const args = { a: Number(math[1]), operator, b: Number(math[3]) };
    return new AIMessage({ content: "", tool_calls: [{ id, name: "calculator", args, type: "tool_call" }] });
  }
  const weather = /weather (?:in|at|for) ([^?.!,]+)/i.exec(text);
  if (weather) {
    return new AIMessage({ content: "", tool_calls: [{ id, name: "get_weather", args: { city: weather[1]!.trim() }, type: "tool_call" }] });
  }
  return new AIMessage(
    'I am a fake model with two tools: try "what is 6 * 7?" or "what\'s the weather in Paris?". ' +
      "Set OPENAI_API_KEY and install @langchain/openai to talk to a real model.",
  );
}
