import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { SimpleChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk } from "@langchain/core/outputs";

/**
 * A stand-in chat model that needs no API key and always answers the same way, so the project runs
 * (and its tests pass) offline. Replace it with a real model when you have one, e.g.
 * `new ChatOpenAI({ model: "gpt-4o-mini" })` from `@langchain/openai`.
 */
export class EchoChatModel extends SimpleChatModel {
  _llmType(): string {
    return "echo";
  }

  async _call(messages: BaseMessage[]): Promise<string> {
    return reply(messages);
  }

  // Streaming word by word lets `stream_mode: "messages"` (and Studio) show tokens arriving as a real model's would.
  override async *_streamResponseChunks(
    messages: BaseMessage[],
    _options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    for (const word of reply(messages).split(/(?<= )/)) {
      yield new ChatGenerationChunk({ text: word, message: new AIMessageChunk({ content: word }) });
      await runManager?.handleLLMNewToken(word);
    }
  }
}

/** The echo reply: it quotes the latest message and recalls the first one, which shows the thread's memory at work. */
export function reply(messages: BaseMessage[]): string {
  const said = messages.filter((m) => m.getType() === "human").map((m) => m.text);
  const last = said.at(-1);
  if (last === undefined) return "Hello! Send me a message and I will echo it back.";
  if (said.length === 1) return `You said: "${last}". This is the first message of our conversation.`;
  return `You said: "${last}". That makes ${said.length} messages so far; the first one was "${said[0]}".`;
}
