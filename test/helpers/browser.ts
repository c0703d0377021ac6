/**
 * The Studio's browser tests: Debian's Chromium driven by playwright-core (no browser download), one headless
 * browser per test file with a fresh profile in a temp dir, pages that record console errors, and a screenshot in
 * test-results/studio/ when a test fails. A missing Chromium fails the tests with how to install it.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { REPO_ROOT } from "./spawn.js";

export const CHROMIUM = process.env.LG_DEV_CHROMIUM ?? "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A page plus what it logged: console errors and uncaught exceptions. */
export interface StudioPage {
  page: Page;
  errors: string[];
}

export interface BrowserHandle {
  readonly context: BrowserContext;
  /** A new tab (its own sessionStorage: its own Authorization). */
  open(url?: string): Promise<StudioPage>;
}

export function chromiumMissingMessage(): string {
  return (
    `Chromium was not found at ${CHROMIUM}. The Studio's browser tests drive Debian's chromium through playwright-core ` +
    `(nothing is downloaded). Install it with: sudo apt-get update && sudo apt-get install -y chromium ` +
    `(.ci/run does this), or set LG_DEV_CHROMIUM to a Chromium binary.`
  );
}

/**
 * A browser for the enclosing test file: launched in beforeAll, its pages checked after each test (screenshot on
 * failure), closed with its profile dir in afterAll.
 */
export function useBrowser(options: { viewport?: { width: number; height: number } } = {}): BrowserHandle {
  let context: BrowserContext | undefined;
  let profile: string | undefined;
  let pages: StudioPage[] = [];
  // Without Chromium every test of the file fails with how to install it (rather than being skipped).
  const missing = !existsSync(CHROMIUM);
  beforeEach(() => {
    if (missing) throw new Error(chromiumMissingMessage());
  });
  beforeAll(async () => {
    if (missing) return;
    profile = mkdtempSync(join(tmpdir(), "lg-dev-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: options.viewport ?? { width: 1440, height: 900 },
    });
    // The persistent context opens one blank tab: close it, tests open their own.
    for (const p of context.pages()) await p.close();
  }, 30_000);
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === "fail") {
      const dir = join(REPO_ROOT, "test-results", "studio");
      mkdirSync(dir, { recursive: true });
      const name = ctx.task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 80);
      await Promise.all(pages.map((p, i) => p.page.screenshot({ path: join(dir, `${name}-${i}.png`), fullPage: true }).catch(() => undefined)));
    }
    await Promise.all(pages.map((p) => p.page.close().catch(() => undefined)));
    pages = [];
  });
  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (profile) rmSync(profile, { recursive: true, force: true });
  }, 30_000);
  return {
    get context() {
      return context!;
    },
    async open(url?: string) {
      const page = await context!.newPage();
      const entry: StudioPage = { page, errors: [] };
      page.on("console", (m: ConsoleMessage) => {
        if (m.type() === "error") entry.errors.push(m.text());
      });
      page.on("pageerror", (e) => entry.errors.push(`uncaught: ${e.message}`));
      pages.push(entry);
      if (url) await page.goto(url);
      return entry;
    },
  };
}
