import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AlarmRecord } from "../../cloud/alarms/alarm-record";
import type { IncidentBody } from "../support/site";
import { testCloud, type TestCloud } from "../support/cloud";

/** A stored alarm as the ingest hands it to the desk. */
function record(nodeId: string, seq: number, atMs: number): AlarmRecord {
  return {
    id: Math.floor(Math.random() * 1e12),
    nodeId,
    bootId: 1,
    seq,
    nodeTimeMs: 0,
    kind: "smoke",
    severity: "alarm",
    state: "raised",
    value: 950,
    unit: "raw",
    threshold: 700,
    evidence: null,
    receivedAt: new Date(atMs).toISOString(),
  };
}

describe("the incident desk under a flood", () => {
  let cloud: TestCloud;
  beforeEach(async () => {
    // A slice of one group, so the test does not depend on how fast this machine works a group.
    cloud = await testCloud({ config: { deskSliceMs: 0, deskBacklogSliceMs: 0 } });
  });
  afterEach(() => cloud.close());

  it("opens another node's incident before the flood's remaining groups, and still opens every flood incident", async () => {
    // 100 compromised nodes, 25 alarms each (over the desk's per-node budget of 20), in one batch.
    const FLOODERS = 100;
    for (let n = 0; n < FLOODERS; n++) {
      for (let i = 0; i < 25; i++) cloud.feed.publish(record(`flood-${n}`, i, cloud.clock.now));
    }
    // A genuine alarm arriving a few turns of the event loop later, while the desk works the flood.
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    cloud.feed.publish(record("genuine", 1, cloud.clock.now));
    await cloud.settle();

    const all = ((await (await cloud.get("/api/incidents?limit=500")).json()) as { incidents: Array<IncidentBody["incident"]> }).incidents;
    expect(all).toHaveLength(FLOODERS + 1);
    const genuineId = all.find((i) => i.nodeId === "genuine")!.id;
    const openedBefore = all.filter((i) => i.id < genuineId).length;
    // Without turns of the loop the whole batch ran as one task: all 100 came first.
    expect(openedBefore).toBeLessThan(10);
    expect(all.filter((i) => i.id !== genuineId).every((i) => i.triggerCount === 25)).toBe(true);
  });
});
