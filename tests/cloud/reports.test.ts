import { readdirSync, readFileSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import exifr from "exifr";
import sharp from "sharp";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { setPlaceLocation } from "../../cloud/places/locations";
import { expireReportPhotos } from "../../cloud/reports/photo-retention";
import { placardsUnder, revokePlacards } from "../../cloud/reports/placards";
import { recordingPush, subscribeTeam, testCloud, type TestCloud } from "../support/cloud";
import { as, incident, incidents, seedSite, seedTeam } from "../support/site";

/** A phone photo as it arrives: a real JPEG carrying the camera's make and model and the GPS position. */
let PHONE_JPEG: Uint8Array<ArrayBuffer>;
let PNG: Uint8Array<ArrayBuffer>;
beforeAll(async () => {
  PHONE_JPEG = new Uint8Array(
    await sharp({ create: { width: 3000, height: 2000, channels: 3, background: { r: 200, g: 60, b: 40 } } })
      .jpeg()
      .withExif({ IFD0: { Make: "Xiaomi", Model: "Redmi Note 12" }, IFD3: { GPSLatitudeRef: "N", GPSLatitude: "31/1 13/1 4980/100", GPSLongitudeRef: "E", GPSLongitude: "121/1 28/1 2532/100" } })
      .toBuffer(),
  );
  PNG = new Uint8Array(await sharp({ create: { width: 40, height: 30, channels: 3, background: "#336699" } }).png().toBuffer());
});

describe("resident hazard reports", () => {
  let cloud: TestCloud;
  let push: ReturnType<typeof recordingPush>;
  beforeEach(async () => {
    push = recordingPush(() => cloud.clock.now);
    cloud = await testCloud({ push });
    await seedSite(cloud.database.db);
  });
  afterEach(() => cloud.close());

  /** The code on a place's placard, as its QR code carries it. */
  const placard = async (placeId: string) => (await placardsUnder(cloud.database.db, placeId, 0)).find((p) => p.placeId === placeId)!.code;

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
    await subscribeTeam(cloud, team);
    const form = new FormData();
    form.set("description", "Bikes charging in the stairwell, cables across the steps");
    form.set("category", "ebike-charging");
    form.set("placard", await placard("bd-2"));
    form.set("photo", new Blob([PHONE_JPEG], { type: "image/png" }), "../../etc/passwd");
    const response = await report(form);
    expect(response.status).toBe(202);
    const { token, status, statusUrl } = (await response.json()) as { token: string; status: string; statusUrl: string };
    expect(status).toBe("routed");
    expect(token).toMatch(/^rp_[A-Za-z0-9_-]{32}$/);

    // The photo: decoded by its bytes (whatever the client claimed), kept as a JPEG named by us, private,
    // with no GPS position, camera or any other metadata left in it.
    expect((await exifr.gps(PHONE_JPEG))?.latitude).toBeCloseTo(31.2305, 3);
    const files = readdirSync(join(cloud.dataDir, "reports"));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9a-f-]{36}\.jpg$/);
    const stored = readFileSync(join(cloud.dataDir, "reports", files[0]));
    expect(await exifr.parse(stored, true)).toBeUndefined();
    expect(stored.includes(Buffer.from("Xiaomi"))).toBe(false);
    const kept = await sharp(stored).metadata();
    expect(kept).toMatchObject({ format: "jpeg", width: 2048, height: 1365 });
    expect(kept.exif).toBeUndefined();
    expect(statSync(join(cloud.dataDir, "reports", files[0])).mode & 0o777).toBe(0o600);

    // Routed like an alarm: an incident at the building, the resident-report tier notified.
    await cloud.settle();
    const [reported] = await incidents(cloud);
    expect(reported).toMatchObject({ hazard: "resident-report", placeId: "bd-2", status: "open" });
    expect(push.sent.map((m) => m.staffId).sort()).toEqual([team.property.id, team.grid.id, team.community.id].sort());

    // A second resident reporting the same place joins the same incident.
    expect((await report({ description: "Smell of burning plastic", placard: await placard("bd-2") }, "198.51.100.9")).status).toBe(202);
    await cloud.settle();
    expect(await incidents(cloud)).toHaveLength(1);
    expect((await incident(cloud, reported.id)).incident.triggerCount).toBe(2);

    // The reporter follows it with the token alone; staff names never show.
    await as(cloud, team.grid.token).post(`/api/incidents/${reported.id}/ack`);
    const followed = await cloud.app.request(statusUrl, {}, from("203.0.113.7"));
    expect(followed.status).toBe(200);
    const view = (await followed.json()) as Record<string, unknown>;
    expect(view).toMatchObject({ status: "acknowledged", place: "Building 2", photo: true, category: "ebike-charging", steps: { acknowledgedAt: expect.any(String) } });
    expect(JSON.stringify(view)).not.toMatch(/staff:|Grid CM1/);
    expect((await cloud.app.request(`/reports/rp_${"A".repeat(32)}`, {}, from("203.0.113.7"))).status).toBe(404);

    // The photo is for staff whose area holds the place, never for the public or other areas.
    const listed = (await (await as(cloud, team.lead2.token).get(`/api/reports?incident=${reported.id}`)).json()) as { reports: Array<{ photoUrl: string | null; category: string; categoryWords: { zh: string } }> };
    expect(listed.reports).toHaveLength(2);
    expect(listed.reports[0]).toMatchObject({ category: "ebike-charging", categoryWords: { zh: "电动车在楼内充电" }, photoUrl: expect.stringMatching(/^\/api\/reports\/\d+\/photo$/) });
    const photo = await as(cloud, team.lead2.token).get(listed.reports[0].photoUrl!);
    expect(photo.status).toBe(200);
    expect(photo.headers.get("cache-control")).toContain("no-store");
    expect(Buffer.from(await photo.arrayBuffer())).toEqual(stored);
    expect((await as(cloud, team.lead1.token).get(listed.reports[0].photoUrl!)).status).toBe(403);
    expect((await as(cloud, team.lead1.token).get(`/api/reports?incident=${reported.id}`)).status).toBe(403);
    expect((await cloud.app.request(listed.reports[0].photoUrl!)).status).toBe(401);
  });

  it("admits only a live placard's code, never a place id, and a retired placard stops working", async () => {
    expect(await (await report({ description: "exit blocked", placeId: "bd-1" })).json()).toMatchObject({ error: "invalid-field" });
    expect(await (await report({ description: "exit blocked", placard: "A".repeat(22) }, "192.0.2.5")).json()).toMatchObject({ error: "unknown-placard" });
    const code = await placard("bd-1");
    expect(code).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await placard("bd-1")).toBe(code);
    expect((await report({ category: "blocked-exit", placard: code }, "192.0.2.6")).status).toBe(202);
    await cloud.settle();
    expect((await incidents(cloud))[0]).toMatchObject({ placeId: "bd-1" });
    await revokePlacards(cloud.database.db, "bd-1", 1);
    expect((await report({ category: "blocked-exit", placard: code }, "192.0.2.7")).status).toBe(422);
    expect(await placard("bd-1")).not.toBe(code);
    expect((await report({ category: "no-such-thing", placard: await placard("bd-1") }, "192.0.2.8")).status).toBe(422);
  });

  it("deletes photos past the retention period and keeps the report's words", async () => {
    const form = new FormData();
    form.set("category", "blocked-exit");
    form.set("placard", await placard("bd-3"));
    form.set("photo", new Blob([PNG]), "door.png");
    const { token } = (await (await report(form)).json()) as { token: string };
    const [file] = readdirSync(join(cloud.dataDir, "reports"));
    utimesSync(join(cloud.dataDir, "reports", file), new Date(0), new Date(0));
    expect(await expireReportPhotos(cloud.database.db, cloud.dataDir, cloud.clock.now + 179 * 86_400_000, 180)).toBe(0);
    expect(await expireReportPhotos(cloud.database.db, cloud.dataDir, cloud.clock.now + 181 * 86_400_000, 180)).toBe(1);
    expect(readdirSync(join(cloud.dataDir, "reports"))).toEqual([]);
    const view = (await (await cloud.app.request(`/reports/${token}`, {}, from("203.0.113.7"))).json()) as Record<string, unknown>;
    expect(view).toMatchObject({ photo: false, description: "消防通道/安全出口被堵", category: "blocked-exit" });
  });

  it("refuses what is not an image, bad locations and empty descriptions, each with a reason", async () => {
    const notImage = new FormData();
    notImage.set("description", "fire door wedged open");
    notImage.set("placard", await placard("bd-1"));
    notImage.set("photo", new Blob([new TextEncoder().encode("<?php system($_GET['c']); ?>")], { type: "image/png" }), "door.png");
    const refused = await report(notImage);
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ error: "invalid-photo" });
    expect(() => readdirSync(join(cloud.dataDir, "reports"))).toThrow(); // nothing written

    expect((await report({ description: "x", placard: "nowhere" })).status).toBe(422);
    expect((await report({ description: "   ", placard: await placard("bd-1") }, "192.0.2.1")).status).toBe(422);
    expect((await report({ description: "x" }, "192.0.2.2")).status).toBe(422);
    const big = new FormData();
    big.set("description", "huge");
    big.set("placard", await placard("bd-1"));
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
    const code = await placard("bd-1");
    for (let i = 0; i < 3; i++) expect((await report({ description: `report ${i}`, placard: code })).status).toBe(202);
    const limited = await report({ description: "one more", placard: code });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another reporter is not held back by the first.
    expect((await report({ description: "neighbour", placard: code }, "198.51.100.20")).status).toBe(202);
    // The bucket refills with time (6 an hour).
    cloud.clock.now += 10 * 60_000;
    expect((await report({ description: "later", placard: code })).status).toBe(202);

    let status = 0;
    for (let i = 0; i < 25 && status !== 429; i++) status = (await cloud.app.request(`/reports/rp_${"B".repeat(32)}`, {}, from("192.0.2.99"))).status;
    expect(status).toBe(429);
  });
});
