/** UiBundles: the project's UIs, built in the background, rebuilt on change, reconfigured with langgraph.json. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { UiBundles } from "../../src/ui/bundles.js";
import { copyFixture } from "../helpers/spawn.js";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup() {
  const fixture = copyFixture("ui");
  cleanups.push(() => fixture.cleanup());
  const logged: string[] = [];
  const logger = createLogger("debug", { out: (line) => logged.push(line), err: (line) => logged.push(line) });
  const ui = new UiBundles({ projectDir: fixture.dir, logger });
  cleanups.push(() => ui.close());
  return { dir: fixture.dir, ui, logged };
}

const SETTINGS = { ui: { agent: "./src/agent/ui.tsx" }, shared: ["@acme/format"] };
const names = async (ui: UiBundles, name: string) => (await ui.files(name))?.map((f) => f.basename).sort();

describe("UiBundles", () => {
  it("a request for a UI waits for its build in progress", async () => {
    const { ui } = setup();
    void ui.configure(SETTINGS);
    expect(await names(ui, "agent")).toEqual(["entrypoint.css", "entrypoint.js"]);
    expect(await ui.files("other")).toBeUndefined();
  });

  it("builds in a worker thread, unaffected by the main thread stopping its esbuild (as the graphs' loader does)", async () => {
    const { dir, ui } = setup();
    const building = ui.configure(SETTINGS);
    // A build in flight on this thread's esbuild would never be answered after this.
    await esbuild.stop();
    expect((await building).map((r) => r.ok)).toEqual([true]);
    await esbuild.stop();
    const [again] = await ui.rebuild([join(dir, "src", "agent", "styles.css")]);
    expect(again!.ok).toBe(true);
    expect(await names(ui, "agent")).toEqual(["entrypoint.css", "entrypoint.js"]);
  });

  it("rebuilds only the UIs that read a changed file", async () => {
    const { dir, ui } = setup();
    await ui.configure({ ui: { agent: "./src/agent/ui.tsx", badge: "./src/agent/badge.tsx" }, shared: ["@acme/format"] });
    const css = join(dir, "src", "agent", "styles.css");
    expect((await ui.rebuild([css])).map((r) => r.name)).toEqual(["agent"]);
    expect((await ui.rebuild([join(dir, "src", "agent", "badge.tsx")])).map((r) => r.name).sort()).toEqual(["agent", "badge"]);
    expect(await ui.rebuild([join(dir, "src", "agent", "graph.ts")])).toEqual([]);
  });

  it("a failed rebuild keeps serving the last good build, and says so", async () => {
    const { dir, ui, logged } = setup();
    await ui.configure(SETTINGS);
    const before = await ui.files("agent");
    const entry = join(dir, "src", "agent", "ui.tsx");
    writeFileSync(entry, "export default {");
    const [result] = await ui.rebuild([entry]);
    expect(result!.ok).toBe(false);
    expect(await ui.files("agent")).toBe(before);
    expect(logged.join("")).toMatch(/UI build failed for "agent" \(src\/agent\/ui\.tsx\); still serving the previous build:\n {2}✘ \[ERROR\]/);
  });

  it("follows langgraph.json: added, changed and removed entries", async () => {
    const { ui, logged } = setup();
    await ui.configure(SETTINGS);
    await ui.configure({ ui: { agent: "./src/agent/ui.tsx", second: "./src/agent/ui.tsx" }, shared: ["@acme/format"] });
    expect(ui.names().sort()).toEqual(["agent", "second"]);
    expect(new TextDecoder().decode((await ui.files("second"))!.find((f) => f.basename === "entrypoint.js")!.contents)).toMatch(/^var __LGUI_second = /);
    await ui.configure({ ui: { second: "./src/agent/ui.tsx" } });
    expect(ui.names()).toEqual(["second"]);
    expect(await ui.files("agent")).toBeUndefined();
    // `shared` changed: "second" was rebuilt without the shared package, which then has to resolve (and does not).
    expect(logged.join("")).toMatch(/UI build failed for "second"[^\n]*:\n[^]*Could not resolve "@acme\/format"/);
    await ui.configure({ ui: { outside: "../elsewhere/ui.tsx" } });
    expect(logged.join("")).toMatch(/UI "outside" in langgraph\.json: UI path must be inside the project folder/);
    expect(ui.names()).toEqual([]);
  });

  it("owns stylesheets and UI entry files, not graph code", async () => {
    const { dir, ui } = setup();
    await ui.configure(SETTINGS);
    expect(ui.ownsOnly(join(dir, "src", "agent", "styles.css"))).toBe(true);
    expect(ui.ownsOnly(join(dir, "src", "agent", "ui.tsx"))).toBe(true);
    expect(ui.ownsOnly(join(dir, "src", "agent", "badge.tsx"))).toBe(false);
    expect(ui.ownsOnly(join(dir, "src", "agent", "graph.ts"))).toBe(false);
  });
});
