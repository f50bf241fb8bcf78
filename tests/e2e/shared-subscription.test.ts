import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { memoryLogger } from "../../cloud/log";
import { startCloud, type RunningCloud } from "../../cloud/server";
import { tempDatabaseUrl } from "../support/cloud";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { FakeNodes } from "../support/publishers";
import { waitFor } from "../support/wait";

/**
 * Two cloud instances side by side on one MQTT 5 shared subscription and one database: the
 * broker hands each message to one of them, so together they see every message once.
 */
describe("two cloud instances on one shared subscription", () => {
  let broker: Mosquitto;
  const clouds: RunningCloud[] = [];
  let fakes: FakeNodes | undefined;

  afterAll(async () => {
    await fakes?.close();
    for (const cloud of clouds) await cloud.close();
    await broker?.stop();
  });

  it("processes every message exactly once between them", async () => {
    broker = await startMosquitto();
    const databaseUrl = tempDatabaseUrl();
    for (const name of ["a", "b"]) {
      clouds.push(
        await startCloud({
          databaseUrl,
          mqtt: { url: broker.url, protocolVersion: 5, shareGroup: "shouwang-ingest" },
          instanceId: `share-${name}-${process.pid}`,
          port: 0,
          host: "127.0.0.1",
          log: memoryLogger(),
          livenessEveryMs: 0,
        }),
      );
    }
    fakes = await FakeNodes.connect(broker.url, 40, "share");
    const types = ["alarm", "event", "telemetry"] as const;
    const rounds = 75; // 40 nodes × 75 = 3000 messages, QoS 1
    for (let round = 0; round < rounds; round++) {
      await Promise.all(fakes.ids.map((_, i) => fakes!.send(i, types[(round + i) % 3])));
    }
    const total = 40 * rounds;
    const [a, b] = clouds.map((cloud) => cloud.ingest.stats);
    await waitFor(() => a.stored + b.stored + a.duplicates + b.duplicates >= total, "both instances to finish", 20_000);
    await Promise.all(clouds.map((cloud) => cloud.ingest.idle()));

    const [row] = await clouds[0].database.db.all<{ rows: number }>(
      sql`select (select count(*) from alarms) + (select count(*) from node_events) + (select count(*) from telemetry) as rows`,
    );
    expect(row.rows).toBe(total);
    // Each message reached one instance: the two received counts add up to what was sent, and neither saw a copy.
    expect(a.received + b.received).toBe(total);
    expect(a.duplicates + b.duplicates).toBe(0);
    expect(Math.min(a.received, b.received)).toBeGreaterThan(total / 4);
    console.log(`shared subscription: instance a stored ${a.stored}, instance b stored ${b.stored}, ${total} messages, each once`);
  }, 60_000); // processes and a real broker: slow on a shared, loaded machine
});
