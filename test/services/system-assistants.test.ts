import { describe, expect, it } from "vitest";
import { systemAssistantId } from "../../src/services/assistants.js";

describe("systemAssistantId", () => {
  // Python: uuid.uuid5(uuid.UUID("6ba7b821-9dad-11d1-80b4-00c04fd430c8"), graph_id), as the official servers compute it.
  it.each([
    ["agent", "fe096781-5601-53d2-b2f6-0d3403f7e9ca"],
    ["echo", "046b5dc7-2108-582c-9c6c-31d556d138f0"],
    ["é-graph", "d3558098-fdc4-5758-9421-3f681a4eb89b"],
  ])("of %s is %s", (graphId, id) => {
    expect(systemAssistantId(graphId)).toBe(id);
  });
});
