// The local Studio's speed: what the browser downloads (JS + CSS, gzipped and brotli), how long from opening the
// page to the graph and the thread list on screen (cold and warm cache, with 10 and 10,000 threads), and how soon a
// streamed token is on screen after its bytes reach the page. Debian's chromium through playwright-core, headless.
// Also takes docs/studio.png. Usage: npm run build && node bench/studio.mjs [--no-screenshot]
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@langchain/langgraph-sdk";
import { chromium } from "playwright-core";
import { cleanupAll, freePort, machineInfo, spawnGroup, tempDir } from "./lib/proc.mjs";
import { median, percentile, round } from "./lib/stats.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const STUDIO = join(ROOT, "dist", "studio");
const CHROMIUM = process.env.LG_DEV_CHROMIUM ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const log = (...a) => console.error(...a);
const screenshot = !process.argv.includes("--no-screenshot");

if (!existsSync(join(STUDIO, "index.html"))) throw new Error("dist/studio is missing: run `npm run build` first");
if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set LG_DEV_CHROMIUM)`);

/** JS and CSS the page loads, as served: raw, gzip and brotli bytes. */
function bundleSize() {
  const html = readFileSync(join(STUDIO, "index.html"), "utf8");
  const assets = [...html.matchAll(/(?:src|href)="\/studio\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
  const size = (f) => (existsSync(f) ? statSync(f).size : 0);
  const files = assets.map((a) => ({ file: a, raw: size(join(STUDIO, a)), gzip: size(join(STUDIO, `${a}.gz`)), brotli: size(join(STUDIO, `${a}.br`)) }));
  const sum = (k) => files.reduce((n, f) => n + f[k], 0);
  return { files, raw: sum("raw"), gzip: sum("gzip"), brotli: sum("brotli") };
}

/** Serve a temp copy of the Studio test fixture with lg-dev; returns { url, stop }. */
async function serveFixture() {
  const tmp = tempDir("lg-dev-bench-studio-");
  cpSync(join(ROOT, "test", "fixtures", "studio"), tmp.dir, { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(tmp.dir, "node_modules"), "dir");
  const port = await freePort();
  const proc = spawnGroup(process.execPath, [join(ROOT, "bin", "lg-dev.js"), "--config", tmp.dir, "--port", String(port), "--no-browser", "--no-reload", "--no-persist"], {
    cwd: tmp.dir,
    env: { ...process.env, BROWSER: "none" },
    logFile: join(tmp.dir, "server.log"),
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i += 1) {
    try {
      if ((await fetch(`${url}/ok`)).ok) break;
    } catch {
      /* not yet */
    }
    if (i > 600) throw new Error(`lg-dev did not start:\n${proc.log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, stop: async () => (await proc.stop(), tmp.remove()) };
}

