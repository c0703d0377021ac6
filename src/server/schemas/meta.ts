/** Request shapes of /internal. */

/** Body of POST /internal/truncate: what to empty. */
export const truncateBody = {
  type: "object",
  properties: {
    runs: { type: "boolean" },
    threads: { type: "boolean" },
    assistants: { type: "boolean" },
    store: { type: "boolean" },
    checkpoint: { type: "boolean" },
  },
} as const;
