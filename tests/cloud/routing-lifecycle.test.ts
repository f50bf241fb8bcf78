import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DAY_MS } from "../../cloud/incidents/config";
import { setPlaceLocation } from "../../cloud/places/locations";
import { recordingPush, subscribeTeam, testCloud, type TestCloud } from "../support/cloud";
import { RecordingPhone } from "../support/recording-sms";
import { as, incident, incidents, nodeAlarm, placeNode, seedSite, seedTeam } from "../support/site";
import { validateXml } from "../support/xmllint";

describe("closed loop: open → acknowledged → dispatched → resolved → rechecked", () => {
  let cloud: TestCloud;
  let push: ReturnType<typeof recordingPush>;
  beforeEach(async () => {
    push = recordingPush(() => cloud.clock.now);
    // SMS reaches the fire's first tier (the app's broker acknowledgement is no proof anyone saw it).
    cloud = await testCloud({ push, sms: new RecordingPhone(), config: { recheckAfterMs: 7 * DAY_MS }, cap: { sender: "shouwang@heping.example" } });
    await seedSite(cloud.database.db);
    await placeNode(cloud.database.db, "smoke-b1-301", "fl-1-3");
    await setPlaceLocation(cloud.database.db, "fl-1-3", { latitude: 31.2304, longitude: 121.4737 });
  });
  afterEach(() => cloud.close());

  const cap = async (id: number, token = cloud.token) => {
    const response = await as(cloud, token).get(`/api/incidents/${id}/cap`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/cap+xml");
    return response.text();
  };

  it("records who and when at every step, schedules and assigns the re-check, and exports schema-valid CAP at each state", async () => {
    const team = await seedTeam(cloud);
    await subscribeTeam(cloud, team);
    const t0 = cloud.clock.now;
    await nodeAlarm(cloud, "smoke-b1-301", { severity: "urgent", value: 1020 });
    await cloud.settle();
    const [fire] = await incidents(cloud);
    const capXml: string[] = [await cap(fire.id)];

    await cloud.advance(20_000);
    expect((await as(cloud, team.grid.token).post(`/api/incidents/${fire.id}/ack`)).status).toBe(200);
    capXml.push(await cap(fire.id));
    await cloud.advance(40_000);
    const dispatched = await as(cloud, team.community.token).post(`/api/incidents/${fire.id}/dispatch`, { staffIds: [team.property.id, team.lead1.id], note: "check floor 3" });
    expect(dispatched.status).toBe(200);
    // The people dispatched hear of it on their app.
    expect(push.sent.filter((m) => m.staffId === team.property.id).map((m) => (m.payload as { purpose: string }).purpose)).toEqual(["notify", "dispatch"]);
    await cloud.advance(15 * 60_000);
    await nodeAlarm(cloud, "smoke-b1-301", { state: "cleared", value: 280 });
    await cloud.settle();
    const resolve = await as(cloud, team.property.token).post(`/api/incidents/${fire.id}/resolve`, { note: "kitchen fire out, extinguisher used" });
    expect(resolve.status).toBe(200);
    capXml.push(await cap(fire.id));

    // Re-check: due 7 days later, assigned to the person who resolved it, who is told when it falls due.
    let body = await incident(cloud, fire.id);
    expect(body.incident).toMatchObject({ status: "resolved", recheckAssigneeId: team.property.id });
    expect(Date.parse(body.incident.recheckDueAt as string) - Date.parse(body.incident.resolvedAt as string)).toBe(7 * DAY_MS);
    const pushesBefore = push.sent.filter((m) => m.staffId === team.property.id).length;
    await cloud.advance(7 * DAY_MS - 1);
    expect(body.events.some((e) => e.type === "recheck-due")).toBe(false);
    await cloud.advance(1);
    const recheckPush = push.sent.filter((m) => m.staffId === team.property.id).slice(pushesBefore);
    expect(recheckPush.map((m) => (m.payload as { purpose: string }).purpose)).toEqual(["recheck-due"]);
    const recheck = await as(cloud, team.property.token).post(`/api/incidents/${fire.id}/recheck`, { outcome: "ok", note: "wiring replaced, detector tested" });
    expect(recheck.status).toBe(200);
    capXml.push(await cap(fire.id));

    body = await incident(cloud, fire.id);
    const steps = body.events.filter((e) => ["opened", "acknowledged", "dispatched", "resolved", "recheck-scheduled", "recheck-due", "rechecked"].includes(e.type));
    expect(steps.map((e) => [e.type, e.actor, Date.parse(e.at) - t0])).toEqual([
      ["opened", "system", 0],
      ["acknowledged", `staff:${team.grid.id}`, 20_000],
      ["dispatched", `staff:${team.community.id}`, 60_000],
      ["resolved", `staff:${team.property.id}`, 960_000],
      ["recheck-scheduled", `staff:${team.property.id}`, 960_000],
      ["recheck-due", "system", 960_000 + 7 * DAY_MS],
      ["rechecked", `staff:${team.property.id}`, 960_000 + 7 * DAY_MS],
    ]);
    expect(body.incident).toMatchObject({ status: "rechecked", recheckedBy: `staff:${team.property.id}` });

    for (const xml of capXml) {
      const verdict = validateXml(xml);
      expect(verdict.valid, verdict.output).toBe(true);
    }
    expect(capXml[0]).toContain("<msgType>Alert</msgType>");
    expect(capXml[0]).toContain("<identifier>sw-incident-1</identifier>");
    expect(capXml[0]).toContain("<sent>2026-11-25T16:00:00+08:00</sent>");
    expect(capXml[0]).toContain("<severity>Extreme</severity>");
    expect(capXml[0]).toContain("<circle>31.230400,121.473700 0.1</circle>");
    expect(capXml[2]).toContain("<msgType>Update</msgType>");
    expect(capXml[2]).toContain("<references>shouwang@heping.example,sw-incident-1,2026-11-25T16:00:00+08:00</references>");
    expect(capXml[3]).toContain("<responseType>AllClear</responseType>");

    // Per community: time to notify, acknowledge, resolve.
    const metrics = (await (await cloud.get("/api/incidents/metrics")).json()) as { communities: Array<Record<string, unknown>> };
    expect(metrics.communities).toEqual([
      expect.objectContaining({
        communityId: "cm-1",
        incidents: 1,
        timeToNotify: expect.objectContaining({ count: 1, medianMs: 0 }),
        timeToAcknowledge: expect.objectContaining({ count: 1, medianMs: 20_000 }),
        timeToResolve: expect.objectContaining({ count: 1, medianMs: 960_000 }),
        reopenedIncidents: 0,
      }),
    ]);
  });

  it("reopens the incident when the re-check finds the hazard, notifies again and counts it", async () => {
    const team = await seedTeam(cloud);
    await subscribeTeam(cloud, team);
    await nodeAlarm(cloud, "smoke-b1-301");
    await cloud.settle();
    const [fire] = await incidents(cloud);
    const lead = as(cloud, team.lead1.token);
    await lead.post(`/api/incidents/${fire.id}/ack`);
    await lead.post(`/api/incidents/${fire.id}/resolve`, { recheckAfterDays: 3 });
    // Refused out of order, with the reason.
    const early = await lead.post(`/api/incidents/${fire.id}/ack`);
    expect(early.status).toBe(409);
    await cloud.advance(3 * DAY_MS);
    const before = push.sent.length;
    const failed = await lead.post(`/api/incidents/${fire.id}/recheck`, { outcome: "hazard-present", note: "scorched socket again" });
    expect(failed.status).toBe(200);
    await cloud.settle();
    const { incident: reopened, events } = await incident(cloud, fire.id);
    expect(reopened).toMatchObject({ status: "open", reopenedCount: 1, resolvedAt: null });
    expect(events.map((e) => e.type).slice(-3)).toEqual(["recheck-failed", "reopened", "notified"]);
    expect(push.sent.length - before).toBe(5);
    const verdict = validateXml(await cap(fire.id));
    expect(verdict.valid, verdict.output).toBe(true);

    const metrics = (await (await cloud.get("/api/incidents/metrics")).json()) as { communities: Array<{ reopenedIncidents: number; reopenings: number; stillOpen: number }> };
    expect(metrics.communities[0]).toMatchObject({ reopenedIncidents: 1, reopenings: 1, stillOpen: 1 });
    // A node alarm for the same place now folds into the reopened incident.
    await nodeAlarm(cloud, "smoke-b1-301");
    await cloud.settle();
    expect(await incidents(cloud)).toHaveLength(1);
  });

  it("escapes hostile text in CAP and still validates", async () => {
    await subscribeTeam(cloud, await seedTeam(cloud));
    await cloud.database.client.execute("UPDATE places SET name = 'Floor <3> & \"roof\" ''A''' WHERE id = 'fl-1-3'");
    await nodeAlarm(cloud, "smoke-b1-301");
    await cloud.settle();
    const [fire] = await incidents(cloud);
    const xml = await cap(fire.id);
    expect(xml).toContain("Floor &lt;3&gt; &amp; &quot;roof&quot; &apos;A&apos;");
    const verdict = validateXml(xml);
    expect(verdict.valid, verdict.output).toBe(true);
    // A CAP the schema refuses is caught: the validator is not a rubber stamp.
    expect(validateXml(xml.replace("<msgType>Alert</msgType>", "<msgType>Alarm</msgType>")).valid).toBe(false);
    expect(validateXml(xml.replace(/<sent>[^<]+<\/sent>/, "<sent>2026-11-25T08:00:00Z</sent>")).valid).toBe(false);
  });
});
