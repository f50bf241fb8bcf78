import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryLogger } from "../../cloud/log";
import { startCloud, type RunningCloud } from "../../cloud/server";
import type { NodeConfig } from "../../firmware/config";
import { SimFlash } from "../../firmware/platform/sim/host/sim-flash";
import { SimNode } from "../../firmware/platform/sim/host/sim-node";
import { tempDatabaseUrl } from "../support/cloud";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { smokeNodeConfig } from "../support/sim-config";
import { runUntil, smokeCycles, storedAlarms } from "../support/sim";

/**
 * Never lose an alarm, on real parts: smoke nodes' firmware in XS, a real Mosquitto (with
 * persistence, so it can be restarted), the cloud's ingest into libSQL.
 */
describe("store and forward: XS nodes → Mosquitto → cloud", () => {
  let broker: Mosquitto;
  let cloud: RunningCloud;
  const nodes: SimNode[] = [];
  const log = memoryLogger();

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "sw-persist-"));
    broker = await startMosquitto({ extraConfig: ["persistence true", `persistence_location ${dir}/`] });
    cloud = await startCloud({
      databaseUrl: tempDatabaseUrl(),
      // One instance: a plain persistent subscription, which Mosquitto restores after a restart.
      mqtt: { url: broker.url, protocolVersion: 5 },
      instanceId: `sf-${process.pid}`,
      port: 0,
      host: "127.0.0.1",
      log,
      livenessEveryMs: 0,
    });
  });
  afterAll(async () => {
    for (const node of nodes) await node.stop().catch(() => undefined);
    await cloud?.close();
    await broker?.stop();
  });

  const boot = async (nodeId: string, overrides: Partial<NodeConfig> = {}, flash?: SimFlash) => {
    const node = await SimNode.boot({
      brokerUrl: broker.url,
      protocolVersion: 5,
      config: smokeNodeConfig(nodeId, { outboxSlots: 64, ...overrides }),
      flash,
      seed: nodes.length + 1,
      onLog: () => {},
    });
    nodes.push(node);
    await node.setPins({ smoke: 300 });
    // Connected, and its boot event acknowledged: the outbox starts empty.
    await runUntil([node], async () => {
      const inspection = await node.inspect();
      return inspection.connected && inspection.outbox.depth === 0;
    }, `${nodeId} to connect`);
    return node;
  };
  const db = () => cloud.database.db;
  /** Wi-Fi lost, and the node has noticed (its client reports the dead link). */
  const goOffline = async (node: SimNode) => {
    node.setNetwork(false);
    await runUntil([node], async () => !(await node.inspect()).connected, "the node to notice", { stepMs: 0 });
  };

  it("stores every alarm exactly once while the broker restarts under a node sending them", async () => {
    const node = await boot("smoke-sf-01");
    await smokeCycles(node, 6);
    await broker.stop();
    await smokeCycles(node, 6); // the broker is down: these wait in the node's outbox
    const whileDown = await node.inspect();
    expect(whileDown.connected).toBe(false);
    expect(whileDown.outbox.alarms).toBeGreaterThanOrEqual(12);
    await broker.restart();
    await smokeCycles(node, 6);
    const stored = await runUntil([node], async () => {
      const rows = await storedAlarms(db(), "smoke-sf-01");
      return rows.length >= 36 && rows;
    }, "36 alarms in the database", { timeoutMs: 20_000 });
    await runUntil([node], async () => (await node.inspect()).outbox.depth === 0, "the outbox to empty");
    expect(await storedAlarms(db(), "smoke-sf-01")).toHaveLength(36);
    expect(new Set(stored.map((a) => `${a.bootId}/${a.seq}`)).size).toBe(36);
    expect(stored.filter((a) => a.state === "raised")).toHaveLength(18);
    expect((await node.inspect()).outbox.dropped.alarm).toBe(0);
  });

  it("keeps 50 alarms raised over 10 simulated minutes offline and delivers them all, in order, after reconnecting", async () => {
    const node = await boot("smoke-sf-02");
    await goOffline(node);
    await smokeCycles(node, 25, 24_000); // 25 × 24 s = 10 min, 50 alarms
    const offline = await node.inspect();
    expect(offline.now).toBeGreaterThanOrEqual(600_000);
    expect(offline).toMatchObject({ connected: false, outbox: { alarms: 50, dropped: { alarm: 0 } } });
    // The telemetry of those ten minutes did not all fit beside the alarms: the oldest made room.
    expect(offline.outbox.dropped.telemetry).toBeGreaterThan(0);
    expect(await storedAlarms(db(), "smoke-sf-02")).toHaveLength(0);

    node.setNetwork(true);
    const stored = await runUntil([node], async () => {
      const rows = await storedAlarms(db(), "smoke-sf-02");
      return rows.length >= 50 && rows;
    }, "50 alarms after reconnecting", { stepMs: 1000, timeoutMs: 20_000 });
    expect(stored).toHaveLength(50);
    expect(stored.map((a) => a.seq)).toEqual([...stored.map((a) => a.seq)].sort((a, b) => a - b));
    expect(stored.map((a) => a.state)).toEqual(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? "raised" : "cleared")));
    const attempts = (await node.inspect()).connectAttempts;
    // Backoff: ten minutes offline cost a handful of attempts, not hundreds.
    expect(attempts).toBeGreaterThan(3);
    expect(attempts).toBeLessThan(25);
    console.log(`offline 10 min: 50 alarms delivered in order after ${attempts} connection attempts`);
  });

  it("delivers the alarms a killed node left in flash once it boots again", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "sw-flash-")), "smoke-sf-03.json");
    const first = await boot("smoke-sf-03", {}, new SimFlash(file));
    await goOffline(first);
    await smokeCycles(first, 3);
    const { bootId: firstBootId, outbox } = await first.inspect();
    expect(outbox.alarms).toBe(6);
    first.kill(); // power cut: the XS machine and its connection end at once

    // A new host object reading the same flash file: nothing survives but what the node wrote to flash.
    const second = await boot("smoke-sf-03", {}, new SimFlash(file));
    const after = await second.inspect();
    expect(after.bootId).toBe(firstBootId + 1);
    expect(after.restored).toBeGreaterThanOrEqual(6);
    const stored = await runUntil([second], async () => {
      const rows = await storedAlarms(db(), "smoke-sf-03");
      return rows.length >= 6 && rows;
    }, "the killed node's 6 alarms");
    // They keep the boot they were raised in, so the cloud tells them from the new boot's.
    expect(stored.map((a) => [a.bootId, a.state])).toEqual(Array.from({ length: 6 }, (_, i) => [firstBootId, i % 2 === 0 ? "raised" : "cleared"]));
  });

  it("when the outbox is full drops telemetry, keeps every alarm, and says so in its heartbeat", async () => {
    const node = await boot("smoke-sf-04", { outboxSlots: 12, telemetryIntervalMs: 1000 });
    await goOffline(node);
    await node.advance(30_000); // 30 telemetry messages for 12 slots
    await smokeCycles(node, 3); // 6 alarms, each evicting the oldest telemetry
    const full = await node.inspect();
    expect(full.outbox).toMatchObject({ depth: 12, alarms: 6, dropped: { alarm: 0, event: 0 } });
    // 30 + 24 telemetry messages and 6 alarms for 12 slots: all but 6 telemetry messages made way.
    expect(full.outbox.dropped.telemetry).toBe(30 + 24 - 6);

    node.setNetwork(true);
    await runUntil([node], async () => (await storedAlarms(db(), "smoke-sf-04")).length >= 6, "the 6 alarms");
    const { dropped } = (await node.inspect()).outbox;
    const health = await runUntil([node], async () => {
      const row = (await (await cloud.app.request("/api/nodes/smoke-sf-04", { headers: await adminHeader() })).json()) as { node?: { health?: { dropped: typeof dropped } } };
      return row.node?.health?.dropped.telemetry && row.node.health;
    }, "a heartbeat with the drop counts");
    expect(health.dropped.alarm).toBe(0);
    expect(health.dropped.telemetry).toBeGreaterThanOrEqual(full.outbox.dropped.telemetry);
    expect(await storedAlarms(db(), "smoke-sf-04")).toHaveLength(6);
  });

  let token: string | undefined;
  async function adminHeader() {
    if (!token) {
      const { createToken } = await import("../../cloud/auth/tokens");
      token = await createToken(cloud.database.db, "e2e", "admin", Date.now());
    }
    return { authorization: `Bearer ${token}` };
  }
});
