import { afterEach, describe, expect, it } from "vitest";
import { deliveries } from "../../cloud/db/schema";
import { testCloud, type TestCloud } from "../support/cloud";
import { RecordingPhone } from "../support/recording-sms";
import { addStaff, incident, incidents, nodeAlarm, placeNode, seedSite } from "../support/site";

/**
 * Deliveries live in the database: a cloud that stops with SMS still retrying leaves the rows,
 * and the next start takes each up where it was (its attempts, its due time), sends it once, and
 * a round taken up again adds nothing twice.
 */
describe("durable deliveries across a restart", () => {
  const clouds: TestCloud[] = [];
  afterEach(async () => {
    for (const cloud of clouds.splice(0)) await cloud.close().catch(() => undefined);
  });

  it("takes up retrying SMS after a restart and sends each once", async () => {
    const throttled = new RecordingPhone();
    throttled.failNext = 1_000;
    const first = await testCloud({ sms: throttled, instanceId: "cloud-a" });
    clouds.push(first);
    await seedSite(first.database.db);
    await placeNode(first.database.db, "smoke-b1-301", "fl-1-3");
    for (let i = 0; i < 12; i++) await addStaff(first, { name: `Lead ${i}`, role: "building-lead", scopes: ["bd-1"], phone: `+86139000000${String(i).padStart(2, "0")}` });
    await nodeAlarm(first, "smoke-b1-301");
    await first.settle();
    const [fire] = await incidents(first);
    const before = (await incident(first, fire.id)).deliveries.filter((d) => d.channel === "sms");
    expect(before).toHaveLength(12);
    expect(before.every((d) => d.status === "retrying" && d.attempts === 1)).toBe(true);
    const rowsBefore = await first.database.db.$count(deliveries);
    // The process dies: nothing more runs, the rows stay as they are.
    first.routing.stop();
    first.database.close();
    clouds.splice(0);

    const working = new RecordingPhone();
    const second = await testCloud({ sms: working, instanceId: "cloud-a" }, { databaseUrl: first.databaseUrl });
    clouds.push(second);
    second.clock.now = first.clock.now;
    await second.settle();
    // Each was due 5 s after its first attempt; not before.
    expect(working.sent).toHaveLength(0);
    await second.advance(5000);
    await second.settle();
    expect(working.sent.map((m) => m.to).sort()).toEqual(before.map((_, i) => `+86139000000${String(i).padStart(2, "0")}`).sort());
    const after = (await incident(second, fire.id)).deliveries.filter((d) => d.channel === "sms");
    expect(after.every((d) => d.status === "sent" && d.attempts === 2)).toBe(true);
    expect((await incident(second, fire.id)).incident.firstNotifiedAt).not.toBeNull();
    // Nobody was told twice, and the second start added no rows.
    expect(new Set(working.sent.map((m) => m.to)).size).toBe(12);
    expect(await second.database.db.$count(deliveries)).toBe(rowsBefore);
  });
});
