import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Ingest, IngestOutcome } from "../../cloud/ingest/ingest";
import { startSubscriber } from "../../cloud/ingest/subscriber";
import { memoryLogger } from "../../cloud/log";
import { nodeTopic } from "../../shared/topics";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { waitFor } from "../support/wait";

/** An ingest whose answers the test scripts: by payload, in order of arrival. */
function scriptedIngest(answer: (payload: string, delivery: number) => { outcome: IngestOutcome; afterMs: number }) {
  const deliveries = new Map<string, number>();
  const seen: string[] = [];
  const ingest: Ingest = {
    stats: {} as Ingest["stats"],
    idle: async () => {},
    async handle(_topic, payload) {
      const text = Buffer.from(payload).toString();
      const delivery = (deliveries.get(text) ?? 0) + 1;
      deliveries.set(text, delivery);
      seen.push(text);
      const { outcome, afterMs } = answer(text, delivery);
      await new Promise((resolve) => setTimeout(resolve, afterMs));
      return outcome;
    },
  };
  return { ingest, deliveries, seen };
}

/** The ingest's own MQTT client over a real Mosquitto: acknowledgement after store, and what happens when a store fails. */
describe("ingest subscriber", () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(() => broker?.stop());

  const publish = async (clientId: string, payloads: string[]) => {
    const client = await mqtt.connectAsync(broker.url, { clientId, protocolVersion: 5 });
    for (const payload of payloads) await client.publishAsync(nodeTopic("sub-test-01", "telemetry"), payload, { qos: 1 });
    await client.endAsync();
  };

  it("acknowledges messages whose stores finish out of order, each once, and holds none back", async () => {
    // Later messages finish first: each waits less than the one before it.
    const { ingest, deliveries } = scriptedIngest((payload) => ({ outcome: "stored", afterMs: 60 - Number(payload) }));
    const subscription = await startSubscriber({ url: broker.url, clientId: "sub-order", protocolVersion: 5 }, ingest, memoryLogger());
    try {
      await publish("pub-order", Array.from({ length: 50 }, (_, i) => String(i)));
      await waitFor(() => subscription.acknowledged === 50, "50 acknowledgements", 5000);
      expect([...deliveries.values()].every((count) => count === 1)).toBe(true);
    } finally {
      await subscription.close();
    }
  });

  it("does not acknowledge a message whose store failed: the broker delivers it again", async () => {
    const log = memoryLogger();
    const { ingest, deliveries } = scriptedIngest((payload, delivery) => ({
      outcome: payload === "7" && delivery === 1 ? "failed" : "stored",
      afterMs: 1,
    }));
    const subscription = await startSubscriber({ url: broker.url, clientId: "sub-fail", protocolVersion: 5 }, ingest, log);
    try {
      await publish("pub-fail", Array.from({ length: 20 }, (_, i) => String(i)));
      await waitFor(() => (deliveries.get("7") ?? 0) >= 2, "message 7 delivered again", 10_000);
      await waitFor(() => [...deliveries.keys()].length === 20 && subscription.connected, "all 20 seen, reconnected", 10_000);
      expect(deliveries.get("7")).toBe(2);
      expect(log.lines.some((line) => line.includes("reconnecting"))).toBe(true);
    } finally {
      await subscription.close();
    }
  });

  it("is sent retained messages when its subscription is new, not again at each reconnect (MQTT 5)", async () => {
    const statusTopic = nodeTopic("sub-test-02", "status");
    const node = await mqtt.connectAsync(broker.url, { clientId: "pub-retained", protocolVersion: 5 });
    await node.publishAsync(statusTopic, "online", { qos: 1, retain: true });
    const { ingest, seen } = scriptedIngest(() => ({ outcome: "stored", afterMs: 0 }));
    const options = { url: broker.url, clientId: "sub-retained", protocolVersion: 5 as const, filters: [nodeTopic("+", "status")] };
    let subscription = await startSubscriber(options, ingest, memoryLogger());
    await waitFor(() => subscription.acknowledged === 1, "the retained status on the first subscription, acknowledged", 5000);
    await subscription.close();
    // Away: what is published meanwhile waits in the session; the retained status is not sent again.
    await node.publishAsync(statusTopic, "still-online", { qos: 1, retain: true });
    await node.endAsync();
    subscription = await startSubscriber(options, ingest, memoryLogger());
    try {
      await waitFor(() => seen.includes("still-online"), "the status published while away", 5000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(seen).toEqual(["online", "still-online"]);
    } finally {
      await subscription.close();
    }
  });

  it("refuses to start with a clear message when the broker is not there", async () => {
    await expect(
      startSubscriber({ url: "mqtt://127.0.0.1:9", clientId: "sub-nowhere", protocolVersion: 5, firstConnectTimeoutMs: 1500 }, scriptedIngest(() => ({ outcome: "stored", afterMs: 0 })).ingest, memoryLogger()),
    ).rejects.toThrow(/could not reach the MQTT broker at mqtt:\/\/127\.0\.0\.1:9\/? within 1.5 s/);
  });
});
