import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryLogger } from "../../cloud/log";
import { startCloud, type RunningCloud } from "../../cloud/server";
import { SimNode } from "../../firmware/platform/sim/host/sim-node";
import { tempDatabaseUrl } from "../support/cloud";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { smokeNodeConfig } from "../support/sim-config";
import { runUntil, smokeCycles, storedAlarms } from "../support/sim";

/**
 * The broker's PUBACK is not the end of an alarm's way: here the broker acknowledges alarms while
 * the cloud is away, then loses them (its persistence file gone, as after a crash between two
 * saves, or a NATS cluster losing a stream's messages: bench:ha saw one). The node still holds
 * them, because the cloud has not sent its receipt (shared/receipts.ts), and sends them again.
 */
describe("alarm receipts: XS node → Mosquitto that loses what it acknowledged → cloud", () => {
  let broker: Mosquitto;
  let persistence: string;
  let cloud: RunningCloud | undefined;
  let node: SimNode | undefined;
  const databaseUrl = tempDatabaseUrl();
  const startTheCloud = () =>
    startCloud({
      databaseUrl,
      mqtt: { url: broker.url, protocolVersion: 5 },
      instanceId: `receipts-${process.pid}`,
      port: 0,
      host: "127.0.0.1",
      log: memoryLogger(),
      livenessEveryMs: 0,
    });

  beforeAll(async () => {
    persistence = mkdtempSync(join(tmpdir(), "sw-persist-"));
    broker = await startMosquitto({ extraConfig: ["persistence true", `persistence_location ${persistence}/`] });
    cloud = await startTheCloud();
  });
  afterAll(async () => {
    await node?.stop().catch(() => undefined);
    await cloud?.close();
    await broker?.stop();
  });

  it("sends again the alarms a broker acknowledged and then lost, and lets them go once the cloud has stored them", async () => {
    node = await SimNode.boot({ brokerUrl: broker.url, protocolVersion: 5, config: smokeNodeConfig("smoke-rc-01", { outboxSlots: 32 }), seed: 1, onLog: () => {} });
    const sim = node;
    await sim.setPins({ smoke: 300 });
    // One alarm raised and cleared with the cloud there: stored, receipted, gone from the outbox.
    await smokeCycles(sim, 1);
    await runUntil([sim], async () => (await storedAlarms(cloud!.database.db, "smoke-rc-01")).length === 2 && (await sim.inspect()).outbox.alarms === 0, "the first alarms stored and receipted");

    // The cloud goes away; its session stays at the broker, which takes the next alarms for it.
    await cloud!.close();
    cloud = undefined;
    await smokeCycles(sim, 2);
    const acknowledged = await runUntil([sim], async () => {
      const inspection = await sim.inspect();
      return inspection.connected && inspection.outbox.inFlight === 0 && inspection.outbox.alarms === 4 && inspection;
    }, "four alarms acknowledged by the broker");
    // Acknowledged by the broker, yet kept: no receipt has come for them.
    expect(acknowledged.outbox.alarms).toBe(4);

    // The broker stops and its saved state is lost: the four alarms queued for the cloud with it.
    await broker.stop();
    for (const file of readdirSync(persistence)) rmSync(join(persistence, file), { force: true });
    await broker.restart();
    cloud = await startTheCloud();

    const stored = await runUntil([sim], async () => {
      const rows = await storedAlarms(cloud!.database.db, "smoke-rc-01");
      return rows.length >= 6 && rows;
    }, "the four lost alarms stored after all", { stepMs: 1000, timeoutMs: 30_000 });
    expect(stored.map((a) => a.state)).toEqual(["raised", "cleared", "raised", "cleared", "raised", "cleared"]);
    expect(new Set(stored.map((a) => a.seq)).size).toBe(6);
    await runUntil([sim], async () => (await sim.inspect()).outbox.alarms === 0, "their receipts to empty the outbox", { stepMs: 1000 });
    expect((await sim.inspect()).outbox.dropped.alarm).toBe(0);
  });
});