/** A headless Chromium with a fresh profile (so a cold cache). */
async function browser() {
  const profile = mkdtempSync(join(tmpdir(), "lg-dev-bench-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1440, height: 900 } });
  for (const p of context.pages()) await p.close();
  return { context, close: async () => (await context.close(), rmSync(profile, { recursive: true, force: true })) };
}

// In the page, from navigation start: when a node of the Graph region and the thread list's count are both shown.
const READY_PROBE = () => {
  const check = () => {
    const graph = document.querySelector('section[aria-label="Graph"] .graph-node');
    const list = [...document.querySelectorAll('aside [role="status"], aside .muted')].some((e) => /of [\d,]+ threads/.test(e.textContent ?? ""));
    if (graph && list && window.__ready === undefined) window.__ready = performance.now();
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true });
};

async function timeToReady(context, url) {
  const page = await context.newPage();
  await page.addInitScript(READY_PROBE);
  await page.goto(url);
  await page.waitForFunction(() => window.__ready !== undefined, null, { timeout: 30_000 });
  const ms = await page.evaluate(() => window.__ready);
  await page.close();
  return ms;
}

/** Cold loads (each in a fresh browser profile) and warm loads (same profile, cached assets). */
async function firstPaint(url, { cold = 3, warm = 5 } = {}) {
  const coldMs = [];
  for (let i = 0; i < cold; i += 1) {
    const b = await browser();
    coldMs.push(await timeToReady(b.context, url));
    await b.close();
  }
  const b = await browser();
  await timeToReady(b.context, url); // fills the cache
  const warmMs = [];
  for (let i = 0; i < warm; i += 1) warmMs.push(await timeToReady(b.context, url));
  await b.close();
  return { cold_ms: round(median(coldMs), 0), cold_samples: coldMs.map((x) => round(x, 0)), warm_ms: round(median(warmMs), 0), warm_samples: warmMs.map((x) => round(x, 0)) };
}

// In the page: when each `wordN` token's bytes reach the page's fetch, and when it is first in the Messages region.
const TOKEN_PROBE = () => {
  window.__arrive = {};
  window.__shown = {};
  const original = window.fetch.bind(window);
  window.fetch = async (...args) => {
    const response = await original(...args);
    const target = String(args[0] instanceof Request ? args[0].url : args[0]);
    if (!/\/runs\/stream/.test(target) || !response.body) return response;
    const [mine, theirs] = response.body.tee();
    (async () => {
      const reader = mine.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        const now = performance.now();
        for (const m of decoder.decode(value, { stream: true }).matchAll(/word(\d+) /g)) window.__arrive[m[1]] ??= now;
      }
    })();
    return new Response(theirs, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  new MutationObserver(() => {
    const region = document.querySelector('section[aria-label="Messages"]');
    if (!region) return;
    const now = performance.now();
    for (const m of (region.textContent ?? "").matchAll(/word(\d+) /g)) window.__shown[m[1]] ??= now;
  }).observe(document, { subtree: true, childList: true, characterData: true });
};

async function tokenLatency(url) {
  const b = await browser();
  const page = await b.context.newPage();
  await page.addInitScript(TOKEN_PROBE);
  await page.goto(`${url}/studio/?assistant=agent`);
  await page.getByRole("textbox", { name: "Message" }).fill("slow please");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => Object.keys(window.__shown).length >= 120, null, { timeout: 30_000 });
  const { arrive, shown } = await page.evaluate(() => ({ arrive: window.__arrive, shown: window.__shown }));
  await page.getByRole("button", { name: "Stop" }).click();
  await b.close();
  const lat = Object.keys(arrive)
    .filter((k) => shown[k] !== undefined)
    .map((k) => shown[k] - arrive[k]);
  return { tokens: lat.length, p50_ms: round(percentile(lat, 50), 1), p95_ms: round(percentile(lat, 95), 1), max_ms: round(Math.max(...lat), 1) };
}

async function takeScreenshot(url) {
  const b = await browser();
  const page = await b.context.newPage();
  await page.goto(`${url}/studio/?assistant=agent`);
  const box = page.getByRole("textbox", { name: "Message" });
  await box.fill("What is the weather in Paris?");
  await box.press("Enter");
  await page.getByRole("region", { name: "Messages" }).getByText("The weather is sunny in Paris.").waitFor({ timeout: 15_000 });
  await box.fill("Thanks! Plan a picnic");
  await box.press("Enter");
  await page.getByRole("region", { name: "Messages" }).getByText("You said: Thanks! Plan a picnic").waitFor({ timeout: 15_000 });
  await page.getByRole("region", { name: "Graph" }).getByRole("button", { name: "tools", exact: true }).click();
  await page.waitForTimeout(400);
  mkdirSync(join(ROOT, "docs"), { recursive: true });
  await page.screenshot({ path: join(ROOT, "docs", "studio.png") });
  await b.close();
}

/** Many threads at once (16 in flight), to see the list stay fast. */
async function seedThreads(url, n) {
  const client = new Client({ apiUrl: url, callerOptions: { maxRetries: 0 } });
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < n) {
      next += 1;
      await client.threads.create({ metadata: { seeded: true } });
    }
  }));
}

const results = { date: new Date().toISOString(), machine: machineInfo(), chromium: CHROMIUM };
const server = await serveFixture();
try {
  results.bundle = bundleSize();
  log(`bundle: ${results.bundle.gzip} B gzip, ${results.bundle.brotli} B brotli (${results.bundle.raw} B raw)`);
  const page = `${server.url}/studio/?assistant=agent`;
  await seedThreads(server.url, 10);
  results.first_paint_10 = await firstPaint(page);
  log("first paint, 10 threads:", results.first_paint_10);
  await seedThreads(server.url, 9_990);
  results.first_paint_10000 = await firstPaint(page);
  log("first paint, 10,000 threads:", results.first_paint_10000);
  results.tokens = await tokenLatency(server.url);
  log("token render latency:", results.tokens);
  if (screenshot) await takeScreenshot(server.url);
} finally {
  await server.stop();
  cleanupAll();
}

const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
const rows = [
  ["JS + CSS, gzip (brotli served)", `${kb(results.bundle.gzip)} (${kb(results.bundle.brotli)})`, "≤ 400 KB gzip", results.bundle.gzip <= 400 * 1024 ? "PASS" : "FAIL"],
  ["open → graph + thread list, 10 threads, cold / warm cache (median ms)", `${results.first_paint_10.cold_ms} / ${results.first_paint_10.warm_ms}`, "≤ 1,000 ms", results.first_paint_10.cold_ms <= 1000 ? "PASS" : "FAIL"],
  ["… with 10,000 threads, cold / warm (median ms)", `${results.first_paint_10000.cold_ms} / ${results.first_paint_10000.warm_ms}`, "≤ 1,000 ms", results.first_paint_10000.cold_ms <= 1000 ? "PASS" : "FAIL"],
  ["streamed token: bytes in the page → on screen, p50 / p95 / max (ms)", `${results.tokens.p50_ms} / ${results.tokens.p95_ms} / ${results.tokens.max_ms} (${results.tokens.tokens} tokens)`, "", ""],
];
console.log("| Studio | measured | target | result |\n| --- | --- | --- | --- |");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
writeFileSync(join(ROOT, "bench", "results", "studio.json"), JSON.stringify(results, null, 2));
