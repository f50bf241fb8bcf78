import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { recordingPush, subscribeTeam, testCloud, type TestCloud } from "../support/cloud";
import { as, incident, incidents, nodeAlarm, placeNode, seedSite, seedTeam } from "../support/site";

describe("one incident per (place, hazard)", () => {
  let cloud: TestCloud;
  let push: ReturnType<typeof recordingPush>;
  beforeEach(async () => {
    push = recordingPush(() => cloud.clock.now);
    cloud = await testCloud({ push, config: { clearHoldMs: 60_000, flapWindowMs: 10 * 60_000 } });
    await seedSite(cloud.database.db);
    for (let i = 0; i < 10; i++) await placeNode(cloud.database.db, `smoke-b1-3${String(i).padStart(2, "0")}`, "fl-1-3");
    await placeNode(cloud.database.db, "ebike-b1-el", "bd-1");
  });
  afterEach(() => cloud.close());

  it("folds a storm of 1,000 triggers from one place into one incident and one notification per person", async () => {
    const team = await seedTeam(cloud);
    await subscribeTeam(cloud, team);
    const notified: number[] = [];
    cloud.routing.hub.subscribe({ kind: "staff", actor: "staff:x", staffId: team.lead1.id, name: "x", role: "building-lead", scopePaths: ["st-1/"] }, (e) => {
      if (e.event === "notification") notified.push(team.lead1.id);
    });
    // Ten detectors on one floor, a hundred alarms each, interleaved, as fast as the ingest takes them.
    const sends: Array<Promise<string>> = [];
    for (let i = 0; i < 1000; i++) {
      sends.push(nodeAlarm(cloud, `smoke-b1-3${String(i % 10).padStart(2, "0")}`, { severity: i % 7 === 0 ? "urgent" : "alarm" }));
      if (i % 50 === 0) cloud.clock.now += 100;
    }
    expect(new Set(await Promise.all(sends))).toEqual(new Set(["stored"]));
    await cloud.settle();

    const all = await incidents(cloud);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ hazard: "fire", triggerCount: 1000, status: "open" });
    const { deliveries, events } = await incident(cloud, all[0].id);
    // One browser notification per person of the fire's first tier (five people), nothing per trigger.
    const perPerson = new Map<number, number>();
    for (const m of push.sent) {
      const id = m.staffId;
      perPerson.set(id, (perPerson.get(id) ?? 0) + 1);
    }
    expect([...perPerson.keys()].sort()).toEqual([team.lead1.id, team.property.id, team.grid.id, team.community.id, team.street.id].sort());
    expect([...perPerson.values()].every((n) => n === 1)).toBe(true);
    expect(deliveries.filter((d) => d.channel === "push")).toHaveLength(5);
    expect(notified).toEqual([team.lead1.id]);
    expect(events.filter((e) => e.type === "opened")).toHaveLength(1);
    expect(events.filter((e) => e.type === "notified")).toHaveLength(1);
  });

  it("keeps a fire-class incident open when its node reads normal, until a person confirms", async () => {
    const team = await seedTeam(cloud);
    await subscribeTeam(cloud, team);
    await nodeAlarm(cloud, "smoke-b1-300");
    await cloud.settle();
    const [fire] = await incidents(cloud);
    await nodeAlarm(cloud, "smoke-b1-300", { state: "cleared", value: 300 });
    await cloud.advance(60 * 60_000);
    const { incident: after, events } = await incident(cloud, fire.id);
    expect(after.status).toBe("open");
    expect(after.sourceClearedAt).not.toBeNull();
    expect(events.find((e) => e.type === "source-cleared")?.detail).toMatchObject({ waitsFor: expect.stringContaining("person to confirm") });

    const lead = as(cloud, team.lead1.token);
    expect((await lead.post(`/api/incidents/${fire.id}/ack`)).status).toBe(200);
    expect((await lead.post(`/api/incidents/${fire.id}/resolve`, { note: "burnt toast, room aired" })).status).toBe(200);
    const resolved = await incident(cloud, fire.id);
    expect(resolved.incident).toMatchObject({ status: "resolved", resolvedBy: `staff:${team.lead1.id}` });
    expect(resolved.events.find((e) => e.type === "resolved")?.detail).toMatchObject({ sourceState: "normal" });
  });

  it("suppresses flapping: a self-clearing hazard that bounces stays one incident and pages nobody again", async () => {
    const team = await seedTeam(cloud);
    await subscribeTeam(cloud, team);
    const ebike = { kind: "lock-max-hold", severity: "warning", value: 1, unit: "bool", threshold: 1 } as const;
    // An e-bike still in the car when the hold reached its limit (stored records straight into the desk).
    const raise = (state: "raised" | "cleared") =>
      cloud.feed.publish({ id: Math.floor(Math.random() * 1e9), nodeId: "ebike-b1-el", bootId: 1, seq: 1, nodeTimeMs: 0, state, evidence: null, receivedAt: new Date(cloud.clock.now).toISOString(), ...ebike });
    raise("raised");
    await cloud.settle();
    const [blocked] = await incidents(cloud);
    expect(blocked.hazard).toBe("ebike-blocked");
    // Acknowledged, so escalation is not what pages anyone below.
    expect((await as(cloud, team.property.token).post(`/api/incidents/${blocked.id}/ack`)).status).toBe(200);
    const before = push.sent.length;
    for (let i = 0; i < 20; i++) {
      await cloud.advance(10_000);
      raise(i % 2 === 0 ? "cleared" : "raised");
      await cloud.settle();
    }
    expect(await incidents(cloud)).toHaveLength(1);
    expect(push.sent.length - before).toBe(0);
    // Cleared for good: resolved by itself after the hold, no re-check needed for this hazard.
    raise("cleared");
    await cloud.settle();
    await cloud.advance(60_000);
    const { incident: done, events } = await incident(cloud, blocked.id);
    expect(done).toMatchObject({ status: "resolved", resolvedBy: "system", recheckDueAt: null });
    expect(events.filter((e) => e.type === "raised-again").length).toBeGreaterThanOrEqual(9);
    // It comes back two minutes later: the same incident reopens, counted, but nobody is paged twice within the flap window.
    await cloud.advance(2 * 60_000);
    raise("raised");
    await cloud.settle();
    const reopened = await incident(cloud, blocked.id);
    expect(reopened.incident).toMatchObject({ status: "open", reopenedCount: 1 });
    expect(reopened.events.find((e) => e.type === "reopened")?.detail).toMatchObject({ notified: false });
    expect(push.sent.length - before).toBe(0);
  });
});
