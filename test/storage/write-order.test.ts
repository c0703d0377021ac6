import { compareWritesSortKeys, writesSortKey } from "@langchain/langgraph-checkpoint";
import { describe, expect, it } from "vitest";
import { compareWrites } from "../../src/storage/embedded/checkpointer.js";

// lg-dev keeps its own copy of LangGraph's write order (older @langchain/langgraph-checkpoint 1.x does not export
// it): it must sort exactly as the library's comparator does.
describe("the order of a checkpoint's pending writes", () => {
  it("matches @langchain/langgraph-checkpoint's compareWritesSortKeys, astral characters and empty paths included", () => {
    const strings = ["", "a", "b", "ab", "~", "\uffff", "\u{1f600}", "\ud800", "\ue000", "a\u{1f600}", "a\uffff", "~__pregel_pull, x"];
    const writes: Array<{ task_path: string | undefined; task_id: string; idx: number }> = [];
    for (const task_path of [...strings, undefined]) for (const task_id of strings) for (const idx of [-1, 0, 2, 10]) writes.push({ task_path, task_id, idx });
    const key = (w: (typeof writes)[number]) => writesSortKey(w.task_path ?? "", w.task_id, w.idx);
    let compared = 0;
    for (let i = 0; i < writes.length; i += 7) {
      for (let j = 0; j < writes.length; j += 5) {
        expect(Math.sign(compareWrites(writes[i]!, writes[j]!)), JSON.stringify([writes[i], writes[j]])).toBe(
          Math.sign(compareWritesSortKeys(key(writes[i]!), key(writes[j]!))),
        );
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });
});
