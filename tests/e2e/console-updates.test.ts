import { describe, expect, it } from "vitest";
import type { OtaReport, OtaState } from "../../shared/ota";
import { openConsole, screenshot, VIEWPORTS } from "../support/console";
import { BROWSER_TEST_MS, consoleSuite, everyScreen, expectFits } from "../support/console-suite";
import { BOARD, otaTestCloud, releaseKey, signedSimImage } from "../support/ota";
import { addStaff, seedSite } from "../support/site";

const CAMPAIGN = "spring-0-3-0";

describe("console updates: firmware images and a staged rollout, paused, resumed and stopped (Chromium)", () => {
  let crew: { id: number };
  const key = releaseKey();

  const suite = consoleSuite({
    cloud: () => otaTestCloud([key.publicKeyHex]),
    async seed(cloud) {
      await seedSite(cloud.database.db);
      for (const version of ["0.2.9", "0.3.0"]) {
        const { image, release } = signedSimImage(key, { version });
        expect((await cloud.upload(image, release)).status).toBe(201);
      }
      const nodeIds = Array.from({ length: 20 }, (_, i) => `sensor-${String(i + 1).padStart(2, "0")}`);
      for (const id of nodeIds) await cloud.announce(id, "0.2.9");
      const images = (await (await cloud.request("/api/ota/images")).json()) as { images: Array<{ sha256: string; version: string }> };
      const image = images.images.find((i) => i.version === "0.3.0")!;
      const created = await cloud.request("/api/ota/campaigns", { method: "POST", body: JSON.stringify({ image: image.sha256, id: CAMPAIGN, stages: [10, 100] }) });
      expect(created.status).toBe(201);
      // The first stage's two nodes: one updated and well, one half-way through its download.
      const offered = [...new Set(cloud.sent.filter((s) => s.message.type === "ota-offer").map((s) => s.nodeId))];
      expect(offered).toHaveLength(2);
      const report = (nodeId: string, state: OtaState, extra: Partial<OtaReport> = {}) =>
        cloud.engine.onReport(nodeId, { v: 1, node: nodeId, boot: 1, t: 1000, campaign: CAMPAIGN, state, version: "0.3.0", running: "0.2.9", board: BOARD, kind: "sensor", ...extra });
      await report(offered[0], "healthy", { running: "0.3.0" });
      await report(offered[1], "downloading", { progress: 40 });
      crew = await addStaff(cloud, { name: "王网格", role: "grid-worker", scopes: ["cm-1"] });
    },
  });

  it("the admin sees images and the rollout's stages and nodes, and pauses, resumes and stops it, each asked first", async () => {
    const { browser, server } = suite;
    const { context, page } = await openConsole(browser, server, { who: { role: "admin", name: "Office" }, viewport: "phone", locale: "zh-CN" });
    await page.goto(`${server.url}/#/updates`);
    const card = page.locator(`[data-campaign=${CAMPAIGN}]`);
    await card.getByText("第 1 / 2 阶段：覆盖 10% 的设备").waitFor();
    await card.getByText("1 / 20 台已升级并运行正常").waitFor();
    await card.getByText("进行中").waitFor();
    expect(await page.locator("[data-image]").count()).toBe(2);
    await page.locator("[data-image]").first().getByText("48 KiB").waitFor();
    await everyScreen(page, async (where) => {
      await expectFits(page, `updates ${where}`);
      if (where === "phone zh-CN") await screenshot(page, "docs/screenshots/updates-phone-zh.png");
      if (where === "desktop en") await screenshot(page, "docs/screenshots/updates-desktop-en.png");
    });

    await card.click();
    await page.locator("[data-member-state=downloading]").click();
    // The filter is a new hash, so a new view: wait for it (the old, unfiltered list also shows 40%).
    await page.locator("[data-member-state=downloading][aria-current=true]").waitFor();
    await page.locator("[data-member]").getByText("已下载 40%").waitFor();
    expect(await page.locator("[data-member]").count()).toBe(1);

    await page.locator("[data-campaign-action=pause]").click();
    await page.getByRole("dialog").getByText("不再通知新的设备升级").waitFor();
    await page.getByRole("dialog").getByRole("button", { name: "暂停" }).click();
    await page.locator("[data-campaign-status=paused]").waitFor();
    await page.locator("[data-campaign-reason]").getByText("Office 暂停了这个批次").waitFor();

    await page.locator("[data-campaign-action=resume]").click();
    await page.getByRole("dialog").getByRole("button", { name: "继续" }).click();
    await page.locator("[data-campaign-status=running]").waitFor();

    // Cancelling the question changes nothing.
    await page.locator("[data-campaign-action=abort]").click();
    await page.getByRole("dialog").getByRole("button", { name: "取消" }).click();
    await page.locator("[data-campaign-status=running]").waitFor();
    await page.locator("[data-campaign-action=abort]").click();
    await page.getByRole("dialog").getByRole("button", { name: "中止" }).click();
    await page.locator("[data-campaign-status=aborted]").waitFor();
    expect(await page.locator("[data-campaign-action]").count()).toBe(0);
    await everyScreen(page, async (where) => {
      await expectFits(page, `rollout ${where}`);
      if (where === "desktop en") await screenshot(page, "docs/screenshots/rollout-desktop-en.png");
    });
    await context.close();
  }, BROWSER_TEST_MS);

  it("a crew member is not offered updates, and the page refuses them in words", async () => {
    const { browser, server } = suite;
    const { context, page } = await openConsole(browser, server, { who: { role: "staff", staffId: crew.id }, viewport: "phone", locale: "en" });
    expect(await page.locator(".nav a[href='#/updates']").count()).toBe(0);
    await page.goto(`${server.url}/#/updates/${CAMPAIGN}`);
    await page.getByText("You are not allowed to do this.").first().waitFor();
    expect(await page.locator("[data-campaign-action]").count()).toBe(0);
    await page.setViewportSize(VIEWPORTS.desktop);
    await page.goto(`${server.url}/#/updates`);
    await page.getByText("You are not allowed to do this.").first().waitFor();
    expect(await page.locator("[data-campaign]").count()).toBe(0);
    await expectFits(page, "updates crew desktop en");
    await context.close();
  }, BROWSER_TEST_MS);
});
