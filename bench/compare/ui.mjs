#!/usr/bin/env node
// Generative UI side by side: the official `langgraphjs dev` and lg-dev serve test/fixtures/ui (a React component
// with a stylesheet, a local import, the SDK's react-ui and a `ui_config.shared` package); the same requests go to
// both and the answers are compared, each bundle is run the way the SDK's LoadExternalComponent runs it, and the
// time from saving the component to serving the rebuilt script is measured on each.
//
//   npm run build && node bench/compare/ui.mjs [--saves 5]
import { cpSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runInNewContext } from "node:vm";
import { ensureOfficial } from "../lib/official.mjs";
import { cleanupAll, sleep, tempDir } from "../lib/proc.mjs";
import { lgDev, official, REPO_ROOT } from "../lib/servers.mjs";
import { cell, table } from "./lib.mjs";

const args = process.argv.slice(2);
const SAVES = Number(args[args.indexOf("--saves") + 1] || 5);
const FIXTURE = join(REPO_ROOT, "test", "fixtures", "ui");

function project(server) {
  const tmp = tempDir(`lg-compare-ui-${server.name}-`);
  cpSync(FIXTURE, tmp.dir, { recursive: true });
  symlinkSync(server.nodeModules, join(tmp.dir, "node_modules"), "dir");
  return tmp;
}

/** Run a bundle as the SDK's loader does (its globals, a stand-in React) and render component `name`. */
function render(js, globalName, name, props) {
  const required = [];
  const responded = [];
  const jsx = (type, p) => ({ type, props: p });
  const modules = {
    "react/jsx-runtime": { jsx, jsxs: jsx, Fragment: "Fragment" },
    react: { createElement: jsx },
    "@langchain/langgraph-sdk/react-ui": { useStreamContext: () => ({ meta: "m" }) },
    "@acme/format": { formatCity: (c) => c.toUpperCase() },
  };
  const sandbox = {
    document: { getElementById: () => ({ shadowRoot: { appendChild() {} } }), createElement: () => ({}) },
    [Symbol.for("LGUI_REQUIRE")]: (m) => (required.push(m), modules[m]),
    [Symbol.for("LGUI_EXT_STORE")]: { respond: (_id, component) => responded.push(component) },
  };
  sandbox.window = sandbox;
  runInNewContext(`${js}\n;${globalName}.render(${JSON.stringify(name)}, "shadow-1");`, sandbox);
  const text = (node) => {
    if (node == null || typeof node === "boolean") return "";
    if (typeof node !== "object") return String(node);
    if (Array.isArray(node)) return node.map(text).join("");
    return typeof node.type === "function" ? text(node.type(node.props)) : text(node.props?.children);
  };
  return { text: text(responded[0]?.(props)), required: [...new Set(required)].sort().join(" ") };
}

async function probe(url) {
  const post = (agent, body) => fetch(`${url}/ui/${agent}`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
  const out = {};
  const snippet = await post("agent", { name: "weather" });
  out.snippet = `${snippet.status} ${snippet.headers.get("content-type")} ${cell(await snippet.text(), 400)}`;
  const js = await fetch(`${url}/ui/agent/entrypoint.js`);
  const jsText = await js.text();
  out.jsType = `${js.status} ${js.headers.get("content-type")} cache-control:${js.headers.get("cache-control") ?? "-"}`;
  const rendered = render(jsText, "__LGUI_agent", "weather", { city: "Oslo" });
  out.rendered = rendered.text;
  out.required = rendered.required;
  out.jsSize = `${jsText.length} bytes`;
  const css = await fetch(`${url}/ui/agent/entrypoint.css`);
  out.css = `${css.status} ${css.headers.get("content-type")} ${cell((await css.text()).replace(/\/\*[^]*?\*\//g, ""), 200)}`;
  const unknown = await post("nope", { name: "weather" });
  out.unknown = `${unknown.status} ${await unknown.text()}`;
  const missing = await fetch(`${url}/ui/agent/nope.js`);
  out.missingFile = `${missing.status} ${await missing.text()}`;
  const noName = await post("agent", {});
  out.noName = `${noName.status} ${cell(await noName.text(), 80)}`;
  const assistant = await (await fetch(`${url}/assistants`, { method: "POST", body: JSON.stringify({ graph_id: "agent" }), headers: { "content-type": "application/json" } })).json();
  const byId = await post(assistant.assistant_id, { name: "weather" });
  out.byAssistantId = `${byId.status} ${cell(await byId.text(), 60)}`;
  return out;
}

/** Save the component `saves` times; ms from each save until the served script renders the new text. */
async function rebuildTimes(url, dir, saves) {
  const file = join(dir, "src", "agent", "ui.tsx");
  const original = readFileSync(file, "utf8");
  const times = [];
  for (let i = 0; i < saves; i++) {
    const word = `Forecast${i}`;
    const saved = performance.now();
    writeFileSync(file, original.replace("Weather in", `${word} in`));
    for (;;) {
      const js = await (await fetch(`${url}/ui/agent/entrypoint.js`)).text();
      if (js.includes(word)) break;
      if (performance.now() - saved > 20_000) throw new Error(`no rebuild after 20 s (${url})`);
      await sleep(10);
    }
    times.push(performance.now() - saved);
    await sleep(300);
  }
  times.sort((a, b) => a - b);
  return times;
}

async function main() {
  const found = await ensureOfficial();
  if (found.error) throw new Error(found.error);
  const results = {};
  for (const server of [official(found.dir), lgDev()]) {
    const tmp = project(server);
    const running = await server.start({ projectDir: tmp.dir, reload: true });
    try {
      // The official server builds in the background too: wait until its script is there.
      for (let i = 0; i < 200 && (await fetch(`${running.url}/ui/agent/entrypoint.js`)).status !== 200; i++) await sleep(50);
      results[server.name] = { ...(await probe(running.url)), rebuild: await rebuildTimes(running.url, tmp.dir, SAVES) };
    } finally {
      await running.stop();
      tmp.remove();
    }
  }
  const keys = ["snippet", "jsType", "rendered", "required", "jsSize", "css", "unknown", "missingFile", "noName", "byAssistantId"];
  console.log("\n## Generative UI: test/fixtures/ui on both servers\n");
  console.log(table(["", "official", "lg-dev", ""], keys.map((k) => [k, results.official[k], results["lg-dev"][k], results.official[k] === results["lg-dev"][k] ? "same" : "differs"])));
  const fmt = (t) => `median ${t[Math.floor(t.length / 2)].toFixed(0)} ms (min ${t[0].toFixed(0)}, max ${t.at(-1).toFixed(0)})`;
  console.log(`\n## Save of ui.tsx -> rebuilt script served (${SAVES} saves)\n`);
  console.log(table(["server", "time"], Object.entries(results).map(([name, r]) => [name, fmt(r.rebuild)])));
}

try {
  await main();
} finally {
  cleanupAll();
}
