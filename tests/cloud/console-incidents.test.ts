import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { horizontalOverflow, openConsole, screenshot, seriousA11yViolations, smallTargets, startBrowser, startConsoleServer, type ConsoleServer } from "../support/console";
import { addStaff, nodeAlarm, placeNode, seedSite } from "../support/site";

/** Phone-sized checks every view must pass, wherever a test stops to look. */
async function fits(page: Page): Promise<void> {
  expect(await horizontalOverflow(page)).toBe(0);
  expect((await smallTargets(page)).join("; ")).toBe("");
  expect(JSON.stringify(await seriousA11yViolations(page))).toBe("[]");
}

describe("console incidents: list, places, detail and the whole loop by clicking (Chromium)", () => {
  let server: ConsoleServer;
  let browser: Browser;
  let grid: { id: number };
  let property: { id: number };
  let lead2: { id: number };

  beforeAll(async () => {
    server = await startConsoleServer({ config: { recheckAfterMs: 60_000 } });
    const db = server.cloud.database.db;
    await seedSite(db);
    await placeNode(db, "smoke-b1-301", "fl-1-3");
    grid = await addStaff(server.cloud, { name: "王网格", role: "grid-worker", scopes: ["cm-1"] });
    property = await addStaff(server.cloud, { name: "李物业", role: "property-staff", scopes: ["cp-1"] });
    lead2 = await addStaff(server.cloud, { name: "赵楼长", role: "building-lead", scopes: ["bd-2"] });
    await nodeAlarm(server.cloud, "smoke-b1-301", { severity: "urgent", value: 1011, threshold: 710, evidence: [300, 320, 410, 560, 720, 880, 1011] });
    await nodeAlarm(server.cloud, "smoke-b1-301", { severity: "urgent", value: 1180, threshold: 710, t: 9000 });
    await server.cloud.settle();
    browser = await startBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("a grid worker on a phone, in Chinese, takes a fire from open to re-checked by clicking", async () => {
    const { context, page } = await openConsole(browser, server, { who: { role: "staff", staffId: grid.id }, viewport: "phone", locale: "zh-CN" });
    const card = page.locator("[data-incident]").first();
    await card.getByText("火警").waitFor();
    await card.getByText("紧急").waitFor();
    // The place tree counts the open incident at every level down to the building.
    for (const place of ["cm-1", "cp-1", "bd-1"]) await page.locator(`[data-place=${place}]`).getByText("1 件待处理").waitFor();
    await page.locator("[data-place=bd-2]").getByText("无待处理").waitFor();
    await fits(page);
    // Choosing a building with nothing open filters the list to nothing; choosing bd-1 shows the fire.
    await page.locator("[data-place=bd-2]").click();
    await page.getByText("现在没有事件").waitFor();
    await page.locator("[data-place=bd-1]").click();
    await card.click();

    await page.locator("[data-place-path]").getByText("Heping Community › No. 3 Compound › Building 1 › Floor 3").waitFor();
    // The newest reading (1180 of 710), in words: never the node's "raw" counts.
    await page.locator("[data-latest-reading]").getByText("最新情况：烟雾浓度为报警线的 166%").waitFor();
    expect(await page.locator("[data-latest-reading]").innerText()).not.toMatch(/raw|1180/);
    expect(await page.locator("svg.trace polyline").count()).toBe(1);
    await page.getByText("已通知").first().waitFor();
    await fits(page);
    await screenshot(page, "docs/console-phone.png");

    await page.locator("[data-action=ack]").click();
    await page.getByRole("dialog").getByRole("button", { name: "确认收到" }).click();
    await page.locator(".status", { hasText: "已确认" }).waitFor();

    await page.locator("[data-action=dispatch]").click();
    const dialog = page.getByRole("dialog");
    // Only people responsible for this place are offered: not the lead of building 2.
    expect(await dialog.getByText("赵楼长").count()).toBe(0);
    await dialog.getByText("李物业").click();
    await fits(page);
    await dialog.getByRole("button", { name: "派人处理" }).click();
    await page.locator(".status", { hasText: "已派人" }).waitFor();
    await page.getByText("已派人 · 王网格：李物业").waitFor();

    await page.locator("[data-action=resolve]").click();
    // The note is required: an empty one keeps the dialog open.
    await page.getByRole("dialog").getByRole("button", { name: "已整改" }).click();
    expect(await page.getByRole("dialog").isVisible()).toBe(true);
    await page.getByRole("dialog").getByLabel("怎么整改的（必填）").fill("厨房油锅起火已扑灭，灭火器已用");
    await page.getByRole("dialog").getByRole("button", { name: "已整改" }).click();
    await page.locator(".status", { hasText: "已整改" }).waitFor();

    await page.locator("[data-action=recheck-ok]").click();
    await page.getByRole("dialog").getByRole("button", { name: "复查：已消除" }).click();
    await page.locator(".status", { hasText: "已复查" }).waitFor();
    await page.getByText("这件事已经处理完了").waitFor();
    await fits(page);
    await context.close();
  });

  it("the admin on the office screen, in English, sees the same incident's story and downloads its CAP", async () => {
    const { context, page } = await openConsole(browser, server, { who: { role: "admin", name: "Office" }, viewport: "desktop", locale: "en" });
    await page.locator("[data-incident]").first().click();
    await page.getByText("Re-checked: all clear").first().waitFor();
    await page.locator("[data-latest-reading]").getByText("Latest: Smoke at 166% of its alarm level").waitFor();
    await page.getByText("Fixed · 王网格").or(page.getByText("Fixed · 李物业")).first().waitFor().catch(() => {});
    await fits(page);
    await screenshot(page, "docs/console-desktop.png");
    const cap = await page.request.get(new URL((await page.locator("[data-action=cap]").getAttribute("href"))!, server.url).toString());
    expect(cap.status()).toBe(200);
    expect(await cap.text()).toContain("<alert");
    await context.close();
  });

  it("a building lead of another building does not see the incident, and is offered no action on it", async () => {
    const { context, page } = await openConsole(browser, server, { who: { role: "staff", staffId: lead2.id }, viewport: "phone", locale: "zh-CN" });
    await page.getByText("现在没有事件").waitFor();
    expect(await page.locator("[data-place=bd-1]").count()).toBe(0);
    await page.goto(`${server.url}/#/incidents/1`);
    await page.getByText("您没有权限做这件事").waitFor();
    expect(await page.locator("[data-action]").count()).toBe(0);
    await context.close();
  });

  it("a new incident while the page is open plays a sound and raises a browser notification", async () => {
    const { context, page } = await openConsole(browser, server, { who: { role: "staff", staffId: property.id }, viewport: "phone", locale: "zh-CN" });
    await context.grantPermissions(["notifications"], { origin: server.url });
    await page.evaluate(() => {
      const shown: string[] = [];
      (window as unknown as { shown: string[] }).shown = shown;
      class Recording {
        static permission = "granted";
        static requestPermission = async () => "granted";
        onclick: (() => void) | null = null;
        constructor(title: string) {
          shown.push(title);
        }
      }
      (window as unknown as { Notification: unknown }).Notification = Recording;
    });
    await page.locator("[data-enable-alerts]").click();
    await placeNode(server.cloud.database.db, "smoke-b2-501", "fl-2-5");
    await nodeAlarm(server.cloud, "smoke-b2-501", { kind: "heat", severity: "alarm", value: 70, unit: "C", threshold: 57 });
    await server.cloud.settle();
    await page.locator("[data-last-alert]").getByText("新事件").waitFor();
    expect(await page.evaluate(() => (window as unknown as { shown: string[] }).shown)).toEqual([expect.stringContaining("新事件")]);
    await context.close();
  });
});
