/** Request shapes of /ui (generative UI). */

/** Params of POST /ui/{agent}. */
export const uiAgentParams = { type: "object", properties: { agent: { type: "string" } }, required: ["agent"] } as const;

/** Body of POST /ui/{agent}: the component to render. */
export const uiComponentBody = { type: "object", properties: { name: { type: "string" } }, required: ["name"] } as const;

/** Params of GET /ui/{agent}/{file}. */
export const uiFileParams = { type: "object", properties: { agent: { type: "string" }, file: { type: "string" } }, required: ["agent", "file"] } as const;
