import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { testCloud, type TestCloud } from "../support/cloud";
import { as, incidents, nodeAlarm, placeNode, seedSite, seedTeam } from "../support/site";

describe("scope: a person sees and acts only inside their places", () => {
  let cloud: TestCloud;
  beforeEach(async () => {
    cloud = await testCloud();
    await seedSite(cloud.database.db);
    await placeNode(cloud.database.db, "smoke-b1-301", "fl-1-3");
    await placeNode(cloud.database.db, "smoke-b2-501", "fl-2-5");
    await placeNode(cloud.database.db, "smoke-b3-101", "bd-3");
  });
  afterEach(() => cloud.close());

  it("lists, shows and acts on incidents in scope, and answers 403 with a JSON reason outside it", async () => {
    const team = await seedTeam(cloud);
    await nodeAlarm(cloud, "smoke-b1-301");
    await nodeAlarm(cloud, "smoke-b2-501");
    await nodeAlarm(cloud, "smoke-b3-101");
    await cloud.settle();
    const all = await incidents(cloud);
    expect(all).toHaveLength(3);
    const inB1 = all.find((i) => i.placeId === "fl-1-3")!;
    const inB2 = all.find((i) => i.placeId === "fl-2-5")!;
    const inB3 = all.find((i) => i.placeId === "bd-3")!;

    const lead1 = as(cloud, team.lead1.token);
    const listed = (await (await lead1.get("/api/incidents")).json()) as { incidents: Array<{ id: number }> };
    expect(listed.incidents.map((i) => i.id)).toEqual([inB1.id]);
    const property = (await (await as(cloud, team.property.token).get("/api/incidents")).json()) as { incidents: Array<{ id: number }> };
    expect(property.incidents.map((i) => i.id).sort()).toEqual([inB1.id, inB2.id].sort()); // compound cp-1 holds buildings 1 and 2
    const street = (await (await as(cloud, team.street.token).get("/api/incidents")).json()) as { incidents: unknown[] };
    expect(street.incidents).toHaveLength(3);

    expect((await lead1.get(`/api/incidents/${inB1.id}`)).status).toBe(200);
    for (const [method, path] of [
      ["GET", `/api/incidents/${inB2.id}`],
      ["GET", `/api/incidents/${inB2.id}/cap`],
      ["POST", `/api/incidents/${inB2.id}/ack`],
      ["POST", `/api/incidents/${inB3.id}/dispatch`],
      ["POST", `/api/incidents/${inB3.id}/resolve`],
    ] as const) {
      const response = method === "GET" ? await lead1.get(path) : await lead1.post(path, { staffIds: [team.lead1.id] });
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(await response.json()).toMatchObject({ error: "outside-scope", message: expect.stringContaining("outside your scope") });
    }
    // Nothing changed on the incidents they were refused.
    expect((await incidents(cloud)).filter((i) => i.status !== "open")).toHaveLength(0);

    // A crew's node list holds only the nodes inside their places, and a node outside them is refused.
    const crewNodes = (await (await lead1.get("/api/nodes")).json()) as { nodes: Array<{ place: { path: string } | null }>; total: number };
    const allNodes = (await (await cloud.get("/api/nodes")).json()) as { total: number };
    expect(crewNodes.total).toBeGreaterThan(0);
    expect(crewNodes.total).toBeLessThan(allNodes.total);
    expect(crewNodes.nodes.every((n) => n.place?.path.includes("/bd-1/"))).toBe(true);
    expect((await lead1.get("/api/nodes/smoke-b3-101")).status).toBe(403);
    expect((await lead1.post("/api/nodes/smoke-b3-101/commands", { op: "reboot" })).status).toBe(403);

    // The fleet-wide views and staff administration are for admins only.
    for (const path of ["/api/alarms", "/api/ingest/stats", "/api/staff", "/api/webhooks", "/api/capsules/cap-x/supplies"]) {
      const response = await lead1.get(path);
      expect(response.status, path).toBe(403);
      expect(await response.json()).toMatchObject({ error: "forbidden" });
    }
    // A person can dispatch only people responsible for the place.
    const dispatch = await as(cloud, team.property.token).post(`/api/incidents/${inB1.id}/dispatch`, { staffIds: [team.lead2.id] });
    expect(dispatch.status).toBe(422);
    const ok = await as(cloud, team.property.token).post(`/api/incidents/${inB1.id}/dispatch`, { staffIds: [team.lead1.id] });
    expect(ok.status).toBe(200);
  });

  it("streams only in-scope incidents and the person's own notifications", async () => {
    const team = await seedTeam(cloud);
    const seen: Array<{ who: string; event: string; placeId: unknown }> = [];
    for (const [who, staffId] of [["lead1", team.lead1.id], ["lead2", team.lead2.id]] as const) {
      cloud.routing.hub.subscribe({ kind: "staff", actor: `staff:${staffId}`, staffId, name: who, role: "building-lead", scopePaths: [who === "lead1" ? "st-1/cm-1/cp-1/bd-1/" : "st-1/cm-1/cp-1/bd-2/"] }, (e) =>
        seen.push({ who, event: e.event, placeId: (e.data as { incident: { placeId: string } }).incident.placeId }),
      );
    }
    await nodeAlarm(cloud, "smoke-b1-301");
    await cloud.settle();
    expect(seen.filter((s) => s.who === "lead2")).toEqual([]);
    expect(seen.filter((s) => s.who === "lead1").map((s) => s.event).sort()).toEqual(["incident", "notification"]);
  });

  it("refuses a deactivated person's token and an unknown one", async () => {
    const team = await seedTeam(cloud);
    const patch = await cloud.app.request(`/api/staff/${team.grid.id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${cloud.token}`, "content-type": "application/json" },
      body: JSON.stringify({ active: false }),
    });
    expect(patch.status).toBe(200);
    const response = await as(cloud, team.grid.token).get("/api/incidents");
    expect(response.status).toBe(403);
    expect((await as(cloud, "sw_not-a-token").get("/api/incidents")).status).toBe(401);
  });
});
