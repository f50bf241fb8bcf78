import mqtt, { type MqttClient } from "mqtt";
import { AckPolicy, connect, DeliverPolicy, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryLogger } from "../../cloud/log";
import type { Ingest, IngestOutcome, IngestStats } from "../../cloud/ingest/ingest";
import { MQTT_MESSAGES_STREAM, startJetStreamSubscriber } from "../../cloud/ingest/jetstream-subscriber";
import { encodeMessage } from "../../shared/codec";
import type { AlarmMessage } from "../../shared/messages";
import { nodeTopic } from "../../shared/topics";
import { startNatsCluster, type NatsCluster } from "../support/nats-cluster";
import { waitFor } from "../support/wait";

/** An ingest that keeps what it is handed: stored the first time, a copy after (as (node, boot, seq) makes it). */
function recordingIngest(): Ingest & { handled: string[] } {
  const handled: string[] = [];
  return {
    handled,
    async handle(topic: string, payload: Uint8Array): Promise<IngestOutcome> {
      const key = `${topic} ${new TextDecoder().decode(payload)}`;
      const copy = handled.includes(key);
      handled.push(key);
      return copy ? "duplicate" : "stored";
    },
    idle: async () => undefined,
    stats: {} as IngestStats,
  };
}

const alarm = (node: string, seq: number): AlarmMessage => ({ v: 1, node, boot: 1, seq, t: seq, type: "alarm", kind: "smoke", severity: "alarm", state: "raised", value: 900, unit: "raw", threshold: 700 });

/**
 * The JetStream ingest against a real nats-server (one, with its MQTT listener): what it pulls,
 * and what its sweep finds that a durable passed over (bench:ha's failure after a cluster restart).
 */
describe("the JetStream ingest", () => {
  let cluster: NatsCluster;
  let nc: NatsConnection;
  let node: MqttClient;

  beforeAll(async () => {
    cluster = await startNatsCluster(1);
    nc = await connect({ servers: cluster.natsUrls });
    // NATS's MQTT listener makes its streams when its first MQTT client connects.
    node = await mqtt.connectAsync(cluster.mqttUrls, { protocolVersion: 4, clientId: "js-test-node", clean: true });
  }, 60_000);

  afterAll(async () => {
    await node?.endAsync(true);
    await nc?.close();
    await cluster?.stop();
  });

  it("stores a message its durable passed over: held in the stream below the durable's ack floor", async () => {
    const jsm = await nc.jetstreamManager();
    const durable = "swept-alarm";
    // The durable as the ingest makes it.
    await jsm.consumers.add(MQTT_MESSAGES_STREAM, { durable_name: durable, filter_subject: "$MQTT.msgs.sw.v1.node.*.alarm", ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All });
    // Another durable that wants the alarms and never takes them: the stream keeps them for it
    // (interest retention), as it kept the one bench:ha's restart left behind.
    await jsm.consumers.add(MQTT_MESSAGES_STREAM, { durable_name: "holder", filter_subject: "$MQTT.msgs.sw.v1.node.*.alarm", ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All });
    await node.publishAsync(nodeTopic("nd-lost", "alarm"), encodeMessage(alarm("nd-lost", 1)), { qos: 1 });
    // Taken and then given up without being stored: the durable is past it, as bench:ha's was
    // past the alarm its restart lost (terminating it is the one way a test can get there at will).
    const taken = await (await nc.jetstream().consumers.get(MQTT_MESSAGES_STREAM, durable)).next({ expires: 2000 });
    expect(taken?.subject).toBe("$MQTT.msgs.sw.v1.node.nd-lost.alarm");
    const lostSeq = taken!.seq;
    taken!.term();
    await node.publishAsync(nodeTopic("nd-next", "alarm"), encodeMessage(alarm("nd-next", 1)), { qos: 1 });

    const ingest = recordingIngest();
    const log = memoryLogger();
    const subscriber = await startJetStreamSubscriber({ servers: [cluster.natsUrls], durablePrefix: "swept", sweepEveryMs: 200 }, ingest, log);
    try {
      await waitFor(() => ingest.handled.some((h) => h.includes("nd-next")), "the next alarm pulled", 10_000);
      // The durable has gone past the lost one, which the stream still holds.
      await waitFor(async () => (await jsm.consumers.info(MQTT_MESSAGES_STREAM, durable)).ack_floor.stream_seq > lostSeq, "the ack floor past the lost alarm", 10_000);
      expect((await jsm.streams.getMessage(MQTT_MESSAGES_STREAM, { seq: lostSeq })).subject).toBe("$MQTT.msgs.sw.v1.node.nd-lost.alarm");
      await waitFor(() => subscriber.recovered === 1, "the lost alarm swept up and stored", 10_000).catch((e: Error) => { throw new Error(`${e.message}\n${ingest.handled.join("\n")}\n${log.lines.join("\n")}`); });
      expect(ingest.handled.filter((h) => h.includes("nd-lost"))).toEqual([`sw/v1/node/nd-lost/alarm ${encodeMessage(alarm("nd-lost", 1))}`]);
      expect(log.lines.some((line) => line.includes("passed over") && line.includes(String(lostSeq)))).toBe(true);
      // Later sweeps do not hand it in again.
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(ingest.handled.filter((h) => h.includes("nd-lost"))).toHaveLength(1);
    } finally {
      await subscriber.close();
    }
  }, 60_000);
});
