import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../cloud/auth/tokens";
import { memoryLogger } from "../../cloud/log";
import { startCloud, type RunningCloud } from "../../cloud/server";
import { SimNode } from "../../firmware/platform/sim/host/sim-node";
import { launchChromium } from "../support/browser";
import { tempDatabaseUrl } from "../support/cloud";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { smokeNodeConfig } from "../support/sim-config";
import { waitFor } from "../support/wait";

describe("console page in a real browser", () => {
  let broker: Mosquitto;
  let cloud: RunningCloud;
  let browser: Browser;
  let token: string;

  beforeAll(async () => {
    broker = await startMosquitto();
    cloud = await startCloud({
      databaseUrl: tempDatabaseUrl(),
      mqtt: { url: broker.url, protocolVersion: 5 },
      instanceId: `console-${process.pid}`,
      port: 0,
      host: "127.0.0.1",
      log: memoryLogger(),
    });
    token = await createToken(cloud.database.db, "browser", "admin", Date.now());
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await cloud?.close();
    await broker?.stop();
  });

  it("asks for a token, refuses a wrong one, then shows a node's alarm live", async () => {
    const page = await browser.newPage();
    await page.goto(`${cloud.url}/`);
    await page.fill("#token", "sw_wrong");
    await page.click("button[type=submit]");
    await page.waitForSelector("text=That token was refused");

    await page.fill("#token", token);
    await page.click("button[type=submit]");
    await page.waitForSelector("#status:text('live')");
    expect(await page.isVisible("#login")).toBe(false);
    // The incident stage is one listener of the feed; the page's stream is the next.
    await waitFor(() => cloud.feed.listeners > 1, "the page's stream to subscribe");

    const node = await SimNode.boot({ brokerUrl: broker.url, protocolVersion: 5, config: smokeNodeConfig("smoke-console-1"), onLog: () => {} });
    try {
      await node.setPins({ smoke: 300 });
      await waitFor(async () => (await node.inspect()).connected, "the node to connect");
      await node.setPins({ smoke: 1000 });
      const started = performance.now();
      await node.advance(3000);
      const row = page.locator("#alarms tr", { hasText: "smoke-console-1" });
      await row.first().waitFor({ timeout: 5000 });
      console.log(`alarm visible in the browser ${(performance.now() - started).toFixed(0)} ms after the node's sample`);
      const cells = await row.first().locator("td").allTextContents();
      expect(cells.slice(1, 5)).toEqual(["smoke-console-1", "smoke", "raised", "1000 raw"]);
      await page.screenshot({ path: `${process.env.SCREENSHOT_DIR ?? "/tmp"}/shouwang-console.png` });

      // After a reload the alarm is still there, from the API rather than the stream.
      await page.reload();
      await page.locator("#alarms tr", { hasText: "smoke-console-1" }).first().waitFor({ timeout: 5000 });

      // The same alarm opened an incident; acknowledging it from the page moves it on.
      const incident = page.locator("#incidents tr", { hasText: "smoke-console-1" }).first();
      await incident.waitFor({ timeout: 5000 });
      expect(await incident.locator("td.status").textContent()).toBe("open");
      await incident.locator("button", { hasText: "Acknowledge" }).click();
      await page.locator("#incidents tr td.status", { hasText: "acknowledged" }).first().waitFor({ timeout: 5000 });
      await page.screenshot({ path: `${process.env.SCREENSHOT_DIR ?? "/tmp"}/shouwang-console-incidents.png` });
    } finally {
      await node.stop();
      await page.close();
    }
  });
});
