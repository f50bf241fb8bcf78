import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueSignInLink } from "../../cloud/auth/sessions";
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
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await cloud?.close();
    await broker?.stop();
  });

  it("signs in with a one-time link, then shows a node's fire alarm live as an incident", async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const link = await issueSignInLink(cloud.database.db, { role: "admin", name: "值班管理员" }, "test", Date.now());
    await page.goto(`${cloud.url}/#/signin/${link.token}`);
    await page.locator(".live[data-live=live]").waitFor();
    // The incident stage is one listener of the feed; the hub carries the page's stream.
    await waitFor(() => cloud.routing.hub.streams > 0, "the page's stream to subscribe");

    const node = await SimNode.boot({ brokerUrl: broker.url, protocolVersion: 5, config: smokeNodeConfig("smoke-console-1"), onLog: () => {} });
    try {
      await node.setPins({ smoke: 300 });
      await waitFor(async () => (await node.inspect()).connected, "the node to connect");
      await node.setPins({ smoke: 1000 });
      const started = performance.now();
      await node.advance(3000);
      const card = page.locator("[data-incident]").first();
      await card.waitFor({ timeout: 5000 });
      console.log(`incident visible in the browser ${(performance.now() - started).toFixed(0)} ms after the node's sample`);
      expect(await card.locator(".status").textContent()).toBe("待处理");

      // After a reload the incident is still there, from the API rather than the stream.
      await page.reload();
      await page.locator("[data-incident]").first().waitFor({ timeout: 5000 });
    } finally {
      await node.stop();
      await page.close();
    }
  });
});
