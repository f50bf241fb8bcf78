import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pushSubscriptions } from "../../cloud/db/schema";
import { browserKeys, testCloud, type TestCloud } from "../support/cloud";
import { fakePushService, type FakePushService } from "../support/fake-providers";
import { addStaff, as, incident, incidents, nodeAlarm, placeNode, seedSite } from "../support/site";

/**
 * The staff app channel is the browser: Web Push through a local server shaped like a push
 * service, which checks the VAPID token (RFC 8292) against the key the browser subscribed with
 * and decrypts the message as the browser would (RFC 8291). A delivery is sent only when the push
 * service took it; a browser that unsubscribed is forgotten, never counted.
 */
describe("Web Push to the browsers staff subscribed", () => {
  let cloud: TestCloud;
  let service: FakePushService;
  beforeEach(async () => {
    service = await fakePushService();
    cloud = await testCloud({ webPush: { keys: null, subject: "mailto:ops@heping.example" }, config: { ackTimeoutMs: 60_000, maxEscalations: 3 } });
    await seedSite(cloud.database.db);
    await placeNode(cloud.database.db, "smoke-b1-301", "fl-1-3");
  });
  afterEach(async () => {
    await cloud.close();
    await service.close();
  });

  /** A browser of `person` subscribing the way the console does: key from the cloud, endpoint from the push service. */
  const subscribe = async (person: { id: number; token: string }, path: string) => {
    const { publicKey } = (await (await as(cloud, person.token).get("/api/push/key")).json()) as { publicKey: string };
    const browser = browserKeys();
    const endpoint = service.browser(path, { ecdh: browser.ecdh, auth: browser.auth, serverKey: publicKey });
    const response = await as(cloud, person.token).post("/api/push/subscriptions", { endpoint, keys: { p256dh: browser.keys.p256dh, auth: browser.auth.toString("base64url") }, expirationTime: null });
    expect(response.status).toBe(201);
    return endpoint;
  };

  it("pushes an encrypted, VAPID-signed notification the browser can read, and counts it delivered", async () => {
    const lead = await addStaff(cloud, { name: "Lead", role: "building-lead", scopes: ["bd-1"] });
    await subscribe(lead, "/push/lead-phone");
    await nodeAlarm(cloud, "smoke-b1-301");
    await cloud.settle();
    expect(service.refused).toEqual([]);
    expect(service.received).toHaveLength(1);
    const [fire] = await incidents(cloud);
    expect(service.received[0]).toMatchObject({
      ttl: "3600",
      urgency: "high",
      payload: { incidentId: fire.id, hazard: "fire", purpose: "notify", tier: 0, tag: `incident-${fire.id}`, url: `/#/incidents/${fire.id}`, title: expect.stringContaining("火警") },
    });
    const { deliveries, incident: row } = await incident(cloud, fire.id);
    expect(deliveries.find((d) => d.channel === "push")).toMatchObject({ status: "sent", attempts: 1, staffId: lead.id });
    expect(row.firstNotifiedAt).not.toBeNull();
  });

  it("forgets a browser its push service says is gone, and then counts nobody reached by push", async () => {
    const lead = await addStaff(cloud, { name: "Lead", role: "building-lead", scopes: ["bd-1"] });
    await subscribe(lead, "/push/old-phone");
    service.answers.push(410);
    await nodeAlarm(cloud, "smoke-b1-301");
    await cloud.settle();
    const [fire] = await incidents(cloud);
    const push = (await incident(cloud, fire.id)).deliveries.filter((d) => d.channel === "push");
    expect(push[push.length - 1]).toMatchObject({ status: "failed", attempts: 1, lastError: expect.stringContaining("gone") });
    expect(await cloud.database.db.$count(pushSubscriptions)).toBe(0);
    // Nobody else could be reached either: a routing gap, and the next tier at once.
    expect((await incident(cloud, fire.id)).events.some((e) => e.type === "routing-gap")).toBe(true);
  });

  it("retries after the push service's Retry-After when it throttles", async () => {
    const lead = await addStaff(cloud, { name: "Lead", role: "building-lead", scopes: ["bd-1"] });
    await subscribe(lead, "/push/busy");
    service.answers.push(429);
    await nodeAlarm(cloud, "smoke-b1-301");
    await cloud.settle();
    expect(service.received).toHaveLength(0);
    await cloud.advance(2999);
    expect(service.hits).toHaveLength(1);
    await cloud.advance(1);
    await cloud.settle();
    expect(service.received).toHaveLength(1);
    const [fire] = await incidents(cloud);
    expect((await incident(cloud, fire.id)).deliveries.find((d) => d.channel === "push")).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("takes subscriptions only from staff, for https push services, with a browser's key sizes", async () => {
    const lead = await addStaff(cloud, { name: "Lead", role: "building-lead", scopes: ["bd-1"] });
    const keys = { p256dh: browserKeys().keys.p256dh, auth: Buffer.alloc(16, 1).toString("base64url") };
    const admin = await as(cloud, cloud.token).post("/api/push/subscriptions", { endpoint: "https://push.example/x", keys });
    expect(admin.status).toBe(403);
    const insecure = await as(cloud, lead.token).post("/api/push/subscriptions", { endpoint: "http://push.example/x", keys });
    expect(insecure.status).toBe(400);
    const shortKey = await as(cloud, lead.token).post("/api/push/subscriptions", { endpoint: "https://push.example/x", keys: { ...keys, p256dh: "AAAA" } });
    expect(((await shortKey.json()) as { message: string }).message).toMatch(/P-256 public key/);
  });
});
