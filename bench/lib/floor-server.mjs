// The floor for `runs.wait`: the least a server can do to answer it with LangGraph on this machine. The bench's echo
// graph (same nodes, same MessagesAnnotation state) runs on LangGraph's in-memory MemorySaver; no auth, no run or
// thread records, no persistence, no streams. POST /threads answers a fresh id; POST /threads/:id/runs/wait streams
// the graph on that thread and answers its final values (messages as plain objects, as the API does).
//   node floor-server.mjs <port> [inproc|worker]
// "worker": the same graph runs in one worker thread (what moving graph execution off the HTTP thread could buy).
import { isMainThread, parentPort, Worker } from "node:worker_threads";
import { AIMessage } from "@langchain/core/messages";
import { MemorySaver, MessagesAnnotation, StateGraph } from "@langchain/langgraph";
// The API's own wire form (messages as {...data, type}); `npm run bench:floor` builds dist/ first.
import { toWire } from "../../dist/services/util.js";

function buildGraph() {
  const respond = (state) => {
    const last = state.messages.at(-1);
    const text = typeof last?.content === "string" ? last.content : JSON.stringify(last?.content ?? "");
    return { messages: [new AIMessage({ content: `echo: ${text}` })] };
  };
  return new StateGraph(MessagesAnnotation).addNode("respond", respond).addEdge("__start__", "respond").compile({ checkpointer: new MemorySaver() });
}

/** One run as lg-dev and the official server start it: stream "values", keep the last, answer it in wire form. */
async function runOnce(graph, threadId, input) {
  let last;
  const config = { configurable: { thread_id: threadId, graph_id: "echo" }, streamMode: ["values"], signal: new AbortController().signal };
  for await (const [, values] of await graph.stream(input, config)) last = values;
  return toWire(last);
}

if (!isMainThread) {
  const graph = buildGraph();
  parentPort.on("message", ({ id, threadId, input }) => {
    runOnce(graph, threadId, input).then(
      (values) => parentPort.postMessage({ id, values }),
      (err) => parentPort.postMessage({ id, error: String(err?.message ?? err) }),
    );
  });
} else {
  const { default: Fastify } = await import("fastify");
  const port = Number(process.argv[2]);
  const mode = process.argv[3] ?? "inproc";
  const app = Fastify({ logger: false });
  let execute;
  if (mode === "worker") {
    const worker = new Worker(new URL(import.meta.url));
    const waiting = new Map();
    let seq = 0;
    worker.on("message", ({ id, values, error }) => {
      const w = waiting.get(id);
      waiting.delete(id);
      if (error) w.reject(new Error(error));
      else w.resolve(values);
    });
    execute = (threadId, input) => new Promise((resolve, reject) => {
      const id = ++seq;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, threadId, input });
    });
  } else {
    const graph = buildGraph();
    execute = (threadId, input) => runOnce(graph, threadId, input);
  }
  app.get("/ok", async () => ({ ok: true }));
  app.post("/threads", async () => ({ thread_id: crypto.randomUUID(), metadata: {}, status: "idle", values: null }));
  app.post("/threads/:thread_id/runs/wait", async (req) => execute(req.params.thread_id, req.body?.input ?? null));
  await app.listen({ port, host: "127.0.0.1" });
  for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => app.close().then(() => process.exit(0)));
}
