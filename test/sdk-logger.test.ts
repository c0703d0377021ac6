import { Annotation, StateGraph } from "@langchain/langgraph";
import { getLogger } from "@langchain/langgraph-sdk/logging";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.js";
import { createSdkLogger, registerSdkLogger } from "../src/sdk-logger.js";

function captured() {
  const lines: string[] = [];
  const sink = { out: (s: string) => lines.push(s), err: (s: string) => lines.push(s) };
  return { lines, logger: createLogger("debug", sink) };
}

let undo: (() => void) | undefined;
afterEach(() => {
  undo?.();
  undo = undefined;
});

describe("the SDK logger", () => {
  it("getLogger() throws until registered, and stops answering once unregistered", () => {
    expect(() => getLogger()).toThrow(/Logger not available/);
    const { lines, logger } = captured();
    undo = registerSdkLogger(logger);
    getLogger().info("hello");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ info  hello\n$/);
    undo();
    undo = undefined;
    expect(() => getLogger()).toThrow(/Logger not available/);
  });

  it("accepts winston's call shapes and maps its levels onto lg-dev's", () => {
    const { lines, logger } = captured();
    const sdk = createSdkLogger(logger) as unknown as Record<string, (...a: unknown[]) => unknown>;
    sdk.info!("with meta", { a: 1 }, { b: "two" });
    sdk.info!({ message: "as object", c: 3 });
    sdk.verbose!("verbose is debug");
    sdk.http!("http is info");
    sdk.log!("warn", "through log");
    sdk.log!({ level: "error", message: "log object" });
    (sdk.child!({ component: "x" }) as typeof sdk).info!("from child");
    sdk.error!("failed", new Error("boom"));
    const text = lines.join("");
    expect(text).toContain("info  with meta { a: 1, b: 'two' }\n");
    expect(text).toContain("info  as object { c: 3 }\n");
    expect(text).toContain("debug verbose is debug\n");
    expect(text).toContain("info  http is info\n");
    expect(text).toContain("warn  through log\n");
    expect(text).toContain("error log object\n");
    expect(text).toContain("info  from child { component: 'x' }\n");
    expect(text).toMatch(/error failed\nError: boom\n\s+at /);
  });

  it("tags a line written inside a node with the run, graph and node", async () => {
    const { lines, logger } = captured();
    undo = registerSdkLogger(logger);
    const State = Annotation.Root({ n: Annotation<number> });
    const graph = new StateGraph(State)
      .addNode("count", async (s) => {
        await new Promise((r) => setTimeout(r, 1));
        getLogger().info("counting");
        return { n: s.n + 1 };
      })
      .addEdge("__start__", "count")
      .compile();
    await graph.invoke({ n: 1 }, { configurable: { run_id: "r-1", graph_id: "counter" } });
    expect(lines.join("")).toContain("info  run r-1 (graph counter, node count): counting\n");
  });
});
