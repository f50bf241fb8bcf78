import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import type { TestCloud } from "./cloud";
import { horizontalOverflow, seriousA11yViolations, smallTargets, startBrowser, startConsoleServer, VIEWPORTS, type ConsoleServer } from "./console";

// Kept apart from console.ts because it registers vitest hooks and asserts, and bench/console.ts
// imports console.ts outside vitest.

/** Each case visits two screens in two languages with axe each time: generous on a shared 2-core machine. */
export const BROWSER_TEST_MS = 120_000;

export interface ConsoleSuite {
  readonly server: ConsoleServer;
  readonly browser: Browser;
}

/**
 * One console server and one Chromium for a describe block's cases: before them the server
 * starts (on the cloud `cloud` builds, such as the OTA test cloud, or a fresh test cloud), `seed`
 * fills that cloud, then the browser starts; after them both close. Read `server` and `browser`
 * inside a case, once the hooks have run.
 *
 * @example
 * const suite = consoleSuite({ seed: (cloud) => seedSite(cloud.database.db) });
 * it("…", async () => {
 *   const { browser, server } = suite;
 * });
 */
export function consoleSuite<C extends TestCloud = TestCloud>(options: { cloud?: () => Promise<C>; seed: (cloud: C) => Promise<void> }): ConsoleSuite {
  let server: ConsoleServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    const built = await options.cloud?.();
    server = await startConsoleServer({}, { cloud: built });
    // Without `options.cloud`, C is the default TestCloud: the one startConsoleServer built.
    await options.seed(built ?? (server.cloud as C));
    browser = await startBrowser();
  }, BROWSER_TEST_MS);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    get server() {
      if (!server) throw new Error("the console server is not started: read suite.server inside a case, not while declaring it");
      return server;
    },
    get browser() {
      if (!browser) throw new Error("the browser is not started: read suite.browser inside a case, not while declaring it");
      return browser;
    },
  };
}

/** Phone-sized checks every view must pass, wherever a test stops to look; `where` names the stop in a failure. */
export async function expectFits(page: Page, where: string): Promise<void> {
  expect(await horizontalOverflow(page), `${where}: horizontal overflow`).toBe(0);
  expect((await smallTargets(page)).join("; "), `${where}: small targets`).toBe("");
  expect(JSON.stringify(await seriousA11yViolations(page)), `${where}: axe`).toBe("[]");
}

/**
 * Runs `check` on each of the two screens in each language, switching with the console's own
 * language button; `screen` is e.g. "phone zh-CN". The page's viewport is put back after.
 */
export async function everyScreen(page: Page, check: (screen: string) => Promise<void>): Promise<void> {
  const before = page.viewportSize();
  for (const viewport of ["phone", "desktop"] as const) {
    await page.setViewportSize(VIEWPORTS[viewport]);
    for (let i = 0; i < 2; i++) {
      const lang = await page.evaluate(() => document.documentElement.lang);
      await check(`${viewport} ${lang}`);
      await page.locator("header .btn[lang]").click();
      await page.waitForFunction((before) => document.documentElement.lang !== before, lang);
    }
  }
  if (before) await page.setViewportSize(before);
}
