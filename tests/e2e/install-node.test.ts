import { eq } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodes } from "../../cloud/db/schema";
import { labelPayload } from "../../cloud/fleet/labels";
import { ensureNodeRow, insertBatch, insertDeviceWithinBatch } from "../../cloud/fleet/queries";
import { horizontalOverflow, openConsole, screenshot, seriousA11yViolations, smallTargets, startBrowser, startConsoleServer, type ConsoleServer } from "../support/console";
import { seedSite } from "../support/site";
import { XsScenario } from "../support/xs";

const SERIAL = "a4cf12345678";
const WIFI = { ssid: "和平社区-物业", password: "correct horse battery", rssiDbm: -50 };

/**
 * The installer's screen with a simulated node: the page's Web Bluetooth is a stand-in whose GATT
 * characteristics carry the bytes to the node's Improv setup running in XS (tests/firmware/xs/improv.ts),
 * and the page's own Improv client is the npm Improv SDK, bundled into the console.
 */
describe("installing a node from the phone (Chromium, simulated node over Web Bluetooth)", () => {
  let server: ConsoleServer;
  let browser: Browser;
  let xs: XsScenario;

  beforeAll(async () => {
    server = await startConsoleServer();
    await seedSite(server.cloud.database.db);
    await insertBatch(server.cloud.database.db, { id: "b-install", kind: "sensor", board: "esp32-devkitc", maxDevices: 10, claimSecretHash: "0".repeat(64), expiresAt: Date.now() + 86_400_000, createdAt: Date.now() });
    browser = await startBrowser();
    xs = await XsScenario.load(new URL("../firmware/xs/improv.ts", import.meta.url));
  });
  afterAll(async () => {
    await xs?.close();
    await browser?.close();
    await server?.close();
  });

  /** Gives the page a Web Bluetooth whose only device is the XS node; returns the names the page asked for. */
  async function simulatedBluetooth(page: Page): Promise<string[]> {
    const asked: string[] = [];
    await page.exposeFunction("swNodeWrite", async (bytes: number[]) => {
      const written = (await xs.call<{ ble: unknown[] }>({ op: "ble", bytes })).value.ble;
      // The node's Wi-Fi answers after its (virtual) join time.
      const later = (await xs.call<{ ble: unknown[] }>({ op: "advance", ms: 2000 })).value.ble;
      return [...written, ...later];
    });
    await page.exposeFunction("swNodeRead", async (characteristic: string) => (await xs.call<number[]>({ op: "bleRead", characteristic })).value);
    await page.exposeFunction("swAsked", (name: string) => void asked.push(name));
    await page.addInitScript(() => {
      const w = window as unknown as {
        swNodeWrite(bytes: number[]): Promise<Array<{ characteristic: string; value: number[] }>>;
        swNodeRead(c: string): Promise<number[]>;
        swAsked(name: string): void;
      };
      const uuids: Record<string, string> = { "8001": "state", "8002": "error", "8003": "rpcCommand", "8004": "rpcResult", "8005": "capabilities" };
      const chars = new Map<string, EventTarget & { value?: DataView }>();
      const deliver = (out: Array<{ characteristic: string; value: number[] }>) => {
        for (const { characteristic, value } of out) {
          const target = chars.get(characteristic)!;
          target.value = new DataView(Uint8Array.from(value).buffer);
          target.dispatchEvent(new Event("characteristicvaluechanged"));
        }
      };
      for (const name of Object.values(uuids)) {
        const target = Object.assign(new EventTarget(), {
          startNotifications: async () => target,
          readValue: async () => new DataView(Uint8Array.from(await w.swNodeRead(name)).buffer),
          writeValueWithoutResponse: async (payload: Uint8Array) => {
            for (let at = 0; at < payload.length; at += 20) deliver(await w.swNodeWrite(Array.from(payload.subarray(at, at + 20))));
          },
        });
        chars.set(name, target);
      }
      const device = Object.assign(new EventTarget(), {
        name: "SW-sensor-345678",
        gatt: {
          connected: true,
          connect: async () => device.gatt,
          disconnect: () => void (device.gatt.connected = false),
          getPrimaryService: async () => ({ getCharacteristic: async (uuid: string) => chars.get(uuids[uuid.slice(-4)])! }),
        },
      });
      Object.defineProperty(navigator, "bluetooth", {
        value: {
          requestDevice: async (options: { filters: Array<{ name?: string; namePrefix?: string }> }) => {
            w.swAsked(options.filters[0].name ?? `${options.filters[0].namePrefix}*`);
            return device;
          },
        },
      });
    });
    return asked;
  }

  it("label → Wi-Fi over Bluetooth (a wrong password named, then the right one) → online → place → installed", async () => {
    await xs.call({ op: "start", networks: [WIFI] });
    const { context, page } = await openConsole(browser, server, { who: { role: "admin", name: "安装员" }, viewport: "phone", locale: "zh-CN" });
    const asked = await simulatedBluetooth(page);
    page.on("pageerror", (e) => console.log("pageerror", e.message));
    page.on("console", (m) => m.type() === "error" && console.log("console", m.text()));
    await page.goto(`${server.url}/#/install`);
    await page.reload(); // a new document, so the stand-in Web Bluetooth is installed
    await page.fill("#install-label", labelPayload(SERIAL, "sensor"));
    await page.click("button[type=submit]");
    await page.click("text=连接设备（蓝牙）");
    await page.getByText("已连上 SW-sensor-345678").waitFor();
    expect(asked).toEqual(["SW-sensor-345678"]);

    await page.fill("#install-ssid", WIFI.ssid);
    await page.fill("#install-password", "not the password");
    await page.click("text=发送给设备");
    await page.getByText("密码不对").waitFor();
    expect((await xs.call<{ status: string; flash: Record<string, string> }>({ op: "inspect" })).value).toMatchObject({ status: "wrong-password", flash: {} });

    await page.fill("#install-password", WIFI.password);
    await page.click("text=发送给设备");
    await page.getByText("设备正在注册上线").waitFor();
    expect(JSON.parse((await xs.call<{ flash: Record<string, string> }>({ op: "inspect" })).value.flash.wifi).ssid).toBe(WIFI.ssid);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);

    // The node claims its identity and connects (the claim itself is tested in tests/e2e/provisioning.test.ts).
    const db = server.cloud.database.db;
    await insertDeviceWithinBatch(db, { serial: SERIAL, nodeId: SERIAL, batchId: "b-install", kind: "sensor", board: "esp32-devkitc", credentialHash: "x", claimPadHash: "y", firmware: "0.3.0", claimedAt: Date.now() }, 10);
    await ensureNodeRow(db, SERIAL, Date.now());
    await db.update(nodes).set({ online: true }).where(eq(nodes.id, SERIAL));

    await page.getByText("设备已上线").waitFor({ timeout: 10_000 });
    await page.selectOption("#install-place", "bd-2");
    expect(await smallTargets(page)).toEqual([]);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, "docs/install-phone.png");
    await page.click("text=完成安装");
    await page.getByText("安装完成").waitFor();
    const [row] = await db.select().from(nodes).where(eq(nodes.id, SERIAL));
    expect(row.placeId).toBe("bd-2");
    await context.close();
  }, 90_000);

  it("without Web Bluetooth (iPhone, WeChat) it says how to use the node's own hotspot, in English too", async () => {
    const { context, page } = await openConsole(browser, server, { who: { role: "admin", name: "Installer" }, viewport: "phone", locale: "en" });
    // A device never registered (the one above is, and would go straight to its place).
    await page.goto(`${server.url}/#/install/a4cf12abcdef`);
    await page.getByText("cannot reach the node over Bluetooth").waitFor();
    expect(await page.textContent("body")).toContain("abcdef");
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await context.close();
  });
});
