import type { AIMessageChunk, BaseMessageLike } from "@langchain/core/messages";
import type { Runnable } from "@langchain/core/runnables";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ToolNode, toolsCondition } from "@langchain/langgraph/prebuilt";
import { loadChatModel } from "./model.js";
import { tools } from "./tools.js";

const SYSTEM_PROMPT = "You are a helpful assistant. Use the tools when they help; answer briefly.";

// Loaded on the first run rather than at import, so a missing optional package cannot stop the server from starting.
let boundModel: Promise<Runnable<BaseMessageLike[], AIMessageChunk>> | undefined;
function getModel() {
  if (!boundModel) {
    boundModel = loadChatModel().then((model) => {
      if (!model.bindTools) throw new Error(`${model._llmType()} cannot call tools`);
      return model.bindTools(tools);
    });
    // Forget a failure so that the next run tries again.
    boundModel.catch(() => (boundModel = undefined));
  }
  return boundModel;
}

/** The agent: the model reads the conversation and either answers or asks for tool calls. */
async function callModel(state: typeof MessagesAnnotation.State) {
  const model = await getModel();
  const response = await model.invoke([{ role: "system", content: SYSTEM_PROMPT }, ...state.messages]);
  return { messages: [response] };
}

/** The graph before compiling, so tests can compile it with their own checkpointer. */
export const workflow = new StateGraph(MessagesAnnotation)
  .addNode("agent", callModel)
  .addNode("tools", new ToolNode(tools))
  .addEdge(START, "agent")
  // Tool calls in the last message -> run them and go back to the model; none -> that was the answer.
  .addConditionalEdges("agent", toolsCondition, ["tools", END])
  .addEdge("tools", "agent");

// lg-dev supplies the checkpointer, which gives each thread its memory.
export const graph = workflow.compile();
graph.name = "ReAct Agent";
