/** Generative UI end to end: bin/lg-dev on test/fixtures/ui, the SDK's UI client, saves while it serves. */
import { Client } from "@langchain/langgraph-sdk";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFixture, startServer, type RunningServer } from "../helpers/spawn.js";
import { loadBundle, textOf } from "../ui/helpers.js";

const BOUND_MS = 10_000;

async function until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, boundMs = BOUND_MS): Promise<T> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const formatter = { "@acme/format": { formatCity: (c: string) => c.toUpperCase() } };

describe("generative UI (lg-dev with watching on)", () => {
  let server: RunningServer;
  let fixture: { dir: string; cleanup(): void };
  const file = (rel: string) => join(fixture.dir, rel);
  const script = async () => (await fetch(`${server.url}/ui/agent/entrypoint.js`)).text();
  const rendered = async () => {
    const loaded = loadBundle(await script(), "__LGUI_agent", "weather", formatter);
    return textOf(loaded.responded[0]!.component({ city: "Oslo" }));
  };
  const count = (re: RegExp) => server.output().split("\n").filter((l) => re.test(l)).length;

  beforeAll(async () => {
    fixture = copyFixture("ui");
    server = await startServer(fixture.dir, { args: ["--log-level", "debug"] });
    await until("the watcher to be ready", () => / for changes/.test(server.output()));
  });
  afterAll(async () => {
    const code = await server?.stop();
    fixture?.cleanup();
    expect(code).toBe(0);
  });

  it("the SDK's UI client gets the snippet naming the built files", async () => {
    const client = new Client({ apiUrl: server.url });
    const html = await client["~ui"].getComponent("agent", "weather");
    const origin = server.url.replace("127.0.0.1", "127.0.0.1");
    expect(html).toBe(
      [
        `<link rel="stylesheet" href="${origin}/ui/agent/entrypoint.css" />`,
        `<script src="${origin}/ui/agent/entrypoint.js" onload='__LGUI_agent.render("weather", "{{shadowRootId}}")'></script>`,
      ].join("\n"),
    );
    expect(await rendered()).toBe("sunnyWeather in OSLO");
    const unknown = await fetch(`${server.url}/ui/nope`, { method: "POST", body: JSON.stringify({ name: "weather" }), headers: { "content-type": "application/json" } });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe('UI not found for agent "nope"');
  });

  it("saving the UI file rebuilds it, without reloading the graphs", async () => {
    const graphReloads = count(/reloaded graph/);
    const path = file("src/agent/ui.tsx");
    writeFileSync(path, readFileSync(path, "utf8").replace("Weather in", "Forecast for"));
    await until("the rebuilt script", async () => (await rendered()) === "sunnyForecast for OSLO");
    expect(server.output()).toMatch(/rebuilt UI "agent" \(src\/agent\/ui\.tsx\) in \d+ ms/);
    expect(count(/reloaded graph/)).toBe(graphReloads);
  });

  it("saving a stylesheet rebuilds the CSS", async () => {
    const path = file("src/agent/styles.css");
    writeFileSync(path, readFileSync(path, "utf8").replace("rebeccapurple", "teal"));
    await until("the rebuilt stylesheet", async () => (await (await fetch(`${server.url}/ui/agent/entrypoint.css`)).text()).includes("teal"));
  });

  it("a file the UI imports rebuilds it too", async () => {
    const path = file("src/agent/badge.tsx");
    writeFileSync(path, readFileSync(path, "utf8").replace("{props.label}", "{props.label.toUpperCase()}"));
    await until("the rebuilt script", async () => (await rendered()) === "SUNNYForecast for OSLO");
  });

  it("a UI added to langgraph.json is built and served", async () => {
    const path = file("langgraph.json");
    const config = JSON.parse(readFileSync(path, "utf8"));
    config.ui.second = "./src/agent/ui.tsx";
    writeFileSync(path, JSON.stringify(config, null, 2));
    await until("the new UI in the log", () => /built UI "second" \(src\/agent\/ui\.tsx\) in \d+ ms/.test(server.output()));
    const html = await new Client({ apiUrl: server.url })["~ui"].getComponent("second", "weather");
    expect(html).toContain("/ui/second/entrypoint.js");
    expect(html).toContain("__LGUI_second.render(");
  });

  it("a build error is logged with file and line; the last good build is served until it is fixed", async () => {
    const path = file("src/agent/ui.tsx");
    const good = readFileSync(path, "utf8");
    writeFileSync(path, good.replace("</div>", "</dvi>"));
    await until("the failure in the log", () => /UI build failed for "agent" \(src\/agent\/ui\.tsx\); still serving the previous build:/.test(server.output()));
    expect(server.output()).toMatch(/src\/agent\/ui\.tsx:\d+:\d+:/);
    expect(await rendered()).toBe("SUNNYForecast for OSLO");
    expect((await fetch(`${server.url}/ok`)).status).toBe(200);
    writeFileSync(path, good.replace("Forecast for", "Outlook for"));
    await until("the fixed script", async () => (await rendered()) === "SUNNYOutlook for OSLO");
  });
});
