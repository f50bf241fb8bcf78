import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { aliyunVoice } from "../../cloud/notify/providers/aliyun-voice";
import { testCloud, type TestCloud } from "../support/cloud";
import { fakeAliyun, type FakeProvider } from "../support/fake-providers";
import { addStaff, incident, incidents, nodeAlarm, placeNode, seedSite } from "../support/site";

const KEYS = { LTAI5tVoiceResult01: "VoiceResultSecret0123456789ab" };

/**
 * A call is delivered when the person answers, as Aliyun reports it (QueryCallDetailByCallId,
 * minutes after the call): placed, it is "calling"; answered, sent; unanswered, called again.
 */
describe("voice calls count once answered", () => {
  let aliyun: FakeProvider;
  let cloud: TestCloud;
  beforeEach(async () => {
    aliyun = await fakeAliyun(KEYS);
    const voice = aliyunVoice({ credentials: { accessKeyId: "LTAI5tVoiceResult01", accessKeySecret: KEYS.LTAI5tVoiceResult01 }, ttsCode: "TTS_287000001", endpoint: `${aliyun.url}/` });
    cloud = await testCloud({ voice, config: { ackTimeoutMs: 3_600_000 } });
    await seedSite(cloud.database.db);
    await placeNode(cloud.database.db, "smoke-b1-301", "fl-1-3");
    // One building lead with a phone; an urgent fire adds a call to the first tier.
    await addStaff(cloud, { name: "Lead", role: "building-lead", scopes: ["bd-1"], phone: "+8613800000001" });
  });
  afterEach(async () => {
    await cloud.close();
    await aliyun.close();
  });

  const voiceRow = async () => {
    const [fire] = await incidents(cloud);
    const body = await incident(cloud, fire.id);
    return { row: body.deliveries.find((d) => d.channel === "voice")!, incident: body.incident };
  };

  it("is calling once placed, and delivered when Aliyun reports it answered", async () => {
    await nodeAlarm(cloud, "smoke-b1-301", { severity: "urgent" });
    await cloud.settle();
    expect(aliyun.accepted).toHaveLength(1);
    let { row, incident: fire } = await voiceRow();
    expect(row).toMatchObject({ status: "calling", attempts: 1, provider: "aliyun-voice" });
    expect(fire.firstNotifiedAt).toBeNull();
    await cloud.advance(4 * 60_000);
    await cloud.settle();
    ({ row, incident: fire } = await voiceRow());
    expect(row).toMatchObject({ status: "sent", attempts: 1 });
    expect(fire.firstNotifiedAt).toBe(new Date(cloud.clock.now).toISOString());
  });

  it("calls again when the first call went unanswered", async () => {
    aliyun.script.push("unanswered");
    await nodeAlarm(cloud, "smoke-b1-301", { severity: "urgent" });
    await cloud.settle();
    await cloud.advance(4 * 60_000);
    await cloud.settle();
    expect((await voiceRow()).row).toMatchObject({ status: "retrying", attempts: 1, lastError: "the call was not answered" });
    await cloud.advance(60_000);
    await cloud.settle();
    expect(aliyun.accepted).toHaveLength(2);
    expect((await voiceRow()).row).toMatchObject({ status: "calling", attempts: 2 });
    await cloud.advance(4 * 60_000);
    await cloud.settle();
    expect((await voiceRow()).row).toMatchObject({ status: "sent", attempts: 2 });
  });
});
