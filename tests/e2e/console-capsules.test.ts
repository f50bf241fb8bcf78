import { mkdirSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addSupply } from "../../cloud/supplies/queries";
import { createPlace } from "../../cloud/places/queries";
import { encodeMessage } from "../../shared/codec";
import type { CapsuleState } from "../../shared/events";
import type { AckMessage, NodeMessage } from "../../shared/messages";
import { nodeTopic } from "../../shared/topics";
import { demoInventory } from "../../system/demo-supplies";
import { openConsole, screenshot, startBrowser, startConsoleServer, type ConsoleServer } from "../support/console";
import { expectFits } from "../support/console-suite";
import { capsuleEvent } from "../support/device-messages";
import { addStaff, placeNode, seedSite } from "../support/site";

const SHOTS = "docs/screenshots";
const RANGE = { minC: 0, maxC: 50 };

/**
 * The capsules' views in Chromium: a capsule keeper scoped to one community and the admin, in
 * Chinese and English, on a phone and the office's screen. Capsule state comes through the real
 * ingest; the display line is a real node command, acknowledged as the capsule would.
 */
describe("console capsules and supplies (Chromium)", () => {
  let server: ConsoleServer;
  let browser: Browser;
  let keeper: { id: number };
  let seq = 1;

  const send = async (message: NodeMessage) => {
    const result = await server.cloud.ingest.handle(nodeTopic(message.node, message.type), new TextEncoder().encode(encodeMessage(message)));
    expect(result).toBe("stored");
  };
  const capsuleSays = (node: string, name: Parameters<typeof capsuleEvent>[2], state: Partial<CapsuleState> = {}) =>
    send(capsuleEvent(node, seq++, name, { aedRangeC: RANGE, ...state }));

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startConsoleServer();
    const db = server.cloud.database.db;
    await seedSite(db);
    const add = (id: string, parentId: string, level: Parameters<typeof createPlace>[1]["level"], name: string) => createPlace(db, { id, parentId, level, name }, 0);
    await add("cap-1", "cp-1", "capsule", "East Gate Capsule");
    await add("cm-2", "st-1", "community", "Anle Community");
    await add("cp-9", "cm-2", "compound", "No. 9 Compound");
    await add("cap-9", "cp-9", "capsule", "Anle Square Capsule");
    await placeNode(db, "capsule-1", "cap-1");
    await placeNode(db, "capsule-9", "cap-9");
    const now = server.cloud.clock.now;
    for (const node of ["capsule-1", "capsule-9"]) await send({ v: 1, node, boot: 1, seq: seq++, t: 0, type: "status", online: true, firmware: "0.4.0", willSeq: 0 });
    await capsuleSays("capsule-1", "started", { temperatureC: 22.5, supplyV: 13.2 });
    await capsuleSays("capsule-9", "started", { temperatureC: 19, supplyV: 13.4 });
    // Someone takes the AED out of the East Gate capsule.
    await capsuleSays("capsule-1", "capsule-opened", { capsuleDoor: "open", temperatureC: 22.5, supplyV: 13.2 });
    await capsuleSays("capsule-1", "aed-removed", { capsuleDoor: "open", aedCabinetDoor: "open", aed: "removed", temperatureC: 22.5, supplyV: 13.2 });
    // The demo's inventory: something expired, something due this month, the rest in date.
    for (const supply of demoInventory(now)) await addSupply(db, "capsule-1", supply, now);
    await addSupply(db, "capsule-9", { item: "干粉灭火器 4kg", category: "fire", quantity: 2, expiresOn: "2031-01-01", note: null }, now);
    await addSupply(db, "capsule-9", { item: "急救包", category: "first-aid", quantity: 1, expiresOn: new Date(now - 2 * 86_400_000).toISOString().slice(0, 10), note: null }, now);
    keeper = await addStaff(server.cloud, { name: "周志愿者", role: "aed-volunteer", scopes: ["cm-1"] });
    browser = await startBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("a keeper on a phone, in Chinese: the AED taken out, supplies with their warnings, add, edit, remove, the display line acknowledged", async () => {
    const { context, page } = await openConsole(browser, server, { who: { role: "staff", staffId: keeper.id }, viewport: "phone", locale: "zh-CN" });
    await page.goto(`${server.url}/#/capsules`);
    const card = page.locator("[data-capsule=capsule-1]");
    await card.locator("[data-fact=aed]").getByText("已被取出").waitFor();
    await card.locator("[data-fact=temperature]").getByText("AED 适用 0\u2060–\u206050\u00a0°C").waitFor();
    // Only the keeper's community: the Anle capsule is not theirs.
    expect(await page.locator("[data-capsule=capsule-9]").count()).toBe(0);
    await page.locator("[data-expiring-summary]").getByText("其中 1 项已过期").waitFor();
    await expectFits(page, "keeper list");
    await screenshot(page, `${SHOTS}/capsules-phone.png`);

    await card.click();
    await page.locator("#capsule-title").getByText("East Gate Capsule").waitFor();
    // Each supply's expiry in words: the tourniquets expired five days ago, the pads due this month.
    const tourniquet = page.locator(".supply", { hasText: "止血带" });
    await tourniquet.locator("[data-expiry=expired]").getByText("已过期 5 天").waitFor();
    await page.locator(".supply", { hasText: "AED 电极片" }).locator("[data-expiry=soon]").waitFor();
    expect(await page.locator("[data-category=first-aid] .supply").count()).toBe(11);
    for (const category of ["fire", "rescue", "warning", "first-aid", "protection"]) expect(await page.locator(`[data-category=${category}] .supply`).count()).toBeGreaterThan(0);
    await expectFits(page, "keeper detail");
    await screenshot(page, `${SHOTS}/capsule-phone.png`);

    // Add an item due in three days, correct its quantity, then remove it.
    const inThreeDays = new Date(Date.now() + 3 * 86_400_000);
    const date = `${inThreeDays.getFullYear()}-${String(inThreeDays.getMonth() + 1).padStart(2, "0")}-${String(inThreeDays.getDate()).padStart(2, "0")}`;
    await page.locator("[data-action=add-supply]").click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("物资名称").fill("应急饮用水 Bottled water");
    await dialog.getByLabel("类别").selectOption("rescue");
    await dialog.getByLabel("数量").fill("12");
    await dialog.getByLabel("有效期至（选填）").fill(date);
    await expectFits(page, "keeper add dialog");
    await dialog.getByRole("button", { name: "添加物资" }).click();
    const water = page.locator("[data-category=rescue] .supply", { hasText: "应急饮用水" });
    await water.locator("[data-expiry=soon]").getByText("3 天后到期").waitFor();
    await water.getByRole("button", { name: "修改 应急饮用水 Bottled water" }).click();
    await dialog.getByLabel("数量").fill("24");
    await dialog.getByRole("button", { name: "保存" }).click();
    await water.getByText("数量 24").waitFor();
    await water.getByRole("button", { name: "移除 应急饮用水 Bottled water" }).click();
    await dialog.getByRole("button", { name: "移除" }).click();
    await water.waitFor({ state: "detached" });

    // The display line: a command the capsule acknowledges, and its new line in the next state.
    await page.getByLabel("新的显示内容").fill("AED 已取出 正在使用");
    await page.locator("[data-action=set-display]").click();
    await page.locator("[data-command-status=sent]").getByText("等待应急救援站确认").waitFor();
    const sent = server.cloud.commands.sent.at(-1)!;
    expect(sent.topic).toBe(nodeTopic("capsule-1", "cmd"));
    const command = JSON.parse(sent.payload) as { id: string; op: string; text: string };
    expect(command).toMatchObject({ op: "display", text: "AED 已取出 正在使用" });
    const ack: AckMessage = { v: 1, node: "capsule-1", boot: 1, seq: seq++, t: seq * 1000, type: "ack", command: command.id, op: "display", result: "ok", detail: "shown" };
    await send(ack);
    await capsuleSays("capsule-1", "display-set", { capsuleDoor: "open", aedCabinetDoor: "open", aed: "removed", temperatureC: 22.5, supplyV: 13.2, display: command.text });
    await page.locator("[data-command-status=ok]").getByText("显示屏已更新").waitFor();
    await page.locator("[data-display]").getByText("AED 已取出 正在使用").waitFor();

    // Another community's capsule, by its address: refused in words.
    await page.goto(`${server.url}/#/capsules/capsule-9`);
    await page.getByText("您没有权限做这件事").waitFor();
    await context.close();
  });

  it("the printable checklist: every supply with boxes to tick, and nothing of the console on paper", async () => {
    const { context, page } = await openConsole(browser, server, { who: { role: "staff", staffId: keeper.id }, viewport: "phone", locale: "zh-CN" });
    await page.goto(`${server.url}/#/capsules/capsule-1`);
    await page.getByRole("link", { name: "打印检查表" }).click();
    await page.locator("#checklist-title").getByText("East Gate Capsule").waitFor();
    expect(await page.locator(".checklist-table tbody tr").count()).toBe(demoInventory(Date.now()).length);
    await expectFits(page, "checklist");
    await page.emulateMedia({ media: "print" });
    for (const hidden of [".topbar", ".nav", "[data-action=print]"]) expect(await page.locator(hidden).isVisible(), hidden).toBe(false);
    expect(await page.locator(".checklist-table").first().isVisible()).toBe(true);
    await screenshot(page, `${SHOTS}/capsule-checklist-print.png`);
    const pdf = await page.pdf({ format: "A4" });
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    await context.close();
  });

  it("the admin on the office screen, in English: every capsule, the worst first, and what expires this month across a community", async () => {
    const { context, page } = await openConsole(browser, server, { who: { role: "admin", name: "Office" }, viewport: "desktop", locale: "en" });
    await page.goto(`${server.url}/#/capsules`);
    await page.locator("[data-capsule=capsule-9]").waitFor();
    expect(await page.locator("[data-capsule]").evaluateAll((cards) => cards.map((c) => c.getAttribute("data-capsule")))).toEqual(["capsule-1", "capsule-9"]);
    await page.locator("[data-capsule=capsule-1] [data-fact=aed]").getByText("Taken out").waitFor();
    await expectFits(page, "admin list");
    await screenshot(page, `${SHOTS}/capsules-desktop.png`);

    await page.locator("[data-expiring-summary]").click();
    await page.locator("[data-capsule=capsule-9]").getByText("急救包").waitFor();
    await page.locator("[data-capsule=capsule-1]").getByText("AED 电极片").waitFor();
    await page.locator("[data-capsule=capsule-9] [data-expiry=expired]").getByText("expired 2 days ago").waitFor();
    await expectFits(page, "admin expiring");
    // Across one community: the Anle capsule only.
    await page.getByLabel("Show capsules in").selectOption("cm-2");
    await page.locator("[data-expiring-total]").getByText("1 item expires this month or has expired; 1 already expired").waitFor();
    expect(await page.locator("[data-capsule=capsule-1]").count()).toBe(0);
    await screenshot(page, `${SHOTS}/supplies-expiring-desktop.png`);

    await page.goto(`${server.url}/#/capsules/capsule-1`);
    await page.locator(".supply", { hasText: "Tourniquet" }).getByText("expired 5 days ago").waitFor();
    await expectFits(page, "admin detail");
    await screenshot(page, `${SHOTS}/capsule-desktop.png`);
    await context.close();
  });

  it("fits and passes axe in the other language and screen for each person", async () => {
    const combos = [
      { who: { role: "staff" as const, staffId: keeper.id }, viewport: "desktop" as const, locale: "en" as const },
      { who: { role: "admin" as const, name: "值班" }, viewport: "phone" as const, locale: "zh-CN" as const },
    ];
    for (const combo of combos) {
      const { context, page } = await openConsole(browser, server, combo);
      const label = `${combo.who.role} ${combo.viewport} ${combo.locale}`;
      for (const [path, ready] of [
        ["/capsules", "[data-capsule=capsule-1]"],
        ["/capsules/capsule-1", "[data-category=protection] .supply"],
        ["/capsules/capsule-1/checklist", ".checklist-table"],
        ["/supplies/expiring", "[data-expiring-total]"],
      ] as const) {
        await page.goto(`${server.url}/#${path}`);
        await page.locator(ready).first().waitFor();
        await expectFits(page, `${label} ${path}`);
      }
      await context.close();
    }
  });
});
