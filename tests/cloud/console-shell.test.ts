import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueSignInLink } from "../../cloud/auth/sessions";
import {
  horizontalOverflow,
  openConsole,
  seriousA11yViolations,
  signIn,
  smallTargets,
  startBrowser,
  startConsoleServer,
  VIEWPORTS,
  type ConsoleServer,
} from "../support/console";
import { addStaff, nodeAlarm, placeNode, seedSite } from "../support/site";

describe("console shell: sign-in, language, live stream (Chromium)", () => {
  let server: ConsoleServer;
  let browser: Browser;
  let grid: { id: number };

  beforeAll(async () => {
    server = await startConsoleServer();
    await seedSite(server.cloud.database.db);
    await placeNode(server.cloud.database.db, "smoke-b1-301", "fl-1-3");
    grid = await addStaff(server.cloud, { name: "王网格", role: "grid-worker", scopes: ["cm-1"] });
    await nodeAlarm(server.cloud, "smoke-b1-301", { severity: "urgent", value: 1020 });
    await server.cloud.settle();
    browser = await startBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("without a session asks for a sign-in link, in Chinese, then signs in with one and cannot reuse it", async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.phone });
    const page = await context.newPage();
    await page.goto(server.url);
    await page.getByText("请向社区办公室索取您的登录链接或二维码").waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("zh-CN");

    const link = await issueSignInLink(server.cloud.database.db, { role: "staff", staffId: grid.id }, "test", server.cloud.clock.now);
    await page.goto(`${server.url}/#/signin/${link.token}`);
    await page.locator(".live[data-live=live]").waitFor();
    // The secret leaves the address bar at once.
    expect(page.url()).not.toContain(link.token);
    await page.getByText("王网格").waitFor();
    const cookie = (await context.cookies()).find((c) => c.name === "sw_session");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict" });

    // The same link in another browser is refused, in words.
    const other = await browser.newContext({ viewport: VIEWPORTS.phone });
    const second = await other.newPage();
    await second.goto(`${server.url}/#/signin/${link.token}`);
    await second.getByText("登录没有成功").waitFor();
    await second.getByText("这件事的状态已经变了").or(second.getByText("找不到这条记录")).or(second.getByText("服务器")).first().waitFor().catch(() => {});
    expect(await second.locator(".error").count()).toBe(1);
    await other.close();
    await context.close();
  });

  it("switches to English and remembers it in this browser; signs out", async () => {
    const { context, page } = await openConsole(browser, server, { who: { role: "admin", name: "Admin" }, viewport: "desktop", locale: "zh-CN" });
    await page.getByRole("button", { name: "English" }).click();
    await page.getByRole("link", { name: "Incidents" }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    await page.reload();
    await page.getByRole("link", { name: "Incidents" }).waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("Ask the community office for your sign-in link").waitFor();
    // The cookie is gone and the session with it: the API refuses this browser now.
    expect((await page.request.get(`${server.url}/api/me`)).status()).toBe(401);
    await context.close();
  });

  it("a deactivated person is out at the next request; a forged cross-site post is refused", async () => {
    const person = await addStaff(server.cloud, { name: "李楼长", role: "building-lead", scopes: ["bd-1"] });
    const { context, page } = await openConsole(browser, server, { who: { role: "staff", staffId: person.id }, viewport: "phone", locale: "zh-CN" });
    // Without the console's header (what a form on another site would send), a change is refused.
    const forged = await page.request.post(`${server.url}/api/incidents/1/ack`, { data: {} });
    expect(forged.status()).toBe(403);
    expect(((await forged.json()) as { message: string }).message).toContain("did not come from the console");

    const deactivate = await server.cloud.app.request(`/api/staff/${person.id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${server.cloud.token}`, "content-type": "application/json" },
      body: JSON.stringify({ active: false }),
    });
    expect(deactivate.status).toBe(200);
    expect((await page.request.get(`${server.url}/api/me`)).status()).toBe(403);
    await page.reload();
    await page.getByText("您的账号已停用").waitFor();
    await context.close();
  });

  it("shows new incidents live, says so while reconnecting after the server drops the stream, and catches up", async () => {
    const { context, page } = await openConsole(browser, server, { who: { role: "staff", staffId: grid.id }, viewport: "phone", locale: "zh-CN" });
    await page.locator("[data-incident]").first().getByText("火警").waitFor();
    const before = await page.locator("[data-incident]").count();

    server.dropConnections();
    await page.getByText("正在重新连接").first().waitFor();
    // While away, an alarm in another building; once back the list has it without a reload.
    await placeNode(server.cloud.database.db, "smoke-b2-501", "fl-2-5");
    await nodeAlarm(server.cloud, "smoke-b2-501", { kind: "heat", severity: "alarm", value: 70, unit: "C", threshold: 57 });
    await server.cloud.settle();
    await page.locator(".live[data-live=live]").waitFor({ timeout: 10_000 });
    await expect.poll(() => page.locator("[data-incident]").count()).toBe(before + 1);
    await context.close();
  });

  for (const locale of ["zh-CN", "en"] as const) {
    for (const viewport of ["phone", "desktop"] as const) {
      it(`fits ${viewport} in ${locale}: no sideways scrolling, 44 px targets, no serious axe violation`, async () => {
        const { context, page } = await openConsole(browser, server, { who: { role: "admin", name: "Admin" }, viewport, locale });
        await page.locator("[data-incident]").first().waitFor();
        expect(await horizontalOverflow(page)).toBe(0);
        expect((await smallTargets(page)).join("; ")).toBe("");
        expect(JSON.stringify(await seriousA11yViolations(page))).toBe("[]");
        await context.close();
      });
    }
  }

  it("signing in again after sign-out needs a new link", async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.phone });
    const page = await context.newPage();
    await signIn(page, server, { role: "admin", name: "Admin" });
    expect((await page.request.get(`${server.url}/api/me`)).status()).toBe(200);
    await context.close();
  });
});
