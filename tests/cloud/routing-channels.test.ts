import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhook } from "../../cloud/notify/signature";
import { recordingPush, subscribeTeam, testCloud, type TestCloud } from "../support/cloud";
import { RecordingPhone } from "../support/recording-sms";
import { incident, incidents, nodeAlarm, placeNode, seedSite, seedTeam } from "../support/site";

interface Hit {
  url: string;
  headers: Headers;
  body: string;
}

describe("channels: each on its own queue, every delivery stored", () => {
  let cloud: TestCloud;
  let push: ReturnType<typeof recordingPush>;
  let sms: RecordingPhone;
  const hits: Hit[] = [];
  let flakyFailures = 0;

  /** `down.example` never answers; `flaky.example` answers 500 while `flakyFailures` lasts, then 204. */
  const fakeFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    hits.push({ url, headers: new Headers(init?.headers), body: String(init?.body) });
    if (url.includes("down.example")) {
      return new Promise<Response>((_, reject) => init?.signal?.addEventListener("abort", () => reject(new Error("aborted"))));
    }
    if (flakyFailures > 0) {
      flakyFailures--;
      return new Response("oops", { status: 500 });
    }
    return new Response(null, { status: 204 });
  }) as typeof fetch;

  beforeEach(async () => {
    hits.length = 0;
    sms = new RecordingPhone();
    push = recordingPush(() => cloud.clock.now);
    cloud = await testCloud({
      push,
      sms,
      fetch: fakeFetch,
      webhookRetry: { maxAttempts: 3, baseDelayMs: 1000, timeoutMs: 800 },
    });
    await seedSite(cloud.database.db);
    await placeNode(cloud.database.db, "smoke-b1-301", "fl-1-3");
    await placeNode(cloud.database.db, "smoke-b2-501", "fl-2-5");
  });
  afterEach(() => cloud.close());

  const addWebhook = async (name: string, url: string) => {
    const response = await cloud.app.request("/api/webhooks", {
      method: "POST",
      headers: { authorization: `Bearer ${cloud.token}`, "content-type": "application/json" },
      body: JSON.stringify({ name, url }),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { webhook: { id: number }; secret: string };
  };

  it("delivers on the console stream and by Web Push at once while a webhook hangs", async () => {
    const team = await seedTeam(cloud);
    await subscribeTeam(cloud, team);
    const down = await addWebhook("city platform (down)", "https://down.example/cap");
    const stream = await cloud.app.request("/api/incidents/stream", { headers: { authorization: `Bearer ${team.property.token}` } });
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const until = async (needle: string, times = 1) => {
      while (text.split(needle).length - 1 < times) text += (await reader.read()).value ?? "";
    };
    await until("event: ready");

    await nodeAlarm(cloud, "smoke-b1-301");
    await until("event: notification");
    await cloud.routing.desk.idle();
    // The city platform's webhook has been called and hangs (it fails only at its 800 ms timeout).
    expect(hits.filter((h) => h.url.includes("down.example"))).toHaveLength(1);

    await nodeAlarm(cloud, "smoke-b2-501");
    await until("event: notification", 2);
    await cloud.routing.desk.idle();
    expect(push.sent.filter((m) => m.staffId === team.property.id)).toHaveLength(2);
    // Both notifications went out while the webhook's attempt still hangs: its queue holds up no other.
    const stuck = (await incident(cloud, (await incidents(cloud)).at(-1)!.id)).deliveries.find((d) => d.webhookId === down.webhook.id)!;
    expect(stuck.status).toBe("pending");
    reader.cancel().catch(() => {});

    // The hanging attempts time out and retry on the clock (1 s, 2 s); the third failure is final.
    await cloud.settle();
    await cloud.advance(1000);
    await cloud.advance(2000);
    const [first] = (await incidents(cloud)).slice(-1);
    const { deliveries } = await incident(cloud, first.id);
    const webhook = deliveries.find((d) => d.webhookId === down.webhook.id && d.purpose === "opened")!;
    expect(webhook).toMatchObject({ status: "failed", attempts: 3, lastError: expect.stringContaining("no answer within 800 ms") });
    const console = deliveries.filter((d) => d.channel === "console");
    expect(console.find((d) => d.staffId === team.property.id)).toMatchObject({ status: "sent", attempts: 1 });
    expect(console.find((d) => d.staffId === team.grid.id)).toMatchObject({ status: "no-listener" });
    expect(deliveries.filter((d) => d.channel === "push").every((d) => d.status === "sent")).toBe(true);
  });

  it("retries a failing webhook with backoff and signs every attempt (HMAC-SHA256)", async () => {
    await subscribeTeam(cloud, await seedTeam(cloud));
    const flaky = await addWebhook("property desk", "https://flaky.example/hook");
    flakyFailures = 2;
    await nodeAlarm(cloud, "smoke-b1-301");
    await cloud.settle();
    const [fire] = await incidents(cloud);
    let { deliveries } = await incident(cloud, fire.id);
    expect(deliveries.find((d) => d.webhookId === flaky.webhook.id)).toMatchObject({ status: "retrying", attempts: 1, lastError: "webhook answered 500" });
    await cloud.advance(999);
    expect(hits).toHaveLength(1);
    await cloud.advance(1);
    expect(hits).toHaveLength(2);
    await cloud.advance(2000);
    await cloud.settle();
    ({ deliveries } = await incident(cloud, fire.id));
    expect(deliveries.find((d) => d.webhookId === flaky.webhook.id)).toMatchObject({ status: "sent", attempts: 3 });
    for (const hit of hits) {
      const timestamp = Number(hit.headers.get(TIMESTAMP_HEADER));
      expect(verifyWebhook(flaky.secret, timestamp, hit.body, hit.headers.get(SIGNATURE_HEADER)!)).toBe(true);
      expect(verifyWebhook("whsec_wrong", timestamp, hit.body, hit.headers.get(SIGNATURE_HEADER)!)).toBe(false);
      expect(JSON.parse(hit.body)).toMatchObject({ event: "incident.opened", incident: { id: fire.id, hazard: "fire" } });
      expect(hit.headers.get(DELIVERY_HEADER)).toBe(String(JSON.parse(hit.body).deliveryId));
    }
  });

  it("sends SMS through the pluggable adapter to people with a number, retrying a provider failure", async () => {
    const team = await seedTeam(cloud);
    await subscribeTeam(cloud, team);
    sms.failNext = 1;
    await nodeAlarm(cloud, "smoke-b1-301");
    await cloud.settle();
    await cloud.advance(5000);
    await cloud.settle();
    // Fire tier 0 has SMS; of its people only property staff and the street office have numbers.
    expect(sms.sent.map((m) => m.to).sort()).toEqual(["+8613800000001", "+8613800000002"]);
    expect(sms.sent[0].text).toMatch(/火警 Fire alarm/);
    const [fire] = await incidents(cloud);
    const smsDeliveries = (await incident(cloud, fire.id)).deliveries.filter((d) => d.channel === "sms");
    expect(smsDeliveries.filter((d) => d.status === "sent").map((d) => d.attempts).sort()).toEqual([1, 2]);
    // The three without a number are stored too, as unreachable, never skipped without a trace.
    expect(smsDeliveries.filter((d) => d.status === "unreachable")).toHaveLength(3);
    expect(smsDeliveries.filter((d) => d.status === "unreachable").every((d) => d.lastError === "no phone")).toBe(true);
    // Numbers are personal data: no log line carries one.
    expect(cloud.log.lines.join("\n")).not.toContain("+86138");
    void team;
  });
});
