import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RoutingDirectory } from "../../cloud/routing/directory";
import { testCloud, type TestCloud } from "../support/cloud";
import { addStaff, incidents, nodeAlarm, placeNode, seedSite } from "../support/site";

/** The people and channels routing reads, kept in memory while the tables they come from do not change. */
describe("the routing directory", () => {
  let cloud: TestCloud;
  beforeEach(async () => {
    cloud = await testCloud();
    await seedSite(cloud.database.db);
  });
  afterEach(() => cloud.close());

  const leadsOf = (snapshot: Awaited<ReturnType<RoutingDirectory["current"]>>, place: string) =>
    snapshot.people({ roles: ["building-lead"], scopedAtAnyOf: ["st-1", "cm-1", "cp-1", place] }).map((person) => person.name);

  it("is read once while nothing changes, and again after any change, from whichever connection made it", async () => {
    const directory = new RoutingDirectory(cloud.database.db);
    const lead = await addStaff(cloud, { name: "Lead B1", role: "building-lead", scopes: ["bd-1"], phone: "+8613900000001" });
    const first = await directory.current();
    expect(leadsOf(first, "bd-1")).toEqual(["Lead B1"]);
    expect(await directory.current()).toBe(first);

    // Written as another instance or the CLI would: straight to the database, not through this process's code.
    const { client } = cloud.database;
    await client.execute({ sql: "update staff set active = 0 where id = ?", args: [lead.id] });
    const deactivated = await directory.current();
    expect(deactivated).not.toBe(first);
    expect(leadsOf(deactivated, "bd-1")).toEqual([]);

    await client.execute({ sql: "update staff set active = 1 where id = ?", args: [lead.id] });
    await client.execute({ sql: "update staff_scopes set place_id = 'bd-2' where staff_id = ?", args: [lead.id] });
    const moved = await directory.current();
    expect(leadsOf(moved, "bd-1")).toEqual([]);
    expect(leadsOf(moved, "bd-2")).toEqual(["Lead B1"]);

    await client.execute({ sql: "insert into duty_shifts (staff_id, days, start_minute, end_minute) values (?, 127, 480, 1080)", args: [lead.id] });
    expect(leadsOf(await directory.current(), "bd-2")).toEqual(["Lead B1"]);
    expect((await directory.current()).people({ roles: ["building-lead"], scopedAtAnyOf: ["bd-2"] })[0].shifts).toEqual([{ days: 127, startMinute: 480, endMinute: 1080 }]);

    await client.execute({ sql: "update places set path = '/st-1/cm-1/cp-2/bd-2/' where id = 'bd-2'", args: [] });
    expect((await directory.current()).people({ roles: ["building-lead"], scopedAtAnyOf: ["bd-2"] })[0].scopes).toEqual([{ placeId: "bd-2", path: "/st-1/cm-1/cp-2/bd-2/" }]);
  });

  it("keeps its snapshot when only a push subscription's last send moved", async () => {
    const directory = new RoutingDirectory(cloud.database.db);
    const lead = await addStaff(cloud, { name: "Lead B1", role: "building-lead", scopes: ["bd-1"] });
    const { client } = cloud.database;
    await client.execute({
      sql: "insert into push_subscriptions (staff_id, endpoint, p256dh, auth, created_at) values (?, 'https://push.example/1', 'key', 'auth', 0)",
      args: [lead.id],
    });
    const before = await directory.current();
    expect([...before.pushSubscribed([lead.id, 999])]).toEqual([lead.id]);
    await client.execute({ sql: "update push_subscriptions set last_sent_at = 5 where staff_id = ?", args: [lead.id] });
    expect(await directory.current()).toBe(before);
    await client.execute({ sql: "delete from push_subscriptions where staff_id = ?", args: [lead.id] });
    expect([...(await directory.current()).pushSubscribed([lead.id])]).toEqual([]);
  });

  it("gives the robots of the places on a path, active ones only", async () => {
    const directory = new RoutingDirectory(cloud.database.db);
    const { client } = cloud.database;
    for (const [place, name, active] of [["cm-1", "community group", 1], ["cp-1", "compound group", 1], ["cp-2", "other compound", 1], ["bd-1", "off", 0]] as const) {
      await client.execute({
        sql: "insert into chat_robots (place_id, kind, name, url, secret, active, created_at) values (?, 'dingtalk', ?, 'https://oapi.dingtalk.com/robot/send?access_token=x', null, ?, 0)",
        args: [place, name, active],
      });
    }
    expect((await directory.current()).robotsOnPath("/st-1/cm-1/cp-1/bd-1/fl-1-3/").map((robot) => robot.name)).toEqual(["community group", "compound group"]);
  });

  it("lets the desk page nobody a change took out of routing, however the change was made", async () => {
    await placeNode(cloud.database.db, "smoke-1", "fl-1-3");
    await placeNode(cloud.database.db, "smoke-2", "bd-1");
    const lead = await addStaff(cloud, { name: "Lead B1", role: "building-lead", scopes: ["bd-1"] });
    await nodeAlarm(cloud, "smoke-1");
    await cloud.settle();
    const paged = async (incidentId: number) =>
      (await cloud.database.client.execute({ sql: "select staff_id from deliveries where incident_id = ? and staff_id is not null", args: [incidentId] })).rows.map((row) => Number(row.staff_id));
    const [first] = await incidents(cloud);
    expect(await paged(first.id)).toContain(lead.id);

    await cloud.database.client.execute({ sql: "update staff set active = 0 where id = ?", args: [lead.id] });
    await nodeAlarm(cloud, "smoke-2");
    await cloud.settle();
    const second = (await incidents(cloud)).find((incident) => incident.id !== first.id)!;
    expect(second).toBeDefined();
    expect(await paged(second.id)).not.toContain(lead.id);
  });
});
