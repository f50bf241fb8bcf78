import { describe, expect, it } from "vitest";
import { openConsole, screenshot, VIEWPORTS } from "../support/console";
import { BROWSER_TEST_MS, consoleSuite, everyScreen, expectFits } from "../support/console-suite";
import { ackOf, heartbeat, ingestAt, lastCommandTo, online, smokeNodeHour } from "../support/node-history";
import { addStaff, nodeAlarm, placeNode, seedOtherCommunity, seedSite } from "../support/site";

describe("console nodes: the crews' list and a node's page, with charts and commands (Chromium)", () => {
  let crew: { id: number };
  let lastBeat: Awaited<ReturnType<typeof smokeNodeHour>>;

  const suite = consoleSuite({
    async seed(cloud) {
      const db = cloud.database.db;
      await seedSite(db);
      await seedOtherCommunity(db);
      await placeNode(db, "smoke-b1-301", "fl-1-3");
      await placeNode(db, "smoke-b2-501", "fl-2-5");
      await placeNode(db, "smoke-b3-101", "bd-3");
      await placeNode(db, "smoke-b9-201", "bd-9");
      const now = cloud.clock.now;
      lastBeat = await smokeNodeHour(cloud, "smoke-b1-301", now);
      // Building 2's detector: online, weak Wi-Fi and low memory. Building 3's: lost its connection.
      await ingestAt(cloud, now - 60_000, online("smoke-b2-501", 3));
      await ingestAt(cloud, now - 30_000, heartbeat("smoke-b2-501", 3, 2, { rssiDbm: -84, heap: { freeBytes: 21_000, minFreeBytes: 15_000 } }));
      await ingestAt(cloud, now - 3 * 3_600_000, online("smoke-b3-101", 2));
      await ingestAt(cloud, now - 3 * 3_600_000 + 1000, heartbeat("smoke-b3-101", 2, 2));
      await ingestAt(cloud, now - 2 * 3_600_000, { v: 1, node: "smoke-b3-101", boot: 2, seq: 3, t: 99, type: "status", online: false, firmware: "0.2.0" });
      await ingestAt(cloud, now - 10_000, online("smoke-b9-201", 1));
      await nodeAlarm(cloud, "smoke-b1-301", { boot: 8, seq: 900, severity: "alarm", value: 760, threshold: 700 });
      await cloud.settle();
      crew = await addStaff(cloud, { name: "张维修", role: "property-staff", scopes: ["cm-1"] });
    },
  });

  it("the admin sees every node worst first, filters by problem, on both screens and in both languages", async () => {
    const { browser, server } = suite;
    const { context, page } = await openConsole(browser, server, { who: { role: "admin", name: "Office" }, viewport: "desktop", locale: "en" });
    await page.goto(`${server.url}/#/nodes`);
    const rows = page.locator("[data-node]");
    await rows.first().waitFor();
    // Offline first, then low memory and weak Wi-Fi, then the healthy ones.
    expect(await rows.evaluateAll((els) => els.map((el) => el.getAttribute("data-node")))).toEqual(["smoke-b3-101", "smoke-b2-501", "smoke-b1-301", "smoke-b9-201"]);
    await rows.first().getByText("Offline: connection lost 2 hours ago").waitFor();
    await page.locator("[data-problem=offline]").getByText("1").waitFor();
    await everyScreen(page, async (screen) => {
      await expectFits(page, `node list (admin) ${screen}`);
      if (screen === "desktop en") await screenshot(page, "docs/screenshots/nodes-desktop-en.png");
      if (screen === "phone zh-CN") await screenshot(page, "docs/screenshots/nodes-phone-zh.png");
    });
    // A problem chip filters on the server: only the low-memory node.
    await page.locator("[data-problem=lowHeap]").click();
    await page.waitForFunction(() => document.querySelectorAll("[data-node]").length === 1);
    expect(await rows.first().getAttribute("data-node")).toBe("smoke-b2-501");
    // The admin on a node's page, both screens.
    await rows.first().click();
    await page.locator("[data-chart=heap]").waitFor();
    for (const viewport of ["desktop", "phone"] as const) {
      await page.setViewportSize(VIEWPORTS[viewport]);
      await expectFits(page, `node page (admin) ${viewport}`);
    }
    await context.close();
  }, BROWSER_TEST_MS);

  it("a crew member of one community charts a node from its stored heartbeats, restarts it and sees the ack arrive", async () => {
    const { browser, server } = suite;
    const { context, page } = await openConsole(browser, server, { who: { role: "staff", staffId: crew.id }, viewport: "phone", locale: "zh-CN" });
    await page.goto(`${server.url}/#/nodes`);
    const rows = page.locator("[data-node]");
    await rows.first().waitFor();
    // The other community's node is not listed.
    expect(await rows.evaluateAll((els) => els.map((el) => el.getAttribute("data-node")))).toEqual(["smoke-b3-101", "smoke-b2-501", "smoke-b1-301"]);
    await everyScreen(page, (screen) => expectFits(page, `node list (crew) ${screen}`));
    await page.locator("a[href='#/nodes/smoke-b1-301']").click();
    await page.locator("[data-node-status]").getByText("在线").waitFor();

    // The memory chart is drawn by uPlot from the heartbeats stored above; its key says the
    // latest free heap the node reported, the lowest minimum, and the restart with its reason.
    const heap = page.locator("[data-chart=heap]");
    await heap.locator("canvas").first().waitFor();
    await page.locator('[data-window="1h"]').click();
    await heap.locator("canvas").first().waitFor();
    const latestKib = Math.round(lastBeat.heap!.freeBytes / 1024);
    await heap.getByText(`空闲内存（平均）：最新 ${latestKib} KiB`).waitFor();
    await heap.getByText("重启：程序卡住，看门狗重启").waitFor();
    expect(await page.locator("[data-chart=telemetry-smoke] canvas").count()).toBeGreaterThan(0);
    await page.locator("[data-alarm]").getByText("读数 760 raw，报警线 700 raw").waitFor();
    await expectFits(page, "node page phone zh-CN");
    if (process.env.SW_LOOK) await page.screenshot({ path: "/tmp/node-full-phone.png", fullPage: true });
    await screenshot(page, "docs/screenshots/node-phone-zh.png");

    // Restart from the page: asked first, sent, and the node's ack appears by itself.
    await page.locator("[data-command=reboot]").click();
    await page.getByRole("dialog").getByRole("button", { name: "重启" }).click();
    await page.locator("[data-command-live]").getByText("重启：已发送，正在等设备回应…").waitFor();
    const command = lastCommandTo(server.cloud, "smoke-b1-301");
    expect(command).toMatchObject({ op: "reboot" });
    await ingestAt(server.cloud, Date.now(), ackOf("smoke-b1-301", 8, 1000, command!, "ok", "restarting"));
    await page.locator("[data-command-live]").getByText("重启：设备已完成").waitFor({ timeout: 5000 });
    await page.locator(`[data-command-id="${command!.id}"]`).getByText("设备回复：restarting").waitFor();

    // A smoke detector's self-test: the question says it sends no fire alarm; a fault it finds reads as found, not as the command failing.
    await page.locator("[data-command=self-test]").click();
    await page.getByRole("dialog").getByText("自检不会发出火警").waitFor();
    await page.getByRole("dialog").getByRole("button", { name: "自检" }).click();
    await page.locator("[data-command-live]").getByText("自检：已发送，正在等设备回应…").waitFor();
    const selfTest = lastCommandTo(server.cloud, "smoke-b1-301");
    expect(selfTest).toMatchObject({ op: "self-test" });
    await ingestAt(server.cloud, Date.now(), ackOf("smoke-b1-301", 8, 1001, selfTest!, "failed", "chamber FAIL: reads 560, 260 over clean air 300 with no alarm: chamber dirty"));
    await page.locator("[data-command-live]").getByText("自检：发现问题").waitFor({ timeout: 5000 });
    await page.locator(`[data-command-id="${selfTest!.id}"]`).getByText(/chamber dirty/).waitFor();
    await everyScreen(page, async (screen) => {
      await expectFits(page, `node page (crew) ${screen}`);
      if (screen === "desktop en") await screenshot(page, "docs/screenshots/node-desktop-en.png");
    });

    // The other community's node: refused, and nothing offered to do to it.
    await page.goto(`${server.url}/#/nodes/smoke-b9-201`);
    await page.locator(".error").first().waitFor();
    expect(await page.locator("[data-command]").count()).toBe(0);
    expect(await page.locator("[data-chart]").count()).toBe(0);
    await context.close();
  }, BROWSER_TEST_MS);
});
