import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../cloud/auth/tokens";
import { memoryLogger } from "../../cloud/log";
import { startCloud, type RunningCloud } from "../../cloud/server";
import { encodeMessage } from "../../shared/codec";
import type { AlarmMessage } from "../../shared/messages";
import { nodeTopic, staffNotifyFilter, staffNotifyTopic } from "../../shared/topics";
import { tempDatabaseUrl } from "../support/cloud";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { placeNode, seedSite } from "../support/site";
import { openSse } from "../support/sse";

/** A node's alarm through Mosquitto → ingest → incident → router → the staff app topic and the console stream. */
describe("alarm routing over a real broker", () => {
  let broker: Mosquitto;
  let cloud: RunningCloud;
  let admin: string;

  beforeAll(async () => {
    broker = await startMosquitto();
    cloud = await startCloud({
      databaseUrl: tempDatabaseUrl(),
      mqtt: { url: broker.url, protocolVersion: 5, shareGroup: "ingest" },
      instanceId: `routing-${process.pid}`,
      port: 0,
      host: "127.0.0.1",
      log: memoryLogger(),
    });
    admin = await createToken(cloud.database.db, "e2e", "admin", Date.now());
    await seedSite(cloud.database.db);
    await placeNode(cloud.database.db, "smoke-e2e-b1", "fl-1-3");
  });
  afterAll(async () => {
    await cloud?.close();
    await broker?.stop();
  });

  it("pushes a fire to the building lead's app and console within a second of the node's publish", async () => {
    const created = await fetch(`${cloud.url}/api/staff`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "Lead", role: "building-lead", scopes: ["bd-1"] }),
    });
    const { staff, token } = (await created.json()) as { staff: { id: number }; token: string };

    const phone = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: "staff-app-e2e" });
    const pushes: Array<{ topic: string; atMs: number; body: { incident: { hazard: string; nodeId: string } } }> = [];
    phone.on("message", (topic, payload) => pushes.push({ topic, atMs: performance.now(), body: JSON.parse(payload.toString()) }));
    await phone.subscribeAsync(staffNotifyFilter(), { qos: 1 });
    const sse = await openSse(`${cloud.url}/api/incidents/stream`, token);
    await sse.next("ready");

    const node = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: "smoke-e2e-b1" });
    const alarm: AlarmMessage = { v: 1, node: "smoke-e2e-b1", boot: 1, seq: 1, t: 5000, type: "alarm", kind: "smoke", severity: "alarm", state: "raised", value: 980, unit: "raw", threshold: 700 };
    const publishedAt = performance.now();
    await node.publishAsync(nodeTopic("smoke-e2e-b1", "alarm"), encodeMessage(alarm), { qos: 1 });
    const notification = await sse.next("notification");
    const deadline = Date.now() + 2000;
    while (!pushes.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    try {
      expect(pushes).toHaveLength(1);
      expect(pushes[0].topic).toBe(staffNotifyTopic(staff.id));
      expect(pushes[0].body.incident).toMatchObject({ hazard: "fire", nodeId: "smoke-e2e-b1" });
      expect(JSON.parse(notification.data)).toMatchObject({ purpose: "notify", incident: { hazard: "fire" } });
      const appMs = pushes[0].atMs - publishedAt;
      const sseMs = notification.atMs - publishedAt;
      console.log(`node publish → staff app ${appMs.toFixed(1)} ms, → console SSE ${sseMs.toFixed(1)} ms`);
      expect(appMs).toBeLessThan(1000);
      expect(sseMs).toBeLessThan(1000);
    } finally {
      sse.close();
      await node.endAsync();
      await phone.endAsync();
    }
  });
});
