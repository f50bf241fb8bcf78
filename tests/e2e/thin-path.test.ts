import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryLogger } from "../../cloud/log";
import { startCloud, type RunningCloud } from "../../cloud/server";
import { createToken } from "../../cloud/auth/tokens";
import { SimNode } from "../../firmware/platform/sim/host/sim-node";
import { encodeMessage } from "../../shared/codec";
import { nodeTopic } from "../../shared/topics";
import { tempDatabaseUrl } from "../support/cloud";
import { alarm, malformed } from "../support/messages";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { smokeNodeConfig } from "../support/sim-config";
import { openSse } from "../support/sse";
import { waitFor } from "../support/wait";

/**
 * The thin path on real parts: a smoke node's firmware in XS → MQTT QoS 1 through Mosquitto →
 * ingest → libSQL → GET /api/alarms and the SSE stream.
 */
describe("thin path: XS node → Mosquitto → cloud → SSE", () => {
  let broker: Mosquitto;
  let cloud: RunningCloud;
  let token: string;
  const log = memoryLogger();

  beforeAll(async () => {
    broker = await startMosquitto();
    cloud = await startCloud({
      databaseUrl: tempDatabaseUrl(),
      mqtt: { url: broker.url, protocolVersion: 5, shareGroup: "ingest" },
      instanceId: `test-${process.pid}`,
      port: 0,
      host: "127.0.0.1",
      log,
    });
    token = await createToken(cloud.database.db, "e2e", "admin", Date.now());
  });
  afterAll(async () => {
    await cloud?.close();
    await broker?.stop();
  });

  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${cloud.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };

  it("carries each smoke alarm from the node to the live stream in under a second", async () => {
    const sse = await openSse(`${cloud.url}/api/alarms/stream`, token);
    await sse.next("ready");
    const publishedAt = new Map<string, number>();
    const node = await SimNode.boot({
      brokerUrl: broker.url,
      protocolVersion: 5,
      config: smokeNodeConfig("smoke-e2e-01"),
      onLog: () => {},
      onPublish: (topic, payload, atMs) => {
        if (topic.endsWith("/alarm")) publishedAt.set(String(JSON.parse(payload).seq), atMs);
      },
    });
    try {
      await node.setPins({ smoke: 300 });
      await waitFor(async () => (await node.inspect()).connected, "the node to connect");
      await node.advance(10_000);

      const latencies: number[] = [];
      for (let round = 0; round < 5; round++) {
        await node.setPins({ smoke: 950 });
        await node.advance(5000);
        const raised = await sse.next("alarm");
        await node.setPins({ smoke: 300 });
        await node.advance(5000);
        const cleared = await sse.next("alarm");
        for (const event of [raised, cleared]) {
          const record = JSON.parse(event.data) as { seq: number; nodeId: string };
          expect(record.nodeId).toBe("smoke-e2e-01");
          latencies.push(event.atMs - publishedAt.get(String(record.seq))!);
        }
        expect(JSON.parse(raised.data)).toMatchObject({ kind: "smoke", state: "raised", value: 950, threshold: 700 });
        expect(JSON.parse(cleared.data)).toMatchObject({ kind: "smoke", state: "cleared", value: 300 });
      }
      latencies.sort((a, b) => a - b);
      console.log(
        `publish→SSE latency over ${latencies.length} alarms: min ${latencies[0].toFixed(1)} ms, ` +
          `median ${latencies[latencies.length >> 1].toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`,
      );
      expect(latencies.at(-1)).toBeLessThan(1000);

      const { alarms } = await api<{ alarms: Array<{ nodeId: string; state: string; evidence: number[] }> }>("/api/alarms?node=smoke-e2e-01");
      expect(alarms).toHaveLength(10);
      expect(alarms[0].state).toBe("cleared");
      expect(alarms[1].evidence.slice(-3)).toEqual([950, 950, 950]);
      const { nodes } = await api<{ nodes: Array<{ id: string; online: boolean; firmware: string }> }>("/api/nodes");
      expect(nodes).toContainEqual(expect.objectContaining({ id: "smoke-e2e-01", online: true, firmware: "0.1.0-test" }));
    } finally {
      sse.close();
      await node.stop();
    }
  });

  it("counts malformed messages that came through the broker and stores none of them", async () => {
    // What the last test's node sent as it stopped may still be on its way (the bulk lane gathers
    // before it writes): let the ingest settle before counting.
    await waitFor(async () => {
      const stored = cloud.ingest.stats.stored;
      await new Promise((resolve) => setTimeout(resolve, 300));
      await cloud.ingest.idle();
      return cloud.ingest.stats.stored === stored;
    }, "the ingest to settle");
    const before = structuredClone(cloud.ingest.stats);
    const client = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: "malformed-sender" });
    // Mosquitto itself refuses payloads over its message_size_limit, so send the oversized one
    // to the ingest directly below; everything else goes through the broker.
    const viaBroker = malformed.filter(([name]) => name !== "oversized payload");
    for (const [, topic, text] of viaBroker) await client.publishAsync(topic, text, { qos: 1 });
    await client.endAsync();
    await waitFor(() => cloud.ingest.stats.received - before.received >= viaBroker.length - 1, "the broker to deliver them");
    const stats = cloud.ingest.stats;
    const rejected = Object.values(stats.rejected).reduce((a, b) => a + b, 0) - Object.values(before.rejected).reduce((a, b) => a + b, 0);
    // The one on the command channel is not an uplink topic: the ingest never subscribes to it.
    expect(rejected).toBe(viaBroker.length - 1);
    expect(stats.stored).toBe(before.stored);
    const { alarms } = await api<{ alarms: unknown[] }>("/api/alarms?node=smoke-001");
    expect(alarms).toHaveLength(0);
    expect(await cloud.ingest.handle(nodeTopic("smoke-001", "alarm"), new TextEncoder().encode(malformed.find(([n]) => n === "oversized payload")![2]))).toBe("rejected");
  });

  it("stores an alarm sent twice over the broker once", async () => {
    const client = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: "smoke-dup-01" });
    const message = encodeMessage({ ...alarm, node: "smoke-dup-01", seq: 42 });
    await client.publishAsync(nodeTopic("smoke-dup-01", "alarm"), message, { qos: 1 });
    await client.publishAsync(nodeTopic("smoke-dup-01", "alarm"), message, { qos: 1 });
    await client.endAsync();
    const before = cloud.ingest.stats.duplicates;
    await waitFor(() => cloud.ingest.stats.duplicates > before || cloud.ingest.stats.duplicates >= 1, "the duplicate to be seen");
    const { alarms } = await api<{ alarms: unknown[] }>("/api/alarms?node=smoke-dup-01");
    expect(alarms).toHaveLength(1);
  });
});
