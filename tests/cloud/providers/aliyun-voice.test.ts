import { describe, expect, it } from "vitest";
import { aliyunVoice } from "../../../cloud/notify/providers/aliyun-voice";
import { fakeAliyun } from "../../support/fake-providers";
import { MESSAGE, runProviderCases } from "./provider-cases";

describe("Aliyun voice notification (SingleCallByTts)", () => {
  const keys = { LTAI5tVoiceKeyId: "voice-secret-0123456789" };

  runProviderCases({
    start: () => fakeAliyun(keys),
    channel: (fake, secret) =>
      aliyunVoice({
        credentials: { accessKeyId: "LTAI5tVoiceKeyId", accessKeySecret: secret === "right" ? keys.LTAI5tVoiceKeyId : "voice-secret-012345678X" },
        ttsCode: "TTS_287000001",
        endpoint: `${fake.url}/`,
      }),
    to: () => "+8613800000003",
    expectAccepted: (accepted) => {
      expect(accepted.to).toBe("13800000003");
      expect(accepted.fields).toMatchObject({
        Action: "SingleCallByTts",
        Version: "2017-05-25",
        TtsCode: "TTS_287000001",
        PlayTimes: "3",
        OutId: MESSAGE.outId,
        TtsParam: { hazard: "火警", place: "和平社区 3号院 1号楼" },
      });
      // Public mode: no caller number of our own.
      expect(accepted.fields.CalledShowNumber).toBeUndefined();
    },
    badSecret: /SignatureDoesNotMatch/,
    permanent: { arrange: (fake) => fake.script.push("refuse"), reason: /isv\.MOBILE_NUMBER_ILLEGAL/ },
  });

  it("refuses to call a number outside the mainland without asking Aliyun", async () => {
    const fake = await fakeAliyun(keys);
    try {
      const channel = aliyunVoice({ credentials: { accessKeyId: "LTAI5tVoiceKeyId", accessKeySecret: keys.LTAI5tVoiceKeyId }, ttsCode: "TTS_1", endpoint: `${fake.url}/` });
      expect(await channel.send("+85291234567", MESSAGE, AbortSignal.timeout(5000))).toMatchObject({ status: "permanent", reason: expect.stringMatching(/mainland/) });
      expect(fake.hits).toEqual([]);
    } finally {
      await fake.close();
    }
  });
});
