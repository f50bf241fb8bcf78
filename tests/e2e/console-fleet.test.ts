import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodes } from "../../cloud/db/schema";
import { labelPayload } from "../../cloud/fleet/labels";
import { ensureNodeRow, insertBatch, insertBatchSerials, insertDeviceWithinBatch } from "../../cloud/fleet/queries";
import { launchChromium } from "../support/browser";
import { openConsole, screenshot, startConsoleServer, type ConsoleServer } from "../support/console";
import { expectFits } from "../support/console-suite";
import { fakeCameraShowing } from "../support/fake-camera";
import { addStaff, placeNode, seedSite } from "../support/site";

const SHOTS = "docs/screenshots";
const BATCH = "b20261201-hp01";
/** Online, not placed: installed by typing its label. */
const TYPED = "a4cf12000001";
/** Online, not placed: installed by showing its label to the (fake) camera. */
const SCANNED = "a4cf12000002";
/** Registered, installed in building 2. */
const PLACED = "a4cf12000003";
/** Made, never online. */
const PENDING = "a4cf12000004";

/**
 * The fleet in Chromium: batches and their claim state, one batch's devices, and installing a
 * device by typing its label's payload and by scanning its QR code with the phone's camera
 * (Chromium's fake capture device shows the label; the page reads it with jsQR, as a browser
 * without BarcodeDetector does). Fleet and installation are the admins' (issue 12): a crew
 * member is not offered them, and the server refuses them anyway.
 */
