import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../cloud/auth/tokens";
import { memoryLogger } from "../../cloud/log";
import { startCloud, type RunningCloud } from "../../cloud/server";
import { encodeMessage } from "../../shared/codec";
import type { AlarmMessage } from "../../shared/messages";
import { nodeTopic } from "../../shared/topics";
import { browserKeys, tempDatabaseUrl } from "../support/cloud";
import { fakePushService, type FakePushService } from "../support/fake-providers";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { placeNode, seedSite } from "../support/site";
import { openSse } from "../support/sse";
import { waitFor } from "../support/wait";

/** A node's alarm through Mosquitto → ingest → incident → router → the console stream and the person's browser (Web Push). */
describe("alarm routing over a real broker", () => {
  let broker: Mosquitto;
  let cloud: RunningCloud;
  let push: FakePushService;
  let admin: string;

  beforeAll(async () => {
    broker = await startMosquitto();
    push = await fakePushService();
    cloud = await startCloud({
      databaseUrl: tempDatabaseUrl(),
      mqtt: { url: broker.url, protocolVersion: 5, shareGroup: "ingest" },
      instanceId: `routing-${process.pid}`,
      port: 0,
      host: "127.0.0.1",
      log: memoryLogger(),
      routing: { allowLoopbackPushEndpoints: true },
    });
    admin = await createToken(cloud.database.db, "e2e", "admin", Date.now());
    await seedSite(cloud.database.db);
    await placeNode(cloud.database.db, "smoke-e2e-b1", "fl-1-3");
  });
  afterAll(async () => {
    await cloud?.close();
    await push?.close();
    await broker?.stop();
  });

  it("tells the building lead on the console and on their phone's browser", async () => {
    const api = (path: string, token: string, init: RequestInit = {}) =>
      fetch(`${cloud.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...init.headers } });
    const created = await api("/api/staff", admin, { method: "POST", body: JSON.stringify({ name: "Lead", role: "building-lead", scopes: ["bd-1"] }) });
    const { staff, token } = (await created.json()) as { staff: { id: number }; token: string };
    // The phone's browser subscribes as the console does it.
    const { publicKey } = (await (await api("/api/push/key", token)).json()) as { publicKey: string };
    const browser = browserKeys();
    const endpoint = push.browser("/fcm/send/lead-phone", { ecdh: browser.ecdh, auth: browser.auth, serverKey: publicKey });
    expect((await api("/api/push/subscriptions", token, { method: "POST", body: JSON.stringify({ endpoint, keys: { p256dh: browser.keys.p256dh, auth: browser.auth.toString("base64url") } }) })).status).toBe(201);
    const sse = await openSse(`${cloud.url}/api/incidents/stream`, token);
    await sse.next("ready");

    const node = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: "smoke-e2e-b1" });
    const alarm: AlarmMessage = { v: 1, node: "smoke-e2e-b1", boot: 1, seq: 1, t: 5000, type: "alarm", kind: "smoke", severity: "alarm", state: "raised", value: 980, unit: "raw", threshold: 700 };
    const publishedAt = Date.now();
    await node.publishAsync(nodeTopic("smoke-e2e-b1", "alarm"), encodeMessage(alarm), { qos: 1 });
    try {
      const notification = await sse.next("notification");
      expect(JSON.parse(notification.data)).toMatchObject({ purpose: "notify", incident: { hazard: "fire" } });
      await waitFor(() => push.received.length === 1, "the push", 5000);
      expect(push.refused).toEqual([]);
      expect(push.received[0].payload).toMatchObject({ hazard: "fire", purpose: "notify", title: expect.stringContaining("火警") });
      type Delivery = { channel: string; staffId: number; status: string; provider: string | null };
      const deliveriesNow = async () =>
        ((await (await api(`/api/incidents/${(push.received[0].payload as { incidentId: number }).incidentId}`, admin)).json()) as { deliveries: Delivery[] }).deliveries;
      // The push service took it; the row says so once the outcome is written.
      const deliveries = await waitFor(async () => {
        const rows = await deliveriesNow();
        return rows.some((d) => d.channel === "push" && d.status !== "pending") && rows;
      }, "the push delivery recorded", 5000);
      expect(deliveries.find((d) => d.channel === "push" && d.staffId === staff.id)).toMatchObject({ status: "sent", provider: "web-push" });
      expect(deliveries.find((d) => d.channel === "console" && d.staffId === staff.id)).toMatchObject({ status: "sent" });
      console.log(`node publish → browser push taken by the push service ${push.received[0].atMs - publishedAt} ms`);
    } finally {
      sse.close();
      await node.endAsync();
    }
  });
});
