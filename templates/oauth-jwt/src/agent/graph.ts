import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { EchoChatModel } from "./model.js";

const model = new EchoChatModel({});

/** The only node: answer the conversation so far. `messages` is appended to, never replaced. */
async function chatbot(state: typeof MessagesAnnotation.State) {
  const response = await model.invoke(state.messages);
  return { messages: [response] };
}

/** The graph before compiling, so tests can compile it with their own checkpointer. */
export const workflow = new StateGraph(MessagesAnnotation)
  .addNode("chatbot", chatbot)
  .addEdge(START, "chatbot")
  .addEdge("chatbot", END);

// No checkpointer here: lg-dev (like LangGraph Platform) supplies one, and that is what gives every thread its memory.
export const graph = workflow.compile();
graph.name = "Chatbot";