describe("console fleet and installing a device (Chromium)", () => {
  let server: ConsoleServer;
  let browser: Browser;
  let crew: { id: number };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startConsoleServer();
    const db = server.cloud.database.db;
    await seedSite(db);
    const now = Date.now();
    await insertBatch(db, { id: BATCH, kind: "sensor", board: "esp32-devkitc", maxDevices: null, claimSecretHash: "0".repeat(64), expiresAt: now + 30 * 86_400_000, note: "和平社区一期 · Heping phase 1", createdAt: now - 86_400_000 });
    await insertBatchSerials(db, BATCH, [TYPED, SCANNED, PLACED, PENDING]);
    await insertBatch(db, { id: "b20250601-old1", kind: "capsule", board: "esp32-devkitc", maxDevices: 2, claimSecretHash: "0".repeat(64), expiresAt: now - 86_400_000, note: null, createdAt: now - 200 * 86_400_000 });
    for (const serial of [TYPED, SCANNED, PLACED]) {
      await insertDeviceWithinBatch(db, { serial, nodeId: serial, batchId: BATCH, kind: "sensor", board: "esp32-devkitc", credentialHash: "x", claimPadHash: "y", firmware: "0.4.0", claimedAt: now - 3_600_000 }, null);
      await ensureNodeRow(db, serial, now);
    }
    await db.update(nodes).set({ online: true }).where(eq(nodes.id, TYPED));
    await db.update(nodes).set({ online: true }).where(eq(nodes.id, SCANNED));
    await placeNode(db, PLACED, "bd-2");
    crew = await addStaff(server.cloud, { name: "钱维保", role: "property-staff", scopes: ["cm-1"] });
    const camera = fakeCameraShowing(labelPayload(SCANNED, "sensor"), join(mkdtempSync(join(tmpdir(), "sw-camera-")), "label.y4m"));
    browser = await launchChromium(camera);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("the admin on a phone, in Chinese: batches and claim state, a device installed by typing its label, then seen at its place", async () => {
    const { context, page } = await openConsole(browser, server, { who: { role: "admin", name: "安装员" }, viewport: "phone", locale: "zh-CN" });
    await page.goto(`${server.url}/#/fleet`);
    const batch = page.locator(`[data-batch=${BATCH}]`);
    await batch.getByText("已注册 3 / 4 台").waitFor();
    await page.locator("[data-batch=b20250601-old1]").getByText("已截止注册").waitFor();
    await expectFits(page, "fleet");
    await screenshot(page, `${SHOTS}/fleet-phone.png`);

    await batch.click();
    await page.locator(`[data-device=${PLACED}] [data-place]`).getByText("Building 2").waitFor();
    await page.locator(`[data-device=${PENDING}] [data-state=pending]`).waitFor();
    await page.locator(`[data-device=${TYPED}] [data-place]`).getByText("还没有安装位置").waitFor();
    await expectFits(page, "batch");

    // Installing: the label's payload typed; the device is online, so no Wi-Fi step.
    await page.goto(`${server.url}/#/fleet`);
    await page.locator("[data-action=install]").click();
    await page.getByLabel("标签内容或序列号").fill(labelPayload(TYPED, "sensor"));
    await page.getByRole("button", { name: "下一步" }).click();
    await page.getByText("设备已上线").waitFor();
    // A sensor goes on a building or a floor: nothing else is offered.
    const offered = await page.locator("#install-place option").evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    expect(offered.sort()).toEqual(["bd-1", "bd-2", "bd-3", "fl-1-3", "fl-2-5"]);
    await page.selectOption("#install-place", "fl-1-3");
    await expectFits(page, "install place");
    await screenshot(page, `${SHOTS}/install-place-phone.png`);
    await page.getByRole("button", { name: "完成安装" }).click();
    await page.getByText("安装完成").waitFor();
    const [row] = await server.cloud.database.db.select().from(nodes).where(eq(nodes.id, TYPED));
    expect(row.placeId).toBe("fl-1-3");

    // …and the fleet shows it at its place.
    await page.locator("[data-action=batch]").click();
    await page.locator(`[data-device=${TYPED}] [data-place]`).getByText("Building 1 › Floor 3").waitFor();
    await context.close();
  });

  it("the admin scans the label's QR code with the phone's camera, and installs that device", async () => {
    const { context, page } = await openConsole(browser, server, { who: { role: "admin", name: "安装员" }, viewport: "phone", locale: "zh-CN" });
    await context.grantPermissions(["camera"], { origin: server.url });
    await page.goto(`${server.url}/#/install`);
    await page.locator("[data-action=scan]").click();
    // The fake camera shows the label; the page reads it and moves on by itself.
    await page.getByText("设备已上线").waitFor({ timeout: 15_000 });
    expect(await page.locator("sw-qr-scanner").count(), "the camera is let go once read").toBe(0);
    await page.selectOption("#install-place", "bd-3");
    await page.getByRole("button", { name: "完成安装" }).click();
    await page.getByText("安装完成").waitFor();
    const [row] = await server.cloud.database.db.select().from(nodes).where(eq(nodes.id, SCANNED));
    expect(row.placeId).toBe("bd-3");
    await context.close();
  });

  it("reads the camera with jsQR where the browser has no BarcodeDetector", async () => {
    const { context, page } = await openConsole(browser, server, { who: { role: "admin", name: "Installer" }, viewport: "desktop", locale: "en" });
    await context.grantPermissions(["camera"], { origin: server.url });
    await page.goto(`${server.url}/#/install`);
    // A camera pointed at a blank wall, so the scanner stays open to see which reader it chose and that it fits.
    await page.evaluate(() => {
      const wall = Object.assign(document.createElement("canvas"), { width: 640, height: 480 });
      const paint = wall.getContext("2d")!;
      paint.fillStyle = "#999";
      paint.fillRect(0, 0, 640, 480);
      navigator.mediaDevices.getUserMedia = async () => wall.captureStream(5);
    });
    await page.locator("[data-action=scan]").click();
    const scanner = page.locator("[data-scanner=scanning]");
    await scanner.waitFor();
    expect(await scanner.getAttribute("data-decoder")).toBe((await page.evaluate(() => "BarcodeDetector" in window)) ? "barcode-detector" : "jsqr");
    await expectFits(page, "scanner");
    await page.getByRole("button", { name: "Stop scanning" }).click();
    await page.locator("sw-qr-scanner").waitFor({ state: "detached" });
    await context.close();
  });

  it("the admin on the office screen, in English; a pending device is offered its network setup", async () => {
    const { context, page } = await openConsole(browser, server, { who: { role: "admin", name: "Office" }, viewport: "desktop", locale: "en" });
    await page.goto(`${server.url}/#/fleet`);
    await page.locator(`[data-batch=${BATCH}]`).getByText("3 of 4 registered").waitFor();
    await expectFits(page, "fleet desktop");
    await screenshot(page, `${SHOTS}/fleet-desktop.png`);
    await page.locator(`[data-batch=${BATCH}]`).click();
    await page.getByLabel("State").selectOption("pending");
    expect(await page.locator("[data-device]").count()).toBe(1);
    await expectFits(page, "batch desktop");
    await screenshot(page, `${SHOTS}/fleet-batch-desktop.png`);
    await page.getByRole("link", { name: `Connect device ${PENDING} to the network` }).click();
    // Not registered yet: the installer starts with the node's Wi-Fi.
    await page.getByText("cannot reach the node over Bluetooth").waitFor();
    await context.close();
  });

  it("a crew member is not offered the fleet or installing, and is refused both in words", async () => {
    for (const [viewport, locale, refusal] of [
      ["phone", "zh-CN", "您没有权限做这件事"],
      ["desktop", "en", "You are not allowed to do this"],
    ] as const) {
      const { context, page } = await openConsole(browser, server, { who: { role: "staff", staffId: crew.id }, viewport, locale });
      expect(await page.locator(".nav a[href='#/fleet']").count()).toBe(0);
      expect(await page.locator(".nav a[href='#/install']").count()).toBe(0);
      await page.goto(`${server.url}/#/fleet`);
      await page.getByText(refusal).waitFor();
      await expectFits(page, `crew ${viewport} fleet`);
      await page.goto(`${server.url}/#/install`);
      await page.getByLabel(locale === "en" ? "Label or serial" : "标签内容或序列号").fill(labelPayload(PENDING, "sensor"));
      await page.getByRole("button", { name: locale === "en" ? "Next" : "下一步" }).click();
      await page.getByText(refusal).waitFor();
      await context.close();
    }
  });
});
