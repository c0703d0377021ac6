import { LgDevError, NotFoundError } from "../../errors.js";
import type { RequestContext } from "../../services/context.js";
import { uiGlobalName } from "../../ui/build.js";
import type { RoutePlugin, UiRoutesDeps } from "../deps.js";
import { uiAgentParams, uiComponentBody, uiFileParams } from "../schemas/ui.js";

/** Content types of the files a UI build makes (as the official server names them). */
const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
};

/**
 * Generative UI (langgraph.json `ui`), answering the SDK's `LoadExternalComponent` as the official server does:
 * `POST /ui/{agent}` {name} -> an HTML snippet loading the built files and rendering component `name`;
 * `GET /ui/{agent}/{file}` -> a built file (public, like the official server's: a <script src> sends no credentials).
 */
export const uiRoutes: RoutePlugin<UiRoutesDeps> = async (app, deps) => {
  app.post(
    "/ui/:agent",
    {
      schema: {
        tags: ["UI"],
        summary: "The HTML that loads a graph's UI component",
        params: uiAgentParams,
        body: uiComponentBody,
      },
    },
    async (req, reply) => {
      const { agent } = req.params;
      const found = await findUi(deps, req.ctx, agent);
      if (!found) throw new NotFoundError("ui", undefined, `UI not found for agent "${agent}"`);
      const host = req.headers.host;
      // A page on another host loads the files from this one; the scheme is left to the page except on localhost.
      const local = !!host && ["localhost", "127.0.0.1"].some((h) => host === h || host.startsWith(`${h}:`));
      const base = `${local ? "http:" : ""}//${host}${deps.mountPrefix}/ui/${encodeURIComponent(found.name)}`;
      const lines: string[] = [];
      for (const css of found.files.filter((f) => f.basename.endsWith(".css"))) {
        lines.push(`<link rel="stylesheet" href="${quoted(`${base}/${css.basename}`, '"')}" />`);
      }
      const js = found.files.find((f) => f.basename.endsWith(".js"));
      if (js) {
        const onload = `${uiGlobalName(found.name)}.render(${JSON.stringify(req.body.name)}, "{{shadowRootId}}")`;
        lines.push(`<script src="${quoted(`${base}/${js.basename}`, '"')}" onload='${quoted(onload, "'")}'></script>`);
      }
      // Plain text, as the official server's answer arrives (its text/html header is overridden by Hono's c.text);
      // the SDK reads the body as text either way.
      return reply.type("text/plain; charset=utf-8").send(lines.join("\n"));
    },
  );

  app.get(
    "/ui/:agent/:file",
    {
      config: { public: true },
      schema: {
        tags: ["UI"],
        summary: "A built file of a graph's UI",
        params: uiFileParams,
      },
    },
    async (req, reply) => {
      const { agent, file } = req.params;
      const found = (await deps.ui.files(agent))?.find((f) => f.basename === file);
      if (!found) return reply.code(404).type("text/plain; charset=utf-8").send("File not found");
      const ext = file.slice(file.lastIndexOf("."));
      return reply.type(CONTENT_TYPES[ext] ?? "text/plain").send(Buffer.from(found.contents.buffer, found.contents.byteOffset, found.contents.byteLength));
    },
  );
};

/**
 * The UI named `agent` (a `ui` key, normally the graph id); else, when `agent` is an assistant the caller may read,
 * its graph's UI: the SDK asks with `stream.assistantId` when the component names no namespace.
 */
async function findUi(deps: UiRoutesDeps, ctx: RequestContext, agent: string) {
  const files = await deps.ui.files(agent);
  if (files?.length) return { name: agent, files };
  let graphId: string;
  try {
    graphId = (await deps.assistants.get(ctx, agent)).graph_id;
  } catch (err) {
    if (err instanceof LgDevError) return undefined;
    throw err;
  }
  const byGraph = graphId === agent ? undefined : await deps.ui.files(graphId);
  return byGraph?.length ? { name: graphId, files: byGraph } : undefined;
}

/**
 * Text safe inside an HTML attribute quoted with `quote`: a component name cannot end the attribute and add markup
 * to the page (names and URLs of ordinary projects are left as they are, as the official server writes them).
 */
function quoted(text: string, quote: '"' | "'"): string {
  return text.replace(/&/g, "&amp;").replace(quote === '"' ? /"/g : /'/g, quote === '"' ? "&quot;" : "&#39;");
}
