import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../cloud/auth/tokens";
import { memoryLogger } from "../../cloud/log";
import { startCloud, type RunningCloud } from "../../cloud/server";
import { SimNode } from "../../firmware/platform/sim/host/sim-node";
import { encodeCommand } from "../../shared/commands";
import { nodeTopic } from "../../shared/topics";
import { dividerCounts, ntcCounts } from "../support/analog";
import { tempDatabaseUrl } from "../support/cloud";
import { startMosquitto, type Mosquitto } from "../support/mosquitto";
import { capsuleNodeConfig, elevatorNodeConfig } from "../support/sim-config";
import { openSse } from "../support/sse";
import { waitFor } from "../support/wait";

/**
 * Elevator and capsule nodes' firmware in XS → MQTT QoS 1 through a real Mosquitto → ingest →
 * libSQL → the API and the live alarm stream.
 */
describe("elevator and capsule: XS node → Mosquitto → cloud", () => {
  let broker: Mosquitto;
  let cloud: RunningCloud;
  let token: string;
  let commander: MqttClient;
  const nodes: SimNode[] = [];

  beforeAll(async () => {
    broker = await startMosquitto();
    cloud = await startCloud({
      databaseUrl: tempDatabaseUrl(),
      mqtt: { url: broker.url, protocolVersion: 5, shareGroup: "ingest" },
      instanceId: `test-devices-${process.pid}`,
      port: 0,
      host: "127.0.0.1",
      log: memoryLogger(),
    });
    token = await createToken(cloud.database.db, "e2e", "admin", Date.now());
    // Plays the cloud's side of the command channel (issue 5 builds the real one).
    commander = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: `commander-${process.pid}` });
  });
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await commander?.endAsync();
    await cloud?.close();
    await broker?.stop();
  });

  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${cloud.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status, path).toBe(200);
    return (await response.json()) as T;
  };
  type Alarm = { kind: string; severity: string; state: string; nodeId: string };

  it("AED removed → urgent alarm stored and streamed; AED returned → alarm cleared and state restored; a door left open alarms once", async () => {
    const id = "capsule-e2e-01";
    const config = capsuleNodeConfig(id);
    const sse = await openSse(`${cloud.url}/api/alarms/stream`, token);
    await sse.next("ready");
    const node = await SimNode.boot({
      kind: "capsule",
      brokerUrl: broker.url,
      protocolVersion: 5,
      config,
      levels: { capsuleDoor: 0, aedCabinetDoor: 0, aedPresent: 0, cabinetNtc: ntcCounts(22, config.ntc), supplyVoltage: dividerCounts(13.4, config.supply.ratio) },
      onLog: () => {},
    });
    nodes.push(node);
    try {
      await waitFor(async () => (await node.inspect()).connected, "the capsule to connect");
      await waitFor(async () => (await api<{ capsules: Array<{ nodeId: string }> }>("/api/capsules")).capsules.some((c) => c.nodeId === id), "the capsule to appear");

      await node.setPins({ capsuleDoor: 1 });
      await node.advance(500);
      await node.setPins({ aedCabinetDoor: 1, aedPresent: 1 });
      await node.advance(1000);
      const raised = JSON.parse((await sse.next("alarm")).data) as Alarm;
      expect(raised).toMatchObject({ nodeId: id, kind: "aed-removed", severity: "urgent", state: "raised" });
      const stored = await api<{ alarms: Alarm[] }>(`/api/alarms?node=${id}`);
      expect(stored.alarms).toEqual([expect.objectContaining({ kind: "aed-removed", severity: "urgent", state: "raised" })]);
      await waitFor(async () => (await api<{ capsule: { aed: string } }>(`/api/capsules/${id}`)).capsule.aed === "removed", "the capsule to show the AED removed");

      await node.setPins({ aedPresent: 0, aedCabinetDoor: 0 });
      await node.advance(1000);
      const cleared = JSON.parse((await sse.next("alarm")).data) as Alarm;
      expect(cleared).toMatchObject({ kind: "aed-removed", state: "cleared" });
      const restored = await waitFor(async () => {
        const { capsule } = await api<{ capsule: { aed: string; aedCabinetDoor: string; capsuleDoor: string; temperatureC: number } }>(`/api/capsules/${id}`);
        return capsule.aed === "present" && capsule.aedCabinetDoor === "closed" ? capsule : null;
      }, "the capsule to show the AED back");
      expect(restored).toMatchObject({ capsuleDoor: "open", temperatureC: 22 });

      // The capsule door stays open for an hour: one maintenance alarm, not six.
      await node.advance(60 * 60_000);
      const doorAlarm = JSON.parse((await sse.next("alarm")).data) as Alarm;
      expect(doorAlarm).toMatchObject({ kind: "door-left-open", severity: "warning", state: "raised" });
      await node.setPins({ capsuleDoor: 0 });
      await node.advance(1000);
      expect(JSON.parse((await sse.next("alarm")).data)).toMatchObject({ kind: "door-left-open", state: "cleared" });
      const all = await api<{ alarms: Alarm[] }>(`/api/alarms?node=${id}`);
      expect(all.alarms.filter((a) => a.kind === "door-left-open").map((a) => a.state)).toEqual(["cleared", "raised"]);

      const history = await api<{ events: Array<{ event: string }> }>(`/api/capsules/${id}/events`);
      expect(history.events.map((e) => e.event)).toEqual(["capsule-closed", "door-left-open", "aed-returned", "aed-cabinet-closed", "aed-removed", "aed-cabinet-opened", "capsule-opened", "started"]);
    } finally {
      sse.close();
    }
  });

  it("a blocked ride shows in the cloud as held then released, and a remote disable is acked into the cloud", async () => {
    const id = "lift-e2e-01";
    const node = await SimNode.boot({ kind: "elevator", brokerUrl: broker.url, protocolVersion: 5, config: elevatorNodeConfig(id), levels: { ebikeDetect: 0, maintenanceKey: 0 }, onLog: () => {} });
    nodes.push(node);
    await node.setPulses({ detectorAlive: 500 });
    await waitFor(async () => (await node.inspect()).connected, "the elevator node to connect");
    await node.advance(4000);

    await node.setPins({ ebikeDetect: 1 });
    await node.advance(1500);
    await waitFor(async () => (await api<{ elevator: { lock: string } }>(`/api/elevators/${id}`)).elevator.lock === "held", "the cloud to show the car held");
    await node.setPins({ ebikeDetect: 0 });
    await node.advance(4000);
    const released = await waitFor(async () => {
      const { elevator } = await api<{ elevator: { lock: string; lastReleasedBy: string; lastHoldMs: number } }>(`/api/elevators/${id}`);
      return elevator.lock === "released" && elevator.lastReleasedBy ? elevator : null;
    }, "the cloud to show the car released");
    expect(released.lastReleasedBy).toBe("clear");
    expect(released.lastHoldMs).toBeGreaterThan(3000);

    await commander.publishAsync(nodeTopic(id, "cmd"), encodeCommand({ v: 1, id: "disable-1", command: "disable" }), { qos: 1 });
    const row = await waitFor(async () => {
      const result = await cloud.database.client.execute({ sql: "select command, ok, detail from command_acks where node_id = ? and command_id = ?", args: [id, "disable-1"] });
      return result.rows[0];
    }, "the ack to be stored");
    expect(row).toMatchObject({ command: "disable", ok: 1, detail: "disabled" });
    await waitFor(async () => (await api<{ elevator: { enabled: boolean } }>(`/api/elevators/${id}`)).elevator.enabled === false, "the cloud to show the lock disabled");
  });
});
