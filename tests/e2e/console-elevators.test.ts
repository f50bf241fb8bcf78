import { describe, expect, it } from "vitest";
import type { EventMessage } from "../../shared/messages";
import { openConsole, screenshot, VIEWPORTS } from "../support/console";
import { BROWSER_TEST_MS, consoleSuite, everyScreen, expectFits } from "../support/console-suite";
import { elevatorState } from "../support/device-messages";
import { ackOf, heartbeat, ingestAt, lastCommandTo, online } from "../support/node-history";
import { addStaff, placeNode, seedOtherCommunity, seedSite } from "../support/site";

/** An elevator lock's own numbering: boot 4, one seq after another. */
function lock(node: string) {
  let seq = 1;
  return {
    next: () => seq++,
    event: (name: EventMessage["name"], state: Partial<typeof elevatorState> = {}, extra: Partial<EventMessage> = {}): EventMessage => {
      const s = seq++;
      return { v: 1, node, boot: 4, seq: s, t: s * 1000, type: "event", name, state: { ...elevatorState, ...state }, ...extra };
    },
  };
}

describe("console elevators: the lock board, a lock's page and its commands (Chromium)", () => {
  let crew: { id: number };
  const locks = { b1: lock("lift-b1"), b2: lock("lift-b2"), b9: lock("lift-b9") };

  const suite = consoleSuite({
    async seed(cloud) {
      const db = cloud.database.db;
      await seedSite(db);
      await seedOtherCommunity(db, "Building 9 lift");
      await placeNode(db, "lift-b1", "bd-1");
      await placeNode(db, "lift-b2", "bd-2");
      await placeNode(db, "lift-b9", "bd-9");
      const now = cloud.clock.now;
      for (const [id, l] of [["lift-b1", locks.b1], ["lift-b2", locks.b2], ["lift-b9", locks.b9]] as const) {
        await ingestAt(cloud, now - 26 * 3_600_000, online(id, 4, l.next()));
        await ingestAt(cloud, now - 26 * 3_600_000 + 500, heartbeat(id, 4, l.next(), { kind: "elevator", sensors: { detector: "ok" } }));
        await ingestAt(cloud, now - 26 * 3_600_000 + 1000, l.event("started"));
      }
      // Building 1's car: a hold yesterday that ran to its limit, yesterday's counts, and one held now for 3 minutes.
      await ingestAt(cloud, now - 25 * 3_600_000, locks.b1.event("hold-start", { lock: "held", ebike: true }));
      await ingestAt(cloud, now - 25 * 3_600_000 + 180_000, locks.b1.event("hold-end", {}, { releasedBy: "max-hold", durationMs: 180_000 }));
      await ingestAt(cloud, now - 2 * 3_600_000, locks.b1.event("daily-counts", {}, { data: { blockedAttempts: 12, detectedWhileDisabled: 0, holdMsTotal: 1_260_000, "released.clear": 11, "released.maxHold": 1, "released.override": 0, "released.fault": 0, "released.disabled": 0 } }));
      await ingestAt(cloud, now - 3 * 60_000, locks.b1.event("hold-start", { lock: "held", ebike: true }));
      // Building 2's lock was turned off.
      await ingestAt(cloud, now - 3_600_000, locks.b2.event("lock-disabled", { enabled: false }));
      crew = await addStaff(cloud, { name: "李物业", role: "property-staff", scopes: ["cm-1"] });
    },
  });

  it("a crew member sees their community's locks, the held car first with how long, and turns a lock back on with a confirmation", async () => {
    const { browser, server } = suite;
    const { context, page } = await openConsole(browser, server, { who: { role: "staff", staffId: crew.id }, viewport: "phone", locale: "zh-CN" });
    await page.goto(`${server.url}/#/elevators`);
    const cards = page.locator("[data-elevator]");
    await cards.first().waitFor();
    expect(await cards.evaluateAll((els) => els.map((el) => el.getAttribute("data-elevator")))).toEqual(["lift-b1", "lift-b2"]);
    // Held 3 minutes when the cloud started; a slow machine may have taken a minute since.
    await cards.first().getByText(/^正在拦截电动车，已 [34] 分钟$/).waitFor();
    await cards.first().getByText("上次拦截 3 分钟，到了最长拦截时间放行").waitFor();
    await cards.first().getByText("最近一天拦截 12 次").waitFor();
    await cards.nth(1).getByText("管控已关闭").waitFor();
    await everyScreen(page, async (where) => {
      await expectFits(page, `board ${where}`);
      if (where === "phone zh-CN") await screenshot(page, "docs/screenshots/elevators-phone-zh.png");
    });

    await page.goto(`${server.url}/#/elevators/lift-b2`);
    await page.locator("[data-enabled=false]").waitFor();
    await page.locator("[data-command=enable]").click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("开启后，电动车进电梯时电梯停住不走").waitFor();
    await dialog.getByRole("button", { name: "开启管控" }).click();
    await page.locator("[data-command-live]").getByText("开启管控：已发送，正在等设备回应…").waitFor();
    const command = lastCommandTo(server.cloud, "lift-b2");
    expect(command).toMatchObject({ op: "enable" });
    // The node acks and reports its new state, as elevator-node.ts does.
    await ingestAt(server.cloud, Date.now(), ackOf("lift-b2", 4, locks.b2.next(), command!, "ok", "enabled"));
    await ingestAt(server.cloud, Date.now(), locks.b2.event("lock-enabled", { enabled: true }));
    await page.locator("[data-command-live]").getByText("开启管控：设备已完成").waitFor({ timeout: 5000 });
    await page.locator("[data-enabled=true]").waitFor({ timeout: 5000 });
    await page.locator("[data-history]").getByText("管控开启").waitFor();
    await everyScreen(page, async (where) => {
      await expectFits(page, `lock page ${where}`);
      if (where === "desktop en") await screenshot(page, "docs/screenshots/elevator-desktop-en.png");
    });

    // Another community's lock: refused, nothing offered.
    await page.goto(`${server.url}/#/elevators/lift-b9`);
    await page.locator(".error").first().waitFor();
    expect(await page.locator("[data-command]").count()).toBe(0);
    await context.close();
  }, BROWSER_TEST_MS);

  it("the admin sees every lock, a lock's daily counts and history, and runs its self-test", async () => {
    const { browser, server } = suite;
    const { context, page } = await openConsole(browser, server, { who: { role: "admin", name: "Office" }, viewport: "desktop", locale: "en" });
    await page.goto(`${server.url}/#/elevators`);
    await page.locator("[data-elevator=lift-b9]").waitFor();
    expect(await page.locator("[data-elevator]").count()).toBe(3);
    await expectFits(page, "board admin desktop en");
    await screenshot(page, "docs/screenshots/elevators-desktop-en.png");
    await page.locator("[data-elevator=lift-b1]").click();
    await page.locator("[data-daily-counts]").getByText("12").first().waitFor();
    await page.locator("[data-history]").getByText("held 3 minutes · let go at the longest hold allowed").waitFor();
    await page.locator("[data-command=self-test]").click();
    await page.getByRole("dialog").getByRole("button", { name: "Self-test" }).click();
    // Sent once the page says so (the click returns before its request is answered).
    await page.locator("[data-command-live]").getByText("sent, waiting for the device to answer").waitFor();
    const command = lastCommandTo(server.cloud, "lift-b1");
    expect(command).toMatchObject({ op: "self-test" });
    await ingestAt(server.cloud, Date.now(), ackOf("lift-b1", 4, locks.b1.next(), command!, "ok", "detector alive; maintenance key off; lock enabled; relay held"));
    await page.locator(`[data-command-id="${command!.id}"]`).getByText("The device says: detector alive; maintenance key off; lock enabled; relay held").waitFor({ timeout: 5000 });
    await page.setViewportSize(VIEWPORTS.phone);
    await expectFits(page, "lock page admin phone en");
    await screenshot(page, "docs/screenshots/elevator-phone-en.png");
    await context.close();
  }, BROWSER_TEST_MS);
});
