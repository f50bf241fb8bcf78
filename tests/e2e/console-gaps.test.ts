import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { horizontalOverflow, openConsole, seriousA11yViolations, smallTargets, startBrowser, startConsoleServer, type ConsoleServer } from "../support/console";
import { nodeAlarm, placeNode, seedSite, seedTeam } from "../support/site";

/**
 * The admin's view of rounds that reached nobody, in Chromium on a phone: each gap in words with
 * what each person lacked, the incident a tap away, and "done" once mended.
 */
describe("console: alarms that reached nobody (Chromium)", () => {
  let server: ConsoleServer;
  let browser: Browser;

  beforeAll(async () => {
    // No SMS provider, nobody subscribed, nobody at a console: the fire's rounds reach nobody.
    server = await startConsoleServer({ config: { maxEscalations: 1 } });
    await seedSite(server.cloud.database.db);
    await placeNode(server.cloud.database.db, "smoke-b1-301", "fl-1-3");
    await seedTeam(server.cloud);
    await nodeAlarm(server.cloud, "smoke-b1-301");
    await server.cloud.settle();
    browser = await startBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("lists each gap with its people's reasons, fits a phone, and marks one done", async () => {
    const open = ((await (await server.cloud.get("/api/routing-gaps")).json()) as { open: number }).open;
    expect(open).toBe(2);
    const { page } = await openConsole(browser, server, { who: { role: "admin", name: "社区管理员" }, viewport: "phone", locale: "zh-CN" });
    await page.locator(".nav a[href='#/routing-gaps']").click();
    await page.locator("#gaps-title").getByText("无人接收的告警").waitFor();
    await page.getByText("有人值班，但没有一种方式能联系到他们。").first().waitFor();
    await page.getByText("Property CP1：当时没有打开控制台，没有开启浏览器通知，未开通短信").waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    expect((await smallTargets(page)).join("; ")).toBe("");
    expect(JSON.stringify(await seriousA11yViolations(page))).toBe("[]");
    await page.locator("[data-action=mend]").first().click();
    await page.waitForFunction(() => document.querySelectorAll("[data-gap]").length === 1);
    expect(((await (await server.cloud.get("/api/routing-gaps")).json()) as { open: number }).open).toBe(1);
  });
});
