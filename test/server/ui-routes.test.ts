/** /ui routes: the snippet the SDK's LoadExternalComponent loads, the built files, 404s and auth. */
import { Auth, HTTPException } from "@langchain/langgraph-sdk/auth";
import { afterEach, describe, expect, it } from "vitest";
import { createAuthService } from "../../src/auth/index.js";
import { createLogger } from "../../src/logger.js";
import { UiBundles } from "../../src/ui/bundles.js";
import { copyFixture } from "../helpers/spawn.js";
import { makeTestApp } from "../helpers/app.js";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const auth = new Auth().authenticate(async (request: Request) => {
  if (request.headers.get("authorization") !== "Bearer ok") throw new HTTPException(401, { message: "no entry" });
  return { identity: "user-1", permissions: [] };
});

/** The test app's "echo" graph with the ui fixture's components as its UI. */
async function setup(o: { withAuth?: boolean; disableUi?: boolean } = {}) {
  const fixture = copyFixture("ui");
  cleanups.push(() => fixture.cleanup());
  const ui = new UiBundles({ projectDir: fixture.dir, logger: createLogger("silent") });
  cleanups.push(() => ui.close());
  void ui.configure({ ui: { echo: "./src/agent/ui.tsx" }, shared: ["@acme/format"] });
  const t = await makeTestApp({
    deps: { ui, http: o.disableUi ? { disable_ui: true } : {} },
    ...(o.withAuth ? { auth: createAuthService({ module: { file: "/t/auth.ts", exportName: "auth", auth: auth as never } }) } : {}),
  });
  cleanups.push(() => t.close());
  return t;
}

describe("/ui", () => {
  it("POST /ui/{graph} answers the snippet that loads the built files and renders the component", async () => {
    const { app } = await setup();
    const res = await app.inject({ method: "POST", url: "/ui/echo", payload: { name: "weather" }, headers: { host: "localhost:2024" } });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(res.body).toBe(
      [
        '<link rel="stylesheet" href="http://localhost:2024/ui/echo/entrypoint.css" />',
        `<script src="http://localhost:2024/ui/echo/entrypoint.js" onload='__LGUI_echo.render("weather", "{{shadowRootId}}")'></script>`,
      ].join("\n"),
    );
  });

  it("leaves the scheme to the page on hosts other than localhost, and keeps odd names inside the attribute", async () => {
    const { app } = await setup();
    const res = await app.inject({ method: "POST", url: "/ui/echo", payload: { name: "it's<b>" }, headers: { host: "example.test:8123" } });
    expect(res.body).toContain('href="//example.test:8123/ui/echo/entrypoint.css"');
    expect(res.body).toContain(`onload='__LGUI_echo.render("it&#39;s<b>", "{{shadowRootId}}")'`);
  });

  it("GET /ui/{graph}/{file} serves the built files with their content types", async () => {
    const { app } = await setup();
    const js = await app.inject({ method: "GET", url: "/ui/echo/entrypoint.js" });
    expect(js.statusCode).toBe(200);
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(js.body.startsWith("var __LGUI_echo = ")).toBe(true);
    const css = await app.inject({ method: "GET", url: "/ui/echo/entrypoint.css" });
    expect(css.headers["content-type"]).toBe("text/css; charset=utf-8");
    expect(css.body).toContain(".weather-card");
    const missing = await app.inject({ method: "GET", url: "/ui/echo/other.js" });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toBe("File not found");
    expect((await app.inject({ method: "GET", url: "/ui/nope/entrypoint.js" })).body).toBe("File not found");
  });

  it("an unknown graph is 404 with the official wording", async () => {
    const { app } = await setup();
    const res = await app.inject({ method: "POST", url: "/ui/nope", payload: { name: "weather" } });
    expect(res.statusCode).toBe(404);
    expect(res.body).toBe('UI not found for agent "nope"');
    // A graph without a UI, too.
    expect((await app.inject({ method: "POST", url: "/ui/ask", payload: { name: "weather" } })).body).toBe('UI not found for agent "ask"');
  });

  it("an assistant id finds its graph's UI (the SDK asks with stream.assistantId)", async () => {
    const { app } = await setup();
    const assistant = (await app.inject({ method: "POST", url: "/assistants", payload: { graph_id: "echo" } })).json();
    const res = await app.inject({ method: "POST", url: `/ui/${assistant.assistant_id}`, payload: { name: "weather" }, headers: { host: "localhost:1" } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('src="http://localhost:1/ui/echo/entrypoint.js"');
    expect(res.body).toContain("__LGUI_echo.render(");
  });

  it("the body must name the component", async () => {
    const { app } = await setup();
    const res = await app.inject({ method: "POST", url: "/ui/echo", payload: {} });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain("name");
  });

  it("POST is authenticated; the files are public (a <script src> sends no credentials)", async () => {
    const { app } = await setup({ withAuth: true });
    expect((await app.inject({ method: "POST", url: "/ui/echo", payload: { name: "weather" } })).statusCode).toBe(401);
    const ok = await app.inject({ method: "POST", url: "/ui/echo", payload: { name: "weather" }, headers: { authorization: "Bearer ok" } });
    expect(ok.statusCode).toBe(200);
    expect((await app.inject({ method: "GET", url: "/ui/echo/entrypoint.js" })).statusCode).toBe(200);
  });

  it("http.disable_ui removes the routes", async () => {
    const { app } = await setup({ disableUi: true });
    expect((await app.inject({ method: "POST", url: "/ui/echo", payload: { name: "weather" } })).statusCode).toBe(404);
    expect((await app.inject({ method: "GET", url: "/ui/echo/entrypoint.js" })).body).toBe("Not Found: GET /ui/echo/entrypoint.js");
  });
});
