import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { alarms } from "../../cloud/db/schema";
import { recordingPush, subscribeTeam, testCloud, type TestCloud } from "../support/cloud";
import { incident, incidents, nodeAlarm, placeNode, seedSite, seedTeam } from "../support/site";

/**
 * The hand-off from a stored alarm to its incident is in the database, not in memory: a cloud that
 * dies after the alarm's commit (and PUBACK) but before the incident desk ran leaves the alarm
 * marked, and the next start opens the incident and notifies.
 */
describe("durable hand-off from stored alarm to incident", () => {
  const clouds: TestCloud[] = [];
  afterEach(async () => {
    for (const cloud of clouds.splice(0)) await cloud.close().catch(() => undefined);
  });

  const start = async (databaseUrl?: string) => {
    const push = recordingPush(() => Date.UTC(2026, 10, 25, 8, 0, 0));
    const cloud = await testCloud({ push }, { databaseUrl });
    clouds.push(cloud);
    return { cloud, push };
  };
  const pending = async (cloud: TestCloud) => (await cloud.database.db.select({ id: alarms.id }).from(alarms).where(eq(alarms.incidentPending, true))).length;

  it("opens the incident and notifies after a crash between the alarm's commit and the desk; the redelivery is a harmless copy", async () => {
    const first = await start();
    await seedSite(first.cloud.database.db);
    await placeNode(first.cloud.database.db, "smoke-b1-301", "fl-1-3");
    const team = await seedTeam(first.cloud);
    await subscribeTeam(first.cloud, team);
    // The desk is gone (the process is about to die): the ingest stores and would PUBACK, nobody else runs.
    first.cloud.routing.stop();
    expect(await nodeAlarm(first.cloud, "smoke-b1-301", { seq: 7 })).toBe("stored");
    expect(await pending(first.cloud)).toBe(1);
    expect(await incidents(first.cloud)).toHaveLength(0);
    first.cloud.database.close();
    clouds.splice(0);

    const second = await start(first.cloud.databaseUrl);
    await second.cloud.settle();
    const [fire] = await incidents(second.cloud);
    expect(fire).toMatchObject({ hazard: "fire", status: "open" });
    const body = await incident(second.cloud, fire.id);
    expect(body.events.map((e) => e.type)).toEqual(["opened", "notified"]);
    expect(second.push.sent.filter((m) => m.staffId === team.lead1.id)).toHaveLength(1);
    expect(await pending(second.cloud)).toBe(0);
    // The broker redelivers the message the dead instance had stored: a copy, and nobody is told twice.
    expect(await nodeAlarm(second.cloud, "smoke-b1-301", { seq: 7 })).toBe("duplicate");
    await second.cloud.settle();
    expect(await incidents(second.cloud)).toHaveLength(1);
    expect(second.push.sent.filter((m) => m.staffId === team.lead1.id)).toHaveLength(1);
  });

  it("tells people once when the crash came after the incident was opened but before anyone was notified", async () => {
    const first = await start();
    await seedSite(first.cloud.database.db);
    await placeNode(first.cloud.database.db, "smoke-b1-301", "fl-1-3");
    const team = await seedTeam(first.cloud);
    await subscribeTeam(first.cloud, team);
    expect(await nodeAlarm(first.cloud, "smoke-b1-301", { seq: 8 })).toBe("stored");
    await first.cloud.settle();
    const [opened] = await incidents(first.cloud);
    // Make the database look as a crash right after the incident's insert leaves it: no round, the alarm still marked.
    const { deliveries, incidentEvents } = await import("../../cloud/db/schema");
    await first.cloud.database.db.delete(deliveries).where(eq(deliveries.incidentId, opened.id));
    await first.cloud.database.db.delete(incidentEvents).where(eq(incidentEvents.incidentId, opened.id));
    await first.cloud.database.db.update(alarms).set({ incidentPending: true });
    first.cloud.routing.stop();
    first.cloud.database.close();
    clouds.splice(0);

    const second = await start(first.cloud.databaseUrl);
    await second.cloud.settle();
    expect(await incidents(second.cloud)).toHaveLength(1);
    const body = await incident(second.cloud, opened.id);
    expect(body.events.map((e) => e.type)).toEqual(["notified"]);
    expect(second.push.sent.filter((m) => m.staffId === team.lead1.id)).toHaveLength(1);
    expect(await pending(second.cloud)).toBe(0);
    // A second restart finds nothing left to do and tells nobody again.
    second.cloud.routing.stop();
    second.cloud.database.close();
    clouds.splice(0);
    const third = await start(first.cloud.databaseUrl);
    await third.cloud.settle();
    expect(third.push.sent).toHaveLength(0);
  });

  it("keeps a batch that failed marked and takes it up again once the database answers", async () => {
    const { cloud } = await start();
    await seedSite(cloud.database.db);
    await placeNode(cloud.database.db, "smoke-b1-301", "fl-1-3");
    await subscribeTeam(cloud, await seedTeam(cloud));
    // The desk's first read of the node's place fails, as a locked or full database would.
    const client = cloud.database.client;
    const execute = client.execute.bind(client);
    let failures = 1;
    (client as { execute: typeof client.execute }).execute = ((statement: Parameters<typeof client.execute>[0]) => {
      const text = typeof statement === "string" ? statement : (statement as { sql: string }).sql;
      if (failures > 0 && /from "nodes" left join "places"/.test(text)) {
        failures--;
        return Promise.reject(new Error("SQLITE_BUSY: database is locked"));
      }
      return execute(statement);
    }) as typeof client.execute;
    expect(await nodeAlarm(cloud, "smoke-b1-301", { seq: 9 })).toBe("stored");
    await cloud.settle();
    expect(await pending(cloud)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await cloud.settle();
    expect(await incidents(cloud)).toHaveLength(1);
    expect(await pending(cloud)).toBe(0);
  });
});
