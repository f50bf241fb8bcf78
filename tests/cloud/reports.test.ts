import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setPlaceLocation } from "../../cloud/places/locations";
import { recordingAppPublish, testCloud, type TestCloud } from "../support/cloud";
import { as, incident, incidents, seedSite, seedTeam } from "../support/site";

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 1, 2, 3, 4]);

describe("resident hazard reports", () => {
  let cloud: TestCloud;
  let app: ReturnType<typeof recordingAppPublish>;
  beforeEach(async () => {
    app = recordingAppPublish(() => cloud.clock.now);
    cloud = await testCloud({ appPublish: app });
    await seedSite(cloud.database.db);
  });
  afterEach(() => cloud.close());

  /** A request from one client address, as the Node server would pass it. */
  const from = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });
  const report = (body: FormData | object, address = "203.0.113.7") =>
    cloud.app.request(
      "/reports",
      body instanceof FormData ? { method: "POST", body } : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
      from(address),
    );

  it("takes a report with a photo, stores it under a generated name, routes it like an alarm, and lets the reporter follow it", async () => {
    const team = await seedTeam(cloud);
    const form = new FormData();
    form.set("description", "Bikes charging in the stairwell, cables across the steps");
    form.set("placeId", "bd-2");
    form.set("photo", new Blob([PNG], { type: "image/jpeg" }), "../../etc/passwd");
    const response = await report(form);
    expect(response.status).toBe(202);
    const { token, status, statusUrl } = (await response.json()) as { token: string; status: string; statusUrl: string };
    expect(status).toBe("routed");
    expect(token).toMatch(/^rp_[A-Za-z0-9_-]{32}$/);

    // The photo: typed by its bytes (PNG, whatever the client claimed), named by us, private.
    const files = readdirSync(join(cloud.dataDir, "reports"));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9a-f-]{36}\.png$/);
    expect(readFileSync(join(cloud.dataDir, "reports", files[0]))).toEqual(Buffer.from(PNG));
    expect(statSync(join(cloud.dataDir, "reports", files[0])).mode & 0o777).toBe(0o600);

    // Routed like an alarm: an incident at the building, the resident-report tier notified.
    await cloud.settle();
    const [reported] = await incidents(cloud);
    expect(reported).toMatchObject({ hazard: "resident-report", placeId: "bd-2", status: "open" });
    const topics = app.sent.map((m) => m.topic).sort();
    expect(topics).toEqual([team.property.id, team.grid.id, team.community.id].map((id) => `sw/v1/staff/${id}/notify`).sort());

    // A second resident reporting the same place joins the same incident.
    expect((await report({ description: "Smell of burning plastic", placeId: "bd-2" }, "198.51.100.9")).status).toBe(202);
    await cloud.settle();
    expect(await incidents(cloud)).toHaveLength(1);
    expect((await incident(cloud, reported.id)).incident.triggerCount).toBe(2);

    // The reporter follows it with the token alone; staff names never show.
    await as(cloud, team.grid.token).post(`/api/incidents/${reported.id}/ack`);
    const followed = await cloud.app.request(statusUrl, {}, from("203.0.113.7"));
    expect(followed.status).toBe(200);
    const view = (await followed.json()) as Record<string, unknown>;
    expect(view).toMatchObject({ status: "acknowledged", place: "Building 2", photo: true, steps: { acknowledgedAt: expect.any(String) } });
    expect(JSON.stringify(view)).not.toMatch(/staff:|Grid CM1/);
    expect((await cloud.app.request(`/reports/rp_${"A".repeat(32)}`, {}, from("203.0.113.7"))).status).toBe(404);
  });

  it("refuses what is not an image, bad locations and empty descriptions, each with a reason", async () => {
    const notImage = new FormData();
    notImage.set("description", "fire door wedged open");
    notImage.set("placeId", "bd-1");
    notImage.set("photo", new Blob([new TextEncoder().encode("<?php system($_GET['c']); ?>")], { type: "image/png" }), "door.png");
    const refused = await report(notImage);
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ error: "invalid-photo" });
    expect(() => readdirSync(join(cloud.dataDir, "reports"))).toThrow(); // nothing written

    expect((await report({ description: "x", placeId: "nowhere" })).status).toBe(422);
    expect((await report({ description: "   ", placeId: "bd-1" }, "192.0.2.1")).status).toBe(422);
    expect((await report({ description: "x" }, "192.0.2.2")).status).toBe(422);
    const big = new FormData();
    big.set("description", "huge");
    big.set("placeId", "bd-1");
    big.set("photo", new Blob([new Uint8Array(6 * 1024 * 1024)]), "big.jpg");
    expect((await report(big, "192.0.2.3")).status).toBe(413);
    expect(await incidents(cloud)).toHaveLength(0);
  });

  it("finds the place from coordinates", async () => {
    await setPlaceLocation(cloud.database.db, "bd-3", { latitude: 31.2304, longitude: 121.4737 });
    await setPlaceLocation(cloud.database.db, "cm-1", { latitude: 31.24, longitude: 121.48 });
    const near = await report({ description: "Gas smell by the gate", latitude: 31.2305, longitude: 121.4738 });
    expect(near.status).toBe(202);
    await cloud.settle();
    expect((await incidents(cloud))[0]).toMatchObject({ placeId: "bd-3" });
    const far = await report({ description: "somewhere else", latitude: 30, longitude: 120 }, "192.0.2.50");
    expect(far.status).toBe(422);
    expect(await far.json()).toMatchObject({ error: "unknown-location" });
  });

  it("limits reports per reporter and status look-ups per client", async () => {
    for (let i = 0; i < 3; i++) expect((await report({ description: `report ${i}`, placeId: "bd-1" })).status).toBe(202);
    const limited = await report({ description: "one more", placeId: "bd-1" });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another reporter is not held back by the first.
    expect((await report({ description: "neighbour", placeId: "bd-1" }, "198.51.100.20")).status).toBe(202);
    // The bucket refills with time (6 an hour).
    cloud.clock.now += 10 * 60_000;
    expect((await report({ description: "later", placeId: "bd-1" })).status).toBe(202);

    let status = 0;
    for (let i = 0; i < 25 && status !== 429; i++) status = (await cloud.app.request(`/reports/rp_${"B".repeat(32)}`, {}, from("192.0.2.99"))).status;
    expect(status).toBe(429);
  });
});
