import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { testCloud, type TestCloud } from "../support/cloud";
import { elevatorEvent, elevatorState } from "../support/device-messages";
import { ingestAt } from "../support/node-history";
import { nodeAlarm } from "../support/site";

/** What the console's node page and elevator board ask of the server beyond part 1's routes. */
describe("routes for the crews' node page and elevator board", () => {
  let cloud: TestCloud;
  beforeEach(async () => {
    cloud = await testCloud();
  });
  afterEach(() => cloud.close());

  const json = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const response = await cloud.get(path);
    return { status: response.status, body: (await response.json()) as T };
  };

  it("lists one node's alarms newest first, pages them, and answers 404 for a node never heard from", async () => {
    await nodeAlarm(cloud, "smoke-a", { seq: 1, value: 710 });
    await nodeAlarm(cloud, "smoke-b", { seq: 1, value: 999 });
    await nodeAlarm(cloud, "smoke-a", { seq: 2, value: 720, state: "cleared" });
    const { status, body } = await json<{ alarms: Array<{ id: number; nodeId: string; value: number; state: string }> }>("/api/nodes/smoke-a/alarms");
    expect(status).toBe(200);
    expect(body.alarms.map((a) => [a.nodeId, a.value, a.state])).toEqual([["smoke-a", 720, "cleared"], ["smoke-a", 710, "raised"]]);
    const next = await json<{ alarms: Array<{ value: number }> }>(`/api/nodes/smoke-a/alarms?limit=1&before=${body.alarms[0].id}`);
    expect(next.body.alarms.map((a) => a.value)).toEqual([710]);
    expect((await json("/api/nodes/smoke-zz/alarms")).status).toBe(404);
    expect((await json("/api/nodes/smoke-a/alarms?limit=0")).status).toBe(400);
  });

  it("puts the cars held now first on the board, says since when, and pages with a total", async () => {
    const start = cloud.clock.now;
    for (const id of ["lift-a", "lift-b", "lift-c"]) await ingestAt(cloud, start, elevatorEvent(id, 1, "started"));
    await ingestAt(cloud, start + 60_000, elevatorEvent("lift-c", 2, "hold-start", { state: { ...elevatorState, lock: "held", ebike: true } }));
    // Another event during the hold (the maintenance key) must not move when the hold began.
    await ingestAt(cloud, start + 90_000, elevatorEvent("lift-c", 3, "override-on", { state: { ...elevatorState, lock: "held", ebike: true, override: true } }));
    await ingestAt(cloud, start + 70_000, elevatorEvent("lift-b", 2, "lock-disabled", { state: { ...elevatorState, enabled: false } }));
    type Board = { elevators: Array<{ nodeId: string; lock: string; holdSince: string | null }>; total: number };
    const board = await json<Board>("/api/elevators?sort=attention");
    expect(board.body.elevators.map((e) => e.nodeId)).toEqual(["lift-c", "lift-b", "lift-a"]);
    expect(board.body.elevators[0].holdSince).toBe(new Date(start + 60_000).toISOString());
    expect(board.body.elevators[1].holdSince).toBeNull();
    expect(board.body.total).toBe(3);
    const page = await json<Board>("/api/elevators?sort=attention&limit=1&offset=1");
    expect(page.body.elevators.map((e) => e.nodeId)).toEqual(["lift-b"]);
    expect(page.body.total).toBe(3);
    // Without `sort`, the order stays by id, as before.
    expect((await json<Board>("/api/elevators")).body.elevators.map((e) => e.nodeId)).toEqual(["lift-a", "lift-b", "lift-c"]);
    expect((await json("/api/elevators?limit=0")).status).toBe(400);
  });
});
