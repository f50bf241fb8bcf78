import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRoutingStage } from "../../cloud/routing/stage";
import { isOnDuty } from "../../cloud/staff/duty";
import { recordingPush, subscribePush, subscribeTeam, testCloud, type TestCloud } from "../support/cloud";
import { RecordingPhone } from "../support/recording-sms";
import { as, incident, incidents, nodeAlarm, placeNode, seedSite, seedTeam } from "../support/site";

describe("escalation on a controllable clock", () => {
  let cloud: TestCloud;
  let push: ReturnType<typeof recordingPush>;
  beforeEach(async () => {
    push = recordingPush(() => cloud.clock.now);
    cloud = await testCloud({ push, sms: new RecordingPhone(), voice: new RecordingPhone("recording-voice"), config: { ackTimeoutMs: 60_000, maxEscalations: 3 } });
    await seedSite(cloud.database.db);
    await placeNode(cloud.database.db, "smoke-b1-301", "fl-1-3");
  });
  afterEach(() => cloud.close());

  const pushedTo = (staffId: number) => push.sent.filter((m) => m.staffId === staffId);

  it("notifies the first tier at once, the next tier after 60 s unacknowledged, repeats the last tier, and stops at the limit", async () => {
    const team = await seedTeam(cloud);
    await subscribeTeam(cloud, team);
    const t0 = cloud.clock.now;
    await nodeAlarm(cloud, "smoke-b1-301");
    await cloud.settle();

    const [fire] = await incidents(cloud);
    expect(fire).toMatchObject({ hazard: "fire", status: "open", escalationStep: 0 });
    // Tier 0 of a fire: building lead, property, grid worker, community office, street office; not the liaison, not building 2's lead.
    for (const person of [team.lead1, team.property, team.grid, team.community, team.street]) expect(pushedTo(person.id)).toHaveLength(1);
    expect(pushedTo(team.liaison.id)).toHaveLength(0);
    expect(pushedTo(team.lead2.id)).toHaveLength(0);

    await cloud.advance(59_999);
    expect((await incident(cloud, fire.id)).incident.escalationStep).toBe(0);
    expect(pushedTo(team.liaison.id)).toHaveLength(0);

    await cloud.advance(1);
    expect(cloud.clock.now - t0).toBe(60_000);
    expect((await incident(cloud, fire.id)).incident.escalationStep).toBe(1);
    expect(pushedTo(team.liaison.id)).toHaveLength(1);
    expect(pushedTo(team.liaison.id)[0]).toMatchObject({ atMs: t0 + 60_000, payload: { purpose: "escalate", tier: 1 } });
    expect(pushedTo(team.lead1.id)).toHaveLength(1); // tier 1 is the wider circle, not the building again

    await cloud.advance(60_000); // step 2: tier 2 (liaison + street office, voice/sms)
    await cloud.advance(60_000); // step 3: tier 2 again — the last tier repeats
    await cloud.advance(10 * 60_000); // limit reached: nothing more
    const { incident: after, events } = await incident(cloud, fire.id);
    expect(after.escalationStep).toBe(3);
    const escalations = events.filter((e) => e.type === "escalated");
    expect(escalations.map((e) => [Date.parse(e.at) - t0, e.detail?.step])).toEqual([
      [60_000, 1],
      [120_000, 2],
      [180_000, 3],
    ]);
    expect(events.filter((e) => e.type === "escalation-limit-reached")).toHaveLength(1);
    // Tier 2 has no push channel, so the liaison's browser heard of it once (tier 1).
    expect(pushedTo(team.liaison.id)).toHaveLength(1);
    const liaisonDeliveries = (await incident(cloud, fire.id)).deliveries.filter((d) => d.staffId === team.liaison.id);
    // Console, push and a call at tier 1; a call and an SMS at tier 2 and at its repeat.
    expect(liaisonDeliveries.map((d) => `${d.tier}:${d.channel}`).sort()).toEqual(["1:console", "1:push", "1:voice", "2:sms", "2:voice", "3:sms", "3:voice"]);
    expect(cloud.scheduler.pending).toBe(0);
  });

  it("stops escalating once someone in scope acknowledges, and records who and when", async () => {
    const team = await seedTeam(cloud);
    await subscribeTeam(cloud, team);
    await nodeAlarm(cloud, "smoke-b1-301");
    await cloud.settle();
    const [fire] = await incidents(cloud);
    await cloud.advance(30_000);
    const ack = await as(cloud, team.lead1.token).post(`/api/incidents/${fire.id}/ack`, { note: "on my way" });
    expect(ack.status).toBe(200);
    await cloud.advance(10 * 60_000);
    const { incident: after, events } = await incident(cloud, fire.id);
    expect(after).toMatchObject({ status: "acknowledged", escalationStep: 0, acknowledgedBy: `staff:${team.lead1.id}` });
    expect(Date.parse(after.acknowledgedAt as string) - Date.parse(after.openedAt as string)).toBe(30_000);
    expect(events.map((e) => e.type)).toEqual(["opened", "notified", "acknowledged"]);
    expect(pushedTo(team.liaison.id)).toHaveLength(0);
    // A second acknowledgement is refused with the reason.
    const again = await as(cloud, team.grid.token).post(`/api/incidents/${fire.id}/ack`);
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: "wrong-state" });
  });

  it("notifies only people on duty, by the site's local time", async () => {
    // Cloud clock: 2026-11-25 08:00 UTC = 16:00 in China (UTC+8), a Wednesday.
    const day = await as(cloud, cloud.token).post("/api/staff", { name: "Day", role: "building-lead", scopes: ["bd-1"], shifts: [{ days: ["wed"], start: "08:00", end: "18:00" }] });
    const night = await as(cloud, cloud.token).post("/api/staff", { name: "Night", role: "building-lead", scopes: ["bd-1"], shifts: [{ days: ["wed"], start: "18:00", end: "08:00" }] });
    const dayPerson = (await day.json()) as { staff: { id: number }; token: string };
    const nightPerson = (await night.json()) as { staff: { id: number }; token: string };
    const [dayId, nightId] = [dayPerson.staff.id, nightPerson.staff.id];
    await subscribePush(cloud, { id: dayId, token: dayPerson.token });
    await subscribePush(cloud, { id: nightId, token: nightPerson.token });
    await nodeAlarm(cloud, "smoke-b1-301");
    await cloud.settle();
    expect(pushedTo(dayId)).toHaveLength(1);
    expect(pushedTo(nightId)).toHaveLength(0);
    // A shift past midnight belongs to the day it started: Wednesday 18:00 → Thursday 08:00.
    const wed = { days: 1 << 3, startMinute: 18 * 60, endMinute: 8 * 60 };
    expect(isOnDuty([wed], Date.UTC(2026, 10, 25, 22, 0), 480)).toBe(true); // Thu 06:00 local
    expect(isOnDuty([wed], Date.UTC(2026, 10, 26, 22, 0), 480)).toBe(false); // Fri 06:00 local
  });

  it("re-arms pending escalations from the database after a restart", async () => {
    const team = await seedTeam(cloud);
    await subscribeTeam(cloud, team);
    await nodeAlarm(cloud, "smoke-b1-301");
    await cloud.settle();
    const [fire] = await incidents(cloud);
    // The instance stops; a new one starts over the same database with the same clock.
    cloud.routing.stop();
    const restarted = createRoutingStage({ db: cloud.database.db, feed: cloud.feed, log: cloud.log, scheduler: cloud.scheduler, push, dataDir: cloud.dataDir });
    await restarted.start();
    await cloud.scheduler.advance(60_000, async () => {
      await restarted.desk.idle();
      await restarted.notifier.idle();
    });
    const { incident: after } = await incident(cloud, fire.id);
    expect(after.escalationStep).toBe(1);
    expect(pushedTo(team.liaison.id)).toHaveLength(1);
    restarted.stop();
  });
});
