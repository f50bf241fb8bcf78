import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import exifr from "exifr";
import jsQR from "jsqr";
import type { Browser, Page } from "playwright-core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { placardsUnder } from "../../cloud/reports/placards";
import { placardSheet } from "../../cloud/reports/placard-sheet";
import { launchChromium } from "../support/browser";
import { testCloud, type TestCloud } from "../support/cloud";
import { as, incidents, seedSite, seedTeam } from "../support/site";

/**
 * A resident's whole path on a 390 × 844 phone: the placard's QR code, read by a QR decoder, opens
 * the report page; a camera photo carrying EXIF GPS is attached, a choice tapped, and the report
 * sent; then the progress page follows found → recorded → fixed → re-checked as staff act.
 */
describe("resident report page (Chromium, phone size)", () => {
  let cloud: TestCloud;
  let server: ServerType;
  let base: string;
  let browser: Browser;
  let team: Awaited<ReturnType<typeof seedTeam>>;

  beforeAll(async () => {
    cloud = await testCloud({ config: { recheckAfterMs: 7 * 86_400_000 } });
    await seedSite(cloud.database.db);
    team = await seedTeam(cloud);
    server = serve({ fetch: cloud.app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((resolve) => server.once("listening", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
    await cloud?.close();
  });

  /** The width the page lays out at, against the screen's: equal means no sideways scrolling. */
  const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

  it("from the placard's QR code to a re-checked hazard", async () => {
    // The placard as printed: its QR code decoded like a phone camera would.
    const sheet = await placardSheet(await placardsUnder(cloud.database.db, "bd-2", 0), { baseUrl: base, size: "A4" });
    const svg = /<svg[\s\S]*?<\/svg>/.exec(sheet)![0];
    const { data, info } = await sharp(Buffer.from(svg), { density: 300 }).flatten({ background: "#fff" }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const url = jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength), info.width, info.height)!.data;
    expect(url).toMatch(new RegExp(`^${base}/r/[A-Za-z0-9_-]{22}$`));

    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "zh-CN" });
    const page = await context.newPage();
    const scriptErrors: string[] = [];
    page.on("pageerror", (error) => scriptErrors.push(error.message));
    await page.goto(url);
    await expect.poll(() => page.textContent("#place")).toBe("Heping Community · No. 3 Compound · Building 2");
    expect(await page.textContent("h1")).toContain("隐患随手拍");
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    const fontSize = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
    expect(fontSize).toBeGreaterThanOrEqual(16);
    const targets = await page.locator("#report .btn, .choices .box").evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
    expect(targets).toHaveLength(9);
    for (const height of targets) expect(height).toBeGreaterThanOrEqual(44);

    // A phone camera's JPEG: 4000 × 3000 with the camera's make and the GPS position in its EXIF.
    const photo = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: { r: 90, g: 120, b: 160 } } })
      .jpeg()
      .withExif({ IFD0: { Make: "HUAWEI", Model: "P60" }, IFD3: { GPSLatitudeRef: "N", GPSLatitude: "30/1 35/1 1200/100", GPSLongitudeRef: "E", GPSLongitude: "114/1 18/1 3600/100" } })
      .toBuffer();
    expect((await exifr.gps(photo))?.latitude).toBeCloseTo(30.5867, 3);
    await page.setInputFiles("#album", { name: "IMG_2041.jpg", mimeType: "image/jpeg", buffer: photo });
    await page.waitForSelector("#preview[src^='blob:']", { state: "visible" });
    await page.click("text=电动车在楼内充电");
    await page.fill("#description", "2单元楼梯口两辆电动车在充电");
    await page.screenshot({ path: "docs/resident-report-phone.png", fullPage: true });
    await page.click("#send");
    await page.waitForSelector("#done", { state: "visible" });
    const statusLink = (await page.textContent("#status-link"))!;
    expect(statusLink).toMatch(new RegExp(`^${base}/r/status#rp_[A-Za-z0-9_-]{32}$`));

    // Stored: shrunk on the phone, no EXIF at all (no position, no camera).
    const [file] = readdirSync(join(cloud.dataDir, "reports"));
    const stored = readFileSync(join(cloud.dataDir, "reports", file));
    expect(await exifr.parse(stored, true)).toBeUndefined();
    expect((await sharp(stored).metadata()).width).toBeLessThanOrEqual(1600);
    await cloud.settle();
    const [reported] = await incidents(cloud);
    expect(reported).toMatchObject({ hazard: "resident-report", placeId: "bd-2", status: "open" });

    const steps = async () => {
      await page.click("#refresh");
      await page.waitForTimeout(150);
      return page.locator("#steps li").evaluateAll((items) => items.map((li) => li.classList.contains("done")));
    };
    await page.goto(statusLink);
    await page.waitForSelector("#steps li");
    expect(await page.textContent("#what")).toContain("电动车在楼内充电");
    expect(await steps()).toEqual([true, false, false, false]);

    await as(cloud, team.grid.token).post(`/api/incidents/${reported.id}/ack`);
    expect(await steps()).toEqual([true, true, false, false]);
    await as(cloud, team.grid.token).post(`/api/incidents/${reported.id}/dispatch`, { staffIds: [team.property.id] });
    await as(cloud, team.property.token).post(`/api/incidents/${reported.id}/resolve`, { note: "bikes moved, socket removed" });
    expect(await steps()).toEqual([true, true, true, false]);
    expect(await page.textContent("#steps li:nth-child(4)")).toContain("计划复查时间");
    await cloud.advance(7 * 86_400_000);
    await as(cloud, team.property.token).post(`/api/incidents/${reported.id}/recheck`, { outcome: "ok", note: "checked again" });
    expect(await steps()).toEqual([true, true, true, true]);
    const text = await page.textContent("body");
    expect(text).not.toMatch(/Grid CM1|Property CP1|staff:/);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: "docs/resident-status-phone.png", fullPage: true });
    expect(scriptErrors).toEqual([]);
    await context.close();
  });

  it("a retired or made-up code says so in words, with 119 beside it", async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const response = await page.goto(`${base}/r/${"Z".repeat(22)}`);
    expect(response?.status()).toBe(404);
    expect(await page.textContent("body")).toContain("这个二维码已停用");
    expect(await page.textContent("body")).toContain("119");
    await page.close();
  });
});
