import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBatch } from "../../cloud/fleet/batches";
import { decideClaim } from "../../cloud/fleet/claims";
import { encodeClaimRequest } from "../../shared/claim";
import { encodeMessage } from "../../shared/codec";
import type { AlarmMessage, NodeMessage } from "../../shared/messages";
import { claimTopic, nodeTopic } from "../../shared/topics";
import { testCloud, type TestCloud } from "../support/cloud";
import { capsuleEvent, elevatorEvent } from "../support/device-messages";
import { MemoryAccounts } from "../support/fake-accounts";
import { health, online } from "../support/link-messages";

const SENSOR = "a4cf18000001";
const CHANNEL = { alarm: "alarm", event: "event", health: "health", status: "status", telemetry: "telemetry", ack: "ack" } as const;

/** Issue 12, item 4: the ingest holds each node to its registered kind and to sane ranges. */
describe("the ingest believes only what a node of its kind may say", () => {
  let cloud: TestCloud;
  beforeEach(async () => {
    cloud = await testCloud();
    // A sensor node, registered as one when it claimed through its batch.
    const fleet = { db: cloud.database.db, accounts: new MemoryAccounts(), now: () => cloud.clock.now };
    await createBatch(fleet, { id: "b-senders", kind: "sensor", board: "esp32-devkitc", serials: [SENSOR], expiresAt: cloud.clock.now + 86_400_000 });
    await decideClaim(
      { ...fleet, log: cloud.log },
      claimTopic("b-senders", SENSOR, "req"),
      encodeClaimRequest({ v: 1, serial: SENSOR, batch: "b-senders", board: "esp32-devkitc", kind: "sensor", firmware: "0.1.0", pad: "ab".repeat(32) }),
    );
  });
  afterEach(() => cloud.close());

  const send = (message: NodeMessage) => cloud.ingest.handle(nodeTopic(message.node, CHANNEL[message.type]), new TextEncoder().encode(encodeMessage(message)));
  const alarmFrom = (node: string, seq: number, fields: Partial<AlarmMessage>): AlarmMessage => ({
    v: 1, node, boot: 1, seq, t: seq * 1000, type: "alarm", kind: "smoke", severity: "alarm", state: "raised", value: 900, unit: "raw", threshold: 700, ...fields,
  });
  const json = async <T>(path: string) => (await (await cloud.get(path)).json()) as T;

  it("refuses a sensor node's capsule and elevator messages and a change of kind, and keeps its own", async () => {
    expect(await send(alarmFrom(SENSOR, 1, { kind: "aed-removed", severity: "urgent", unit: "removed", value: 1, threshold: 1 }))).toBe("rejected");
    expect(await send(alarmFrom(SENSOR, 2, { kind: "lock-max-hold", severity: "warning", unit: "s", value: 200, threshold: 180 }))).toBe("rejected");
    expect(await send(elevatorEvent(SENSOR, 3, "hold-start"))).toBe("rejected");
    expect(await send(capsuleEvent(SENSOR, 4, "aed-removed", { aed: "removed" }))).toBe("rejected");
    expect(await send({ ...health, node: SENSOR, seq: 5, kind: "elevator" })).toBe("rejected");
    expect(cloud.ingest.stats.rejected["not-for-this-node"]).toBe(5);

    // Its own: a smoke alarm, a heartbeat as the sensor program, a charging event.
    expect(await send(alarmFrom(SENSOR, 6, {}))).toBe("stored");
    expect(await send({ ...health, node: SENSOR, seq: 7, kind: "sensor" })).toBe("stored");
    expect(await send({ v: 1, node: SENSOR, boot: 1, seq: 8, t: 8000, type: "event", name: "charge-started", data: { currentA: 1.2 } })).toBe("stored");

    const { alarms } = await json<{ alarms: Array<{ kind: string }> }>(`/api/alarms?node=${SENSOR}`);
    expect(alarms.map((a) => a.kind)).toEqual(["smoke"]);
    expect((await json<{ elevators: unknown[] }>("/api/elevators")).elevators).toEqual([]);
    expect((await json<{ capsules: unknown[] }>("/api/capsules")).capsules).toEqual([]);
    expect((await json<{ node: { kind: string } }>(`/api/nodes/${SENSOR}`)).node.kind).toBe("sensor");
    await cloud.settle();
    const { incidents } = await json<{ incidents: Array<{ hazard: string }> }>("/api/incidents");
    expect(incidents.map((i) => i.hazard)).not.toContain("aed-removed");
  });

  it("holds a node that never claimed to the kind its first heartbeat announced", async () => {
    expect(await send({ ...health, node: "lift-009", kind: "elevator" })).toBe("stored");
    expect(await send(elevatorEvent("lift-009", 50, "hold-start"))).toBe("stored");
    expect(await send({ ...health, node: "lift-009", seq: 51, kind: "capsule" })).toBe("rejected");
    expect(await send(capsuleEvent("lift-009", 52, "aed-removed", { aed: "removed" }))).toBe("rejected");
    expect(await send(alarmFrom("lift-009", 53, { kind: "smoke" }))).toBe("rejected");
    expect(await send({ ...health, node: "lift-010", kind: "toaster" })).toBe("rejected");
  });

  it("refuses numbers no node reaches: a boot of 2^53−1, an endless heartbeat period, a firmware string that is not a version", async () => {
    expect(await send({ ...online, node: SENSOR, boot: Number.MAX_SAFE_INTEGER })).toBe("rejected");
    expect(await send({ ...health, node: SENSOR, kind: "sensor", intervalMs: 2 ** 40 })).toBe("rejected");
    expect(await send({ ...online, node: SENSOR, seq: 3, firmware: "<img src=x>" })).toBe("rejected");
    expect(await send(alarmFrom(SENSOR, 2 ** 31, {}))).toBe("rejected");
    expect(cloud.ingest.stats.rejected["out-of-range"]).toBe(4);
    // The node was not pinned online by any of them.
    expect((await json<{ node: { online: boolean } }>(`/api/nodes/${SENSOR}`)).node.online).toBe(false);
    expect(await send({ ...online, node: SENSOR, boot: 2, seq: 9 })).toBe("stored");
    expect((await json<{ node: { online: boolean } }>(`/api/nodes/${SENSOR}`)).node.online).toBe(true);
  });

  it("logs a node's rejections at most once a minute, with how many it held back, and keeps the counts", async () => {
    const before = cloud.log.lines.filter((line) => line.includes("ingest rejected")).length;
    for (let seq = 1; seq <= 1000; seq++) await send(alarmFrom(SENSOR, seq, { kind: "aed-removed", severity: "urgent", unit: "removed", value: 1, threshold: 1 }));
    const lines = () => cloud.log.lines.filter((line) => line.includes("ingest rejected")).slice(before);
    expect(lines()).toHaveLength(1);
    cloud.clock.now += 61_000;
    await send(alarmFrom(SENSOR, 1001, { kind: "aed-removed", severity: "urgent", unit: "removed", value: 1, threshold: 1 }));
    expect(lines()).toHaveLength(2);
    expect(lines()[1]).toMatch(/suppressed=999/);
    expect(lines()[1]).toMatch(/total=1001/);
    const stats = await json<{ rejected: Record<string, number>; rejectedByNode: Array<{ node: string; total: number; lastReason: string }> }>("/api/ingest/stats");
    expect(stats.rejected["not-for-this-node"]).toBe(1001);
    expect(stats.rejectedByNode[0]).toMatchObject({ node: SENSOR, total: 1001, lastReason: "not-for-this-node" });
  });
});
