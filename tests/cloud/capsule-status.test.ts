import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { encodeMessage } from "../../shared/codec";
import type { NodeMessage } from "../../shared/messages";
import { nodeTopic } from "../../shared/topics";
import { testCloud, type TestCloud } from "../support/cloud";
import { capsuleEvent } from "../support/device-messages";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("a capsule's status for the console: AED since when, the AED's range, the node's own alarms", () => {
  let cloud: TestCloud;
  beforeEach(async () => {
    cloud = await testCloud();
  });
  afterEach(() => cloud.database.close());

  const send = async (message: NodeMessage) => {
    const result = await cloud.ingest.handle(nodeTopic(message.node, message.type), bytes(encodeMessage(message)));
    expect(result, `${message.type} ${(message as { name?: string }).name ?? ""}`).toBe("stored");
  };
  const capsule = async (id: string) => ((await (await cloud.get(`/api/capsules/${id}`)).json()) as { capsule: Record<string, unknown> }).capsule;
  const at = (ms: number) => new Date(ms).toISOString();

  it("says when the AED was taken out and the door opened, with the range the node reports", async () => {
    const range = { minC: 0, maxC: 50 };
    const start = cloud.clock.now;
    await send(capsuleEvent("capsule-1", 1, "started", { aedRangeC: range }));
    let state = await capsule("capsule-1");
    // Nothing has happened yet: no "since", no alarm of its own.
    expect(state).toMatchObject({ aed: "present", aedRangeC: range, aedChangedAt: null, capsuleDoorChangedAt: null, temperatureAlarm: false, batteryLow: false });

    cloud.clock.now = start + 60_000;
    await send(capsuleEvent("capsule-1", 2, "capsule-opened", { capsuleDoor: "open", aedRangeC: range }));
    cloud.clock.now = start + 90_000;
    await send(capsuleEvent("capsule-1", 3, "aed-removed", { capsuleDoor: "open", aed: "removed", aedRangeC: range }));
    // Later events of other kinds do not move "since when" of the AED or the door.
    cloud.clock.now = start + 300_000;
    await send(capsuleEvent("capsule-1", 4, "temperature-out-of-range", { capsuleDoor: "open", aed: "removed", temperatureC: 53.5, aedRangeC: range }));
    cloud.clock.now = start + 400_000;
    await send(capsuleEvent("capsule-1", 5, "battery-low", { capsuleDoor: "open", aed: "removed", temperatureC: 53.5, supplyV: 11.2, aedRangeC: range }));
    state = await capsule("capsule-1");
    expect(state).toMatchObject({
      aed: "removed",
      aedChangedAt: at(start + 90_000),
      capsuleDoor: "open",
      capsuleDoorChangedAt: at(start + 60_000),
      temperatureC: 53.5,
      temperatureAlarm: true,
      supplyV: 11.2,
      batteryLow: true,
    });

    cloud.clock.now = start + 500_000;
    await send(capsuleEvent("capsule-1", 6, "aed-returned", { capsuleDoor: "open", temperatureC: 53.5, supplyV: 11.2, aedRangeC: range }));
    await send(capsuleEvent("capsule-1", 7, "temperature-normal", { capsuleDoor: "open", temperatureC: 44, supplyV: 11.2, aedRangeC: range }));
    await send(capsuleEvent("capsule-1", 8, "battery-ok", { capsuleDoor: "open", temperatureC: 44, supplyV: 12.4, aedRangeC: range }));
    state = await capsule("capsule-1");
    expect(state).toMatchObject({ aed: "present", aedChangedAt: at(start + 500_000), temperatureAlarm: false, batteryLow: false });
    // The list carries the same fields.
    const list = ((await (await cloud.get("/api/capsules")).json()) as { capsules: Array<Record<string, unknown>> }).capsules;
    expect(list).toEqual([expect.objectContaining({ nodeId: "capsule-1", aedChangedAt: at(start + 500_000), aedRangeC: range })]);
  });

  it("shows no range for firmware that does not report one, and refuses a range upside down", async () => {
    await send(capsuleEvent("capsule-2", 1, "started"));
    expect(await capsule("capsule-2")).toMatchObject({ aedRangeC: null });
    const upsideDown = capsuleEvent("capsule-2", 2, "capsule-opened", { capsuleDoor: "open", aedRangeC: { minC: 50, maxC: 0 } });
    expect(await cloud.ingest.handle(nodeTopic("capsule-2", "event"), bytes(encodeMessage(upsideDown)))).toBe("rejected");
    expect(await capsule("capsule-2")).toMatchObject({ capsuleDoor: "closed", aedRangeC: null });
  });
});
