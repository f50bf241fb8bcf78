import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../cloud/auth/tokens";
import { memoryLogger } from "../../cloud/log";
import { startCloud, type RunningCloud } from "../../cloud/server";
import { SimNode } from "../../firmware/platform/sim/host/sim-node";
import { nodeTopic } from "../../shared/topics";
import { tempDatabaseUrl } from "../support/cloud";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { smokeNodeConfig } from "../support/sim-config";
import { runUntil } from "../support/sim";

/** Commands from the API to a node in XS and its acks back, heartbeats, and the last will, over Mosquitto. */
describe("commands and health: API → Mosquitto → XS node → ack → cloud", () => {
  let broker: Mosquitto;
  let cloud: RunningCloud;
  let token: string;
  let node: SimNode;
  /** The boot id of the node's first start: a random era (shared/boot-era.ts), counted on by each restart. */
  let firstBootId = 0;
  let observer: MqttClient;
  const acks: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    broker = await startMosquitto();
    cloud = await startCloud({
      databaseUrl: tempDatabaseUrl(),
      mqtt: { url: broker.url, protocolVersion: 5 },
      instanceId: `cmd-${process.pid}`,
      port: 0,
      host: "127.0.0.1",
      log: memoryLogger(),
      livenessEveryMs: 0,
    });
    token = await createToken(cloud.database.db, "crew", "admin", Date.now());
    observer = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: "ack-observer" });
    await observer.subscribeAsync("sw/v1/node/+/ack", { qos: 1 });
    observer.on("message", (_topic, payload) => acks.push(JSON.parse(payload.toString())));
    node = await SimNode.boot({
      brokerUrl: broker.url,
      protocolVersion: 5,
      config: smokeNodeConfig("smoke-cmd-01", { healthIntervalMs: 30_000 }),
      onLog: () => {},
    });
    await node.setPins({ smoke: 310 });
    await runUntil([node], async () => (await node.inspect()).connected, "the node to connect");
  });
  afterAll(async () => {
    await node?.stop();
    await observer?.endAsync();
    await cloud?.close();
    await broker?.stop();
  });

  const api = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${cloud.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...(init.headers ?? {}) },
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const command = async (body: unknown) => {
    const { status, body: answer } = await api("/api/nodes/smoke-cmd-01/commands", { method: "POST", body: JSON.stringify(body) });
    expect(status).toBe(202);
    const id = answer.command.id as string;
    return runUntil([node], async () => {
      const { body: current } = await api(`/api/nodes/smoke-cmd-01/commands/${id}`);
      return current.command.status !== "sent" && current.command;
    }, `the ack of ${JSON.stringify(body)}`);
  };

  it("reports health from the node: heartbeat fields, history, and a sensor fault the crews can filter on", async () => {
    await node.advance(90_000);
    const history = await runUntil([node], async () => {
      const { body } = await api("/api/nodes/smoke-cmd-01/health");
      return body.health.length >= 4 && body.health;
    }, "four heartbeats in the history");
    expect(history[0].uptimeMs).toBeGreaterThan(history.at(-1).uptimeMs);
    // A heartbeat sent before the first sample says the chamber is not yet known, never faulty.
    for (const beat of history) expect(["ok", "unknown"]).toContain(beat.sensors.smoke);
    const { body } = await api("/api/nodes/smoke-cmd-01");
    expect(body.node).toMatchObject({ id: "smoke-cmd-01", kind: "smoke", online: true, firmware: "0.1.0-test", heartbeatMs: 30_000, sensorFault: false });
    expect(body.node.health).toMatchObject({ resetReason: "power-on", rssiDbm: -62, sensors: { smoke: "ok" }, outbox: { capacity: 32 }, dropped: { alarm: 0 } });
    expect(body.node.health.heap.freeBytes).toBeGreaterThan(50_000);
    expect(body.node.health.heap.minFreeBytes).toBeLessThanOrEqual(body.node.health.heap.freeBytes);

    // The photodiode amplifier goes open: the chamber reads 0, a fault, not a fire.
    await node.setPins({ smoke: 0 });
    node.setRssi(-81);
    const faulty = await runUntil([node], async () => {
      const answer = await api("/api/nodes?fault=true&kind=smoke");
      return answer.body.nodes.length === 1 && answer.body.nodes[0];
    }, "the fault in the node list", { stepMs: 5000 });
    expect(faulty.health).toMatchObject({ sensors: { smoke: "fault" }, rssiDbm: -81 });
    await node.setPins({ smoke: 310 });
    await runUntil([node], async () => (await api("/api/nodes?fault=false")).body.nodes.length === 1, "the fault to clear", { stepMs: 5000 });
  });

  it("applies a config change, acks it, keeps it in flash, and refuses a bad one without changing anything", async () => {
    expect(await command({ op: "config", config: { telemetryIntervalMs: 30_000, "smoke.holdSamples": 5 } })).toMatchObject({ status: "ok" });
    expect((await node.inspect()).telemetryIntervalMs).toBe(30_000);
    const refused = await command({ op: "config", config: { telemetryIntervalMs: 30_000, nodeId: 7 } });
    expect(refused).toMatchObject({ status: "refused" });
    expect(refused.detail).toMatch(/"nodeId" cannot be changed remotely/);
    const { body } = await runUntil([node], async () => {
      const answer = await api("/api/nodes/smoke-cmd-01/events");
      return answer.body.events.some((e: { name: string }) => e.name === "config-applied") && answer;
    }, "the config-applied event");
    expect(body.events.find((e: { name: string }) => e.name === "config-applied").data).toEqual({ telemetryIntervalMs: 30_000, "smoke.holdSamples": 5 });
  });

  it("refuses a relay test on a node without a relay, with the reason", async () => {
    expect(await command({ op: "relay-test", durationMs: 500 })).toMatchObject({ status: "refused", detail: "this node has no relay: a smoke node only watches and alarms, it switches nothing" });
  });

  it("self-tests the chamber on command: the ack with what it found reaches the API, and no alarm does", async () => {
    const before = (await api("/api/alarms?node=smoke-cmd-01")).body.alarms.length;
    expect(await command({ op: "self-test" })).toMatchObject({ status: "ok", detail: "chamber ok 310 (clean air 300); detector sampling every 1000 ms; LED lit 1 s" });
    await node.advance(5000);
    expect((await api("/api/alarms?node=smoke-cmd-01")).body.alarms).toHaveLength(before);
  });

  it("refuses, and acks as refused, a command meant for another node or one it cannot read", async () => {
    const sender = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: "rogue-sender" });
    await sender.publishAsync(nodeTopic("smoke-cmd-01", "cmd"), JSON.stringify({ v: 1, type: "command", id: "x-1", node: "smoke-cmd-99", op: "reboot" }), { qos: 1 });
    await sender.publishAsync(nodeTopic("smoke-cmd-01", "cmd"), "{{{", { qos: 1 });
    await sender.endAsync();
    const refusals = await runUntil([node], () => {
      const found = acks.filter((a) => a.node === "smoke-cmd-01" && (a.command === "x-1" || a.command === ""));
      return found.length >= 2 && found;
    }, "two refusals");
    expect(refusals.map((a) => [a.command, a.result])).toEqual([["x-1", "refused"], ["", "refused"]]);
    expect(refusals[0].detail).toMatch(/^wrong-node/);
    firstBootId = (await node.inspect()).bootId;
    expect(firstBootId).toBeGreaterThan(0);
  });

  it("reboots on command, acks first, and comes back with the reason and its config kept", async () => {
    expect(await command({ op: "reboot" })).toMatchObject({ status: "ok", detail: "restarting" });
    await runUntil([node], () => node.boots >= 2, "the restart", { stepMs: 500 });
    await node.settled();
    const after = await runUntil([node], async () => {
      const inspection = await node.inspect();
      return inspection.connected && inspection;
    }, "the node to come back");
    expect(after).toMatchObject({ bootId: firstBootId + 1, telemetryIntervalMs: 30_000 });
    const { health } = await runUntil([node], async () => {
      const { body } = await api("/api/nodes/smoke-cmd-01/health?limit=1");
      return body.health[0]?.bootId === firstBootId + 1 && body;
    }, "a heartbeat from the new boot");
    expect(health[0].resetReason).toBe("software");
  });

  it("is marked offline by its last will when its power is cut", async () => {
    node.kill();
    const { body } = await runUntil([], async () => {
      const answer = await api("/api/nodes/smoke-cmd-01");
      return answer.body.node.online === false && answer;
    }, "the will");
    expect(body.node.offlineReason).toBe("will");
    const { body: offline } = await api("/api/nodes?status=offline");
    expect(offline.nodes.map((n: { id: string }) => n.id)).toContain("smoke-cmd-01");
  });
});
