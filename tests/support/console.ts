import { serve, type ServerType } from "@hono/node-server";
import { createRequire } from "node:module";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Server } from "node:http";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { issueSignInLink, type SignInTarget } from "../../cloud/auth/sessions";
import { launchChromium } from "./browser";
import { testCloud, type TestCloud, type TestRoutingOptions } from "./cloud";

/** The two screens every console view is tried on: a phone and the community office's desktop. */
export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1366, height: 768 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;
export type ConsoleLocale = "zh-CN" | "en";

export interface ConsoleServer {
  cloud: TestCloud;
  /** http://127.0.0.1:<port> */
  url: string;
  /** Drops every open connection (the live streams among them) without stopping the server. */
  dropConnections(): void;
  close(): Promise<void>;
}

/**
 * The cloud app (fresh database, controllable clock set to now) served on a free port, for a
 * browser to open. No broker: incidents come from `cloud.feed` / `cloud.ingest` in the test.
 */
export async function startConsoleServer(routing: TestRoutingOptions = {}, options: { cloud?: TestCloud } = {}): Promise<ConsoleServer> {
  // `options.cloud`: one built already, such as the OTA test cloud (tests/support/ota.ts).
  const cloud = options.cloud ?? (await testCloud(routing));
  // The browser's clock is real; the cloud's follows it so "3 分钟前" means what it says.
  cloud.clock.now = Date.now();
  let server: ServerType;
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: cloud.app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port));
  });
  return {
    cloud,
    url: `http://127.0.0.1:${port}`,
    dropConnections: () => (server as Server).closeAllConnections(),
    async close() {
      (server as Server).closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await cloud.close();
    },
  };
}

/** One Chromium per test file; pages come from `openConsole`. */
export async function startBrowser(): Promise<Browser> {
  return launchChromium();
}

/**
 * A fresh browser context (own cookies) at a viewport and language, signed in through a real
 * one-time link as `who` (admin or one staff member), showing the console's home view.
 */
export async function openConsole(
  browser: Browser,
  server: ConsoleServer,
  options: { who: SignInTarget; viewport: ViewportName; locale: ConsoleLocale },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: VIEWPORTS[options.viewport], locale: options.locale === "en" ? "en-US" : "zh-CN" });
  await context.addInitScript((value) => {
    if (!localStorage.getItem("sw.locale")) localStorage.setItem("sw.locale", value);
  }, options.locale);
  const page = await context.newPage();
  await signIn(page, server, options.who);
  return { context, page };
}

/** Signs a page in by opening a freshly issued sign-in link, as a person would. */
export async function signIn(page: Page, server: ConsoleServer, who: SignInTarget): Promise<void> {
  const link = await issueSignInLink(server.cloud.database.db, who, "test", server.cloud.clock.now);
  await page.goto(`${server.url}/#/signin/${link.token}`);
  await page.locator(".live[data-live=live]").waitFor();
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** axe-core over the page as it is now; returns the serious and critical violations (WCAG 2.1 AA rules). */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")) }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** How many CSS pixels the page is wider than the screen (0 = no horizontal scrolling). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** Elements a finger must hit that are smaller than 44×44 px (WCAG 2.5.5), by their text. */
export async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>("button, a.btn, .nav a, input:not([type=checkbox]):not([type=radio]), select, textarea, summary")]
      .filter((el) => el.offsetParent !== null)
      .filter((el) => {
        const box = el.getBoundingClientRect();
        return box.height < 44 || box.width < 44;
      })
      .map((el) => `${el.tagName.toLowerCase()} "${(el.textContent ?? "").trim().slice(0, 30)}" ${Math.round(el.getBoundingClientRect().width)}×${Math.round(el.getBoundingClientRect().height)}`),
  );
}

/** Saves what the screen shows (docs/… for the README), making its folder if need be. */
export async function screenshot(page: Page, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: false });
}
