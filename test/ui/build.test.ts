/** Bundling generative UI entries: what the SDK's loader needs from the built files. */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createUiBuilder, resolveUiEntry, uiGlobalName, type UiBuilder, type UiFile } from "../../src/ui/build.js";
import { copyFixture } from "../helpers/spawn.js";
import { loadBundle, textOf, type Element } from "./helpers.js";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function project() {
  const fixture = copyFixture("ui");
  cleanups.push(() => fixture.cleanup());
  return fixture.dir;
}

function builder(dir: string, name = "agent", path = "./src/agent/ui.tsx", shared = ["@acme/format"]): UiBuilder {
  const b = createUiBuilder({ name, path, projectDir: dir, shared });
  cleanups.push(() => b.dispose());
  return b;
}

const text = (files: UiFile[], basename: string) => new TextDecoder().decode(files.find((f) => f.basename === basename)!.contents);
const formatter = { "@acme/format": { formatCity: (c: string) => c.toUpperCase() } };

describe("UI bundles", () => {
  it("builds entrypoint.js and entrypoint.css, and reports the files it read", async () => {
    const dir = project();
    const result = await builder(dir).build();
    if (!result.ok) throw new Error(result.message);
    expect(result.files.map((f) => f.basename).sort()).toEqual(["entrypoint.css", "entrypoint.js"]);
    expect(text(result.files, "entrypoint.css")).toContain(".weather-card");
    expect(text(result.files, "entrypoint.css")).toContain("rebeccapurple");
    expect(result.inputs.sort()).toEqual(["badge.tsx", "styles.css", "ui.tsx"].map((f) => join(dir, "src", "agent", f)));
  });

  it("the script renders the named component through the SDK loader's globals, with React and shared packages external", async () => {
    const dir = project();
    const result = await builder(dir).build();
    if (!result.ok) throw new Error(result.message);
    const js = text(result.files, "entrypoint.js");
    // esbuild's require shim asks the SDK's loader, not a CommonJS require.
    expect(js).toContain('globalThis[Symbol.for("LGUI_REQUIRE")]');
    expect(js).not.toMatch(/typeof require !== "undefined" \? require/);
    const loaded = loadBundle(js, "__LGUI_agent", "weather", formatter);
    expect(new Set(loaded.required)).toEqual(new Set(["react/jsx-runtime", "@langchain/langgraph-sdk/react-ui", "@acme/format"]));
    expect(loaded.responded).toHaveLength(1);
    expect(loaded.responded[0]!.shadowRootId).toBe("shadow-1");
    // The element handed to the store is the one appended to the message's shadow root.
    expect(loaded.appended).toEqual([loaded.responded[0]!.target]);
    const tree = loaded.responded[0]!.component({ city: "Paris" });
    expect(tree.props.className).toBe("weather-card");
    expect(tree.props["data-thread"]).toBe("thread-meta");
    expect(textOf(tree)).toBe("sunnyWeather in PARIS");
  });

  it("names the global after the UI, as the snippet's onload calls it", async () => {
    const dir = project();
    const result = await builder(dir, "my-agent.v2").build();
    if (!result.ok) throw new Error(result.message);
    expect(uiGlobalName("my-agent.v2")).toBe("__LGUI_my_agent_v2");
    expect(text(result.files, "entrypoint.js").startsWith("var __LGUI_my_agent_v2 = ")).toBe(true);
    expect(loadBundle(text(result.files, "entrypoint.js"), "__LGUI_my_agent_v2", "weather", formatter).responded).toHaveLength(1);
  });

  it("without ui_config.shared, a package the page does not provide is bundled (and must resolve)", async () => {
    const dir = project();
    const result = await builder(dir, "agent", "./src/agent/ui.tsx", []).build();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain('Could not resolve "@acme/format"');
    expect(result.message).toMatch(/src\/agent\/ui\.tsx:4:\d+/);
  });

  it("a syntax error is reported with file, line and the offending code; fixing it builds again", async () => {
    const dir = project();
    const b = builder(dir);
    expect((await b.build()).ok).toBe(true);
    const file = join(dir, "src", "agent", "badge.tsx");
    writeFileSync(file, "export function Badge(props: { label: string }) {\n  return <span className=\"badge\">{props.label}</span\n}\n");
    const failed = await b.build();
    expect(failed.ok).toBe(false);
    if (failed.ok) return;
    expect(failed.message).toMatch(/\[ERROR\] Expected ">" but found "}"\s+src\/agent\/badge\.tsx:3:0:\s+3 │ }/);
    expect(failed.inputs).toContain(file);
    writeFileSync(file, 'export function Badge(props: { label: string }) {\n  return <b className="badge">{props.label}</b>;\n}\n');
    const fixed = await b.build();
    if (!fixed.ok) throw new Error(fixed.message);
    const tree = loadBundle(text(fixed.files, "entrypoint.js"), "__LGUI_agent", "weather", formatter).responded[0]!.component({ city: "x" });
    const badge = (tree.props.children as Element[])[0]!;
    expect((badge.type as (p: unknown) => Element)(badge.props).type).toBe("b");
  });

  it("an entry outside the project is refused", () => {
    expect(() => resolveUiEntry("/p/project", "../other/ui.tsx")).toThrow(/must be inside the project folder/);
    expect(resolveUiEntry("/p/project", "src/ui.tsx")).toEqual({ file: "/p/project/src/ui.tsx", specifier: "./src/ui.tsx" });
  });

  it("a stylesheet that needs Tailwind, in a project without it, says what to install", async () => {
    const dir = project();
    writeFileSync(join(dir, "src", "agent", "styles.css"), '@import "tailwindcss";\n.weather-card { @apply flex; }\n');
    const result = await builder(dir).build();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain("src/agent/styles.css");
    expect(result.message).toContain("npm install -D @tailwindcss/postcss postcss");
  });
});

// Tailwind itself is not a dependency of lg-dev: this runs where a copy of the official server (which depends on
// it) is installed, as LangGraph projects have it.
const OFFICIAL_MODULES = "/tmp/official/node_modules";
describe.skipIf(!existsSync(join(OFFICIAL_MODULES, "@tailwindcss", "postcss")))("UI bundles with the project's Tailwind CSS", () => {
  it("runs stylesheets through Tailwind, scanning the project for class names", async () => {
    const { mkdtempSync, rmSync, cpSync, symlinkSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "lg-dev-ui-tailwind-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(join(__dirname, "..", "fixtures", "ui"), dir, { recursive: true });
    symlinkSync(OFFICIAL_MODULES, join(dir, "node_modules"), "dir");
    writeFileSync(join(dir, "src", "agent", "styles.css"), '@import "tailwindcss";\n.weather-card { @apply flex p-2; }\n');
    writeFileSync(join(dir, "src", "agent", "badge.tsx"), 'export const Badge = (p: { label: string }) => <span className="text-red-500">{p.label}</span>;\n');
    const result = await builder(dir).build();
    if (!result.ok) throw new Error(result.message);
    const css = text(result.files, "entrypoint.css");
    expect(css).toContain(".text-red-500");
    expect(css).toMatch(/\.weather-card\s*\{[^}]*display:\s*flex/);
  }, 30_000);
});
