import { mkdirSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openConsole, screenshot, startBrowser, startConsoleServer, VIEWPORTS, type ConsoleServer } from "../support/console";
import { expectFits } from "../support/console-suite";
import { addStaff, seedSite } from "../support/site";

const SHOTS = "docs/screenshots";

/**
 * Staff admin in Chromium: the admin adds a person, gives them places and duty times, issues a
 * sign-in link with its QR code (which then really signs the person in), ends that session, and
 * deactivates them; a crew member is neither offered the page nor let in.
 */
describe("console staff admin (Chromium)", () => {
  let server: ConsoleServer;
  let browser: Browser;
  let grid: { id: number };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startConsoleServer();
    await seedSite(server.cloud.database.db);
    grid = await addStaff(server.cloud, { name: "王网格", role: "grid-worker", scopes: ["cm-1"], shifts: [{ days: ["mon", "tue", "wed", "thu", "fri"], start: "08:00", end: "20:00" }] });
    await addStaff(server.cloud, { name: "李楼长", role: "building-lead", scopes: ["bd-1"], phone: "+8613800000001" });
    browser = await startBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const person = async (id: number) => {
    const body = (await (await server.cloud.get("/api/staff")).json()) as { staff: Array<{ id: number; name: string; role: string; active: boolean; scopes: string[]; shifts: unknown[]; hasPhone: boolean }> };
    return body.staff.find((p) => p.id === id)!;
  };

  it("the admin on a phone, in Chinese: adds a person, their places and duty time, and a sign-in link that signs them in; then ends that session and deactivates them", async () => {
    const { context, page } = await openConsole(browser, server, { who: { role: "admin", name: "社区管理员" }, viewport: "phone", locale: "zh-CN" });
    await page.locator(".nav a[href='#/staff']").click();
    await page.locator(`[data-person='${grid.id}']`).getByText("周一、二、三、四、五 08:00–20:00").waitFor();
    await page.locator(`[data-person='${grid.id}']`).getByText("负责：Heping Community").waitFor();
    await expectFits(page, "staff list");
    await screenshot(page, `${SHOTS}/staff-phone.png`);

    // A new AED volunteer.
    await page.locator("[data-action=add-person]").click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("姓名").fill("孙志愿者");
    await dialog.getByLabel("身份").selectOption("aed-volunteer");
    await dialog.getByLabel("手机号").fill("+8613800000009");
    await expectFits(page, "add dialog");
    await dialog.getByRole("button", { name: "添加人员" }).click();
    await page.locator("#person-title").getByText("孙志愿者").waitFor();
    const id = Number(page.url().split("/").pop());
    expect(await person(id)).toMatchObject({ name: "孙志愿者", role: "aed-volunteer", hasPhone: true, scopes: [], shifts: [] });

    // Their places: found by name, ticked, saved.
    await page.getByLabel("查找地方").fill("No. 3");
    await page.getByRole("checkbox", { name: /No\. 3 Compound/ }).check();
    await page.locator("[data-action=save-scopes]").click();
    await page.locator("[data-saved=scopes]").getByText("已保存").waitFor();
    expect((await person(id)).scopes).toEqual(["cp-1"]);

    // A duty time: weekends, overnight.
    await page.locator("[data-action=add-shift]").click();
    const shift = page.locator("[data-shift='0']");
    for (const day of ["一", "二", "三", "四", "五"]) await shift.getByRole("checkbox", { name: day, exact: true }).uncheck();
    for (const day of ["六", "日"]) await shift.getByRole("checkbox", { name: day, exact: true }).check();
    await shift.getByLabel("开始", { exact: true }).fill("20:00");
    await shift.getByLabel("结束").fill("08:00");
    await page.locator("[data-action=save-shifts]").click();
    await page.locator("[data-saved=shifts]").getByText("已保存").waitFor();
    expect((await person(id)).shifts).toEqual([{ days: ["sun", "sat"], start: "20:00", end: "08:00" }]);
    await page.locator(".person-head").getByText("周六、日 20:00–08:00").waitFor();

    // The sign-in link and its QR code.
    await page.locator("[data-action=issue-link]").click();
    const url = await page.locator("[data-signin-url]").inputValue();
    expect(url).toMatch(new RegExp(`^${server.url}/#/signin/sl_[A-Za-z0-9_-]{43}$`));
    expect(await page.locator("[data-signin-link] img.qr").evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    await expectFits(page, "person page");
    await screenshot(page, `${SHOTS}/staff-person-phone.png`);

    // The volunteer opens it on their own phone: signed in as themselves.
    const theirs = await browser.newContext({ viewport: VIEWPORTS.phone, locale: "zh-CN" });
    const theirPage = await theirs.newPage();
    await theirPage.goto(url);
    await theirPage.locator(".live[data-live=live]").waitFor();
    expect(await theirPage.locator(".nav").textContent()).toContain("孙志愿者");
    expect(await theirPage.locator(".nav a[href='#/staff']").count(), "staff admin is not offered to staff").toBe(0);

    // The admin sees that session, and ends it.
    await page.reload();
    await page.locator("[data-session]").waitFor();
    await page.locator("[data-session]").getByRole("button", { name: "退出这个登录" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "退出登录" }).click();
    await page.locator("[data-no-sessions]").waitFor();
    await theirPage.reload();
    await theirPage.getByText("请向社区办公室索取您的登录链接").waitFor();
    await theirs.close();

    // A new role, then deactivated: no more links until restored.
    await page.getByLabel("身份").last().selectOption("grid-worker");
    await page.locator("[data-action=save-details]").click();
    await page.locator("[data-saved=details]").getByText("已保存").waitFor();
    expect((await person(id)).role).toBe("grid-worker");
    await page.locator("[data-action=deactivate]").click();
    await page.getByRole("dialog").getByRole("button", { name: "停用这个人" }).click();
    await page.locator(".person-head").getByText("已停用").waitFor();
    expect(await page.locator("[data-action=issue-link]").isDisabled()).toBe(true);
    expect((await person(id)).active).toBe(false);
    await expectFits(page, "deactivated person");
    await context.close();
  }, 90_000);

  it("the admin on the office screen, in English", async () => {
    const { context, page } = await openConsole(browser, server, { who: { role: "admin", name: "Office" }, viewport: "desktop", locale: "en" });
    await page.goto(`${server.url}/#/staff`);
    await page.locator(`[data-person='${grid.id}']`).getByText("Mon, Tue, Wed, Thu, Fri 08:00–20:00").waitFor();
    await expectFits(page, "staff list desktop");
    await screenshot(page, `${SHOTS}/staff-desktop.png`);
    await page.locator(`[data-person='${grid.id}']`).click();
    await page.locator("[data-action=issue-link]").click();
    await page.locator("[data-signin-link]").getByText("Works once, until").waitFor();
    await expectFits(page, "person desktop");
    await screenshot(page, `${SHOTS}/staff-person-desktop.png`);
    await context.close();
  });

  it("a crew member is not offered staff admin, and is refused it in words", async () => {
    for (const [viewport, locale, refusal] of [
      ["phone", "zh-CN", "您没有权限做这件事"],
      ["desktop", "en", "You are not allowed to do this"],
    ] as const) {
      const { context, page } = await openConsole(browser, server, { who: { role: "staff", staffId: grid.id }, viewport, locale });
      expect(await page.locator(".nav a[href='#/staff']").count()).toBe(0);
      await page.goto(`${server.url}/#/staff`);
      await page.getByText(refusal).waitFor();
      await expectFits(page, `crew ${viewport}`);
      await page.goto(`${server.url}/#/staff/${grid.id}`);
      await page.getByText(refusal).waitFor();
      await context.close();
    }
  });
});
