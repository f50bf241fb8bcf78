import { afterEach, describe, expect, it } from "vitest";
import { testCloud, type TestCloud } from "../support/cloud";
import { RecordingPhone } from "../support/recording-sms";
import { addStaff, as, incident, incidents, nodeAlarm, placeNode, seedSite, seedTeam } from "../support/site";

interface Gap {
  id: number;
  incidentId: number;
  step: number;
  reason: string;
  detail: { people?: Array<{ name: string; unreachable: Record<string, string> }>; channels?: string[] };
  closedAt: string | null;
}

describe("no silent gaps: a round that reaches nobody is recorded and moves on at once", () => {
  let cloud: TestCloud;
  afterEach(() => cloud.close());

  const start = async (routing: Parameters<typeof testCloud>[0] = {}) => {
    cloud = await testCloud({ config: { ackTimeoutMs: 60_000, maxEscalations: 3 }, ...routing });
    await seedSite(cloud.database.db);
    await placeNode(cloud.database.db, "smoke-b1-301", "fl-1-3");
  };
  const gaps = async (all = false) => ((await (await cloud.get(`/api/routing-gaps${all ? "?all=true" : ""}`)).json()) as { gaps: Gap[]; open: number });

  it("escalates through every tier at once when no channel can reach anyone, and says why per person", async () => {
    await start(); // no SMS or voice provider, no browser subscribed, nobody at a console
    await seedTeam(cloud);
    const t0 = cloud.clock.now;
    await nodeAlarm(cloud, "smoke-b1-301");
    await cloud.settle();
    const [fire] = await incidents(cloud);
    const { incident: row, events } = await incident(cloud, fire.id);
    // Four rounds (tier 0, 1, 2 and 2 again), each a gap, without waiting out a single acknowledgement timer.
    expect(row.escalationStep).toBe(3);
    expect(cloud.clock.now).toBe(t0);
    expect(events.filter((e) => e.type === "escalated").map((e) => e.detail?.step)).toEqual([1, 2, 3]);
    expect(events.filter((e) => e.type === "routing-gap").map((e) => e.detail?.step)).toEqual([0, 1, 2, 3]);
    const { gaps: open, open: count } = await gaps();
    expect(count).toBe(4);
    expect(open.every((g) => g.reason === "nobody-reachable" && g.incidentId === fire.id)).toBe(true);
    const first = open.find((g) => g.step === 0)!;
    expect(first.detail.channels).toEqual(["console", "push", "sms", "chat"]);
    const property = first.detail.people!.find((p) => p.name === "Property CP1")!;
    expect(property.unreachable).toEqual({ console: "console not open", push: "no browser subscribed", sms: "no SMS provider" });
    // Numbers are personal data: not in the gap's detail, nor in any log line.
    expect(JSON.stringify(open)).not.toContain("+86138");
    expect(cloud.log.lines.join("\n")).not.toContain("+86138");
    expect(cloud.log.lines.some((l) => l.includes("routing gap"))).toBe(true);
  });

  it("names nobody-on-duty when the tier's roles have no one there", async () => {
    await start({ sms: new RecordingPhone() });
    await addStaff(cloud, { name: "Lead B2", role: "building-lead", scopes: ["bd-2"], phone: "+8613800000009" });
    await nodeAlarm(cloud, "smoke-b1-301");
    await cloud.settle();
    const { gaps: open } = await gaps();
    expect(open.find((g) => g.step === 0)).toMatchObject({ reason: "nobody-on-duty" });
  });

  it("does not count a round that reaches someone, and escalates only when the timer runs out", async () => {
    const sms = new RecordingPhone();
    await start({ sms });
    await seedTeam(cloud);
    await nodeAlarm(cloud, "smoke-b1-301");
    await cloud.settle();
    const [fire] = await incidents(cloud);
    expect((await incident(cloud, fire.id)).incident.escalationStep).toBe(0);
    expect((await gaps()).open).toBe(0);
    expect(sms.sent.map((m) => m.to).sort()).toEqual(["+8613800000001", "+8613800000002"]);
    // The first delivery taken is the incident's first notification.
    expect((await incident(cloud, fire.id)).incident.firstNotifiedAt).toBe(new Date(cloud.clock.now).toISOString());
  });

  it("moves on as soon as every delivery of a round has been refused", async () => {
    const sms = new RecordingPhone();
    // Everyone with a phone refused, the fire liaison of a later tier too: otherwise whether the
    // escalation has reached the liaison's accepted SMS when the incident is read is a race.
    sms.refuse.add("+8613800000001").add("+8613800000002").add("+8613800000003");
    await start({ sms });
    await seedTeam(cloud);
    await nodeAlarm(cloud, "smoke-b1-301");
    await cloud.settle();
    const [fire] = await incidents(cloud);
    const { incident: row, deliveries } = await incident(cloud, fire.id);
    expect(deliveries.filter((d) => d.channel === "sms" && d.tier === 0 && d.status === "failed")).toHaveLength(2);
    expect(row.escalationStep).toBeGreaterThanOrEqual(1);
    expect(row.firstNotifiedAt).toBeNull();
    const step0 = (await gaps()).gaps.find((g) => g.step === 0)!;
    expect(step0.reason).toBe("every-delivery-failed");
  });

  it("is not a gap when someone has the console open", async () => {
    await start();
    const team = await seedTeam(cloud);
    const stream = await as(cloud, team.property.token).get("/api/incidents/stream");
    const reader = stream.body!.getReader();
    await reader.read();
    await nodeAlarm(cloud, "smoke-b1-301");
    await cloud.settle();
    const [fire] = await incidents(cloud);
    expect((await incident(cloud, fire.id)).incident.escalationStep).toBe(0);
    expect((await gaps()).open).toBe(0);
    await reader.cancel();
  });

  it("lets an admin mark a gap mended, and keeps it in the full list", async () => {
    await start();
    await seedTeam(cloud);
    await nodeAlarm(cloud, "smoke-b1-301");
    await cloud.settle();
    const [gap] = (await gaps()).gaps;
    const closed = await as(cloud, cloud.token).post(`/api/routing-gaps/${gap.id}/close`);
    expect(closed.status).toBe(200);
    expect((await gaps()).gaps.map((g) => g.id)).not.toContain(gap.id);
    expect((await gaps(true)).gaps.find((g) => g.id === gap.id)!.closedAt).not.toBeNull();
    expect((await as(cloud, cloud.token).post(`/api/routing-gaps/${gap.id}/close`)).status).toBe(404);
  });
});
