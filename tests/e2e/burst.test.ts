import { sql } from "drizzle-orm";
import mqtt from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../cloud/db/client";
import { memoryLogger } from "../../cloud/log";
import { startCloud, type RunningCloud } from "../../cloud/server";
import { encodeMessage } from "../../shared/codec";
import { nodeTopic } from "../../shared/topics";
import { tempDatabaseUrl } from "../support/cloud";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { waitFor } from "../support/wait";

/**
 * A burst of QoS 1 messages within seconds. The ingest holds up to its Receive Maximum (2000) in
 * hand and writes them in a few transactions; the broker queues the rest for the cloud's session.
 * Mosquitto's default queue (max_queued_messages 1000) drops the overflow, so the project's
 * config raises it; the last case shows what the default would cost.
 */
describe("burst of QoS 1 messages", () => {
  const running: Array<{ stop(): Promise<void> }> = [];
  afterEach(async () => {
    for (const item of running.splice(0).reverse()) await item.stop();
  });

  const cloudOn = async (broker: Mosquitto, databaseUrl: string) => {
    const cloud = await startCloud({
      databaseUrl,
      mqtt: { url: broker.url, protocolVersion: 5 },
      instanceId: `burst-${process.pid}`,
      port: 0,
      host: "127.0.0.1",
      log: memoryLogger(),
      livenessEveryMs: 0,
    });
    return cloud;
  };

  /** `count` telemetry messages from one publisher, QoS 1, as fast as the broker takes them. */
  const burst = async (broker: Mosquitto, count: number) => {
    const client = await mqtt.connectAsync(broker.url, { clientId: "burst-node-01", protocolVersion: 4 });
    const started = performance.now();
    const acks: Array<Promise<unknown>> = [];
    for (let seq = 1; seq <= count; seq++) {
      const message = { v: 1 as const, node: "burst-node-01", boot: 1, seq, t: seq, type: "telemetry" as const, readings: { smokeRaw: 300 + (seq % 40) } };
      acks.push(client.publishAsync(nodeTopic("burst-node-01", "telemetry"), encodeMessage(message), { qos: 1 }));
    }
    await Promise.all(acks);
    const seconds = (performance.now() - started) / 1000;
    await client.endAsync();
    return seconds;
  };

  const telemetryRows = async (databaseUrl: string) => {
    const database = await openDatabase(databaseUrl);
    try {
      const [row] = await database.db.all<{ rows: number }>(sql`select count(*) as rows from telemetry`);
      return row.rows;
    } finally {
      database.close();
    }
  };

  it("stores all of 20,000 sent to a running cloud, each once", async () => {
    const broker = await startMosquitto();
    running.push(broker);
    const databaseUrl = tempDatabaseUrl();
    const cloud = await cloudOn(broker, databaseUrl);
    running.push({ stop: () => cloud.close() });
    const started = performance.now();
    const publishSeconds = await burst(broker, 20_000);
    await waitFor(() => cloud.ingest.stats.stored >= 20_000, "20,000 stored", 30_000, 20);
    const storedSeconds = (performance.now() - started) / 1000;
    expect(await countStored(cloud)).toBe(20_000);
    const { batches, largestBatch } = cloud.ingest.stats;
    console.log(
      `burst: 20,000 QoS 1 published in ${publishSeconds.toFixed(2)} s, all stored after ${storedSeconds.toFixed(2)} s ` +
        `(${Math.round(20_000 / storedSeconds)} msg/s) in ${batches} transactions, largest ${largestBatch}`,
    );
    // How fast is bench:ingest's to say; on two shared cores a time limit here only measures the neighbours.
    expect(batches).toBeLessThan(20_000);
  });

  it("stores all of 20,000 sent while the cloud is away, held in its session by the project's broker config", async () => {
    const broker = await startMosquitto();
    running.push(broker);
    const databaseUrl = tempDatabaseUrl();
    await (await cloudOn(broker, databaseUrl)).close(); // leaves its persistent session behind
    await burst(broker, 20_000);
    const cloud = await cloudOn(broker, databaseUrl);
    running.push({ stop: () => cloud.close() });
    await waitFor(() => cloud.ingest.stats.stored >= 20_000, "20,000 stored after the cloud's return", 30_000, 20);
    expect(await telemetryRows(databaseUrl)).toBe(20_000);
  });

  it("would lose most of such a burst with Mosquitto's default queue of 1000 (control)", async () => {
    const broker = await startMosquitto({ extraConfig: ["max_queued_messages 1000"] });
    running.push(broker);
    const databaseUrl = tempDatabaseUrl();
    await (await cloudOn(broker, databaseUrl)).close();
    await burst(broker, 5000);
    const cloud = await cloudOn(broker, databaseUrl);
    running.push({ stop: () => cloud.close() });
    await waitFor(() => cloud.ingest.stats.stored >= 1000, "what the queue kept", 10_000, 20);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await cloud.ingest.idle();
    const kept = await telemetryRows(databaseUrl);
    console.log(`control: with max_queued_messages 1000 the broker kept ${kept} of 5000`);
    expect(kept).toBeLessThan(2000);
  });
});

async function countStored(cloud: RunningCloud): Promise<number> {
  await cloud.ingest.idle();
  const [row] = await cloud.database.db.all<{ rows: number }>(sql`select count(*) as rows from telemetry`);
  return row.rows;
}
