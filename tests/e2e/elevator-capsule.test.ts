import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../cloud/auth/tokens";
import { memoryLogger } from "../../cloud/log";
import { startCloud, type RunningCloud } from "../../cloud/server";
import { SimNode } from "../../firmware/platform/sim/host/sim-node";
import { dividerCounts, ntcCounts } from "../../firmware/platform/sim/host/analog-physics";
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
  });
  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await cloud?.close();
    await broker?.stop();
  });

  const api = async <T>(path: string, init: RequestInit = {}, status = 200): Promise<T> => {
    const response = await fetch(`${cloud.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } });
    expect(response.status, path).toBe(status);
    return (await response.json()) as T;
  };
  /** For polling: null while the resource does not exist yet (its first event not yet stored). */
  const apiOrNull = async <T>(path: string): Promise<T | null> => {
    const response = await fetch(`${cloud.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (response.status === 404) return null;
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
      await waitFor(async () => (await apiOrNull<{ capsule: { aed: string } }>(`/api/capsules/${id}`))?.capsule.aed === "removed", "the capsule to show the AED removed");

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

      // Events are stored by the ingest's bulk lane, which gathers for a moment: wait for the last one.
      const history = await waitFor(async () => {
        const page = await api<{ events: Array<{ name: string }> }>(`/api/capsules/${id}/events`);
        return page.events[0]?.name === "capsule-closed" ? page : null;
      }, "the capsule's closing in its history");
      expect(history.events.map((e) => e.name)).toEqual(["capsule-closed", "door-left-open", "aed-returned", "aed-cabinet-closed", "aed-removed", "aed-cabinet-opened", "capsule-opened", "started", "booted"]);
    } finally {
      sse.close();
    }
  });

  it("a blocked ride shows in the cloud as held then released, and a disable from the API is acked into the cloud", async () => {
    const id = "lift-e2e-01";
    const node = await SimNode.boot({ kind: "elevator", brokerUrl: broker.url, protocolVersion: 5, config: elevatorNodeConfig(id), levels: { ebikeDetect: 0, maintenanceKey: 0 }, onLog: () => {} });
    nodes.push(node);
    await node.setPulses({ detectorAlive: 500 });
    await waitFor(async () => (await node.inspect()).connected, "the elevator node to connect");
    await node.advance(4000);

    await node.setPins({ ebikeDetect: 1 });
    await node.advance(1500);
    await waitFor(async () => (await apiOrNull<{ elevator: { lock: string } }>(`/api/elevators/${id}`))?.elevator.lock === "held", "the cloud to show the car held");
    await node.setPins({ ebikeDetect: 0 });
    await node.advance(4000);
    const released = await waitFor(async () => {
      const { elevator } = await api<{ elevator: { lock: string; lastReleasedBy: string; lastHoldMs: number } }>(`/api/elevators/${id}`);
      return elevator.lock === "released" && elevator.lastReleasedBy ? elevator : null;
    }, "the cloud to show the car released");
    expect(released.lastReleasedBy).toBe("clear");
    expect(released.lastHoldMs).toBeGreaterThan(3000);

    const sent = await api<{ command: { id: string } }>(`/api/nodes/${id}/commands`, { method: "POST", body: JSON.stringify({ op: "disable" }) }, 202);
    const settled = await waitFor(async () => {
      const { command } = await api<{ command: { status: string; op: string; detail: string | null } }>(`/api/nodes/${id}/commands/${sent.command.id}`);
      return command.status === "sent" ? null : command;
    }, "the ack to settle the command");
    expect(settled).toMatchObject({ op: "disable", status: "ok", detail: "disabled" });
    await waitFor(async () => (await api<{ elevator: { enabled: boolean } }>(`/api/elevators/${id}`)).elevator.enabled === false, "the cloud to show the lock disabled");
    const { node: listed } = await api<{ node: { kind: string } }>(`/api/nodes/${id}`);
    expect(listed.kind, "the elevator's heartbeat names its kind").toBe("elevator");
  });
});
