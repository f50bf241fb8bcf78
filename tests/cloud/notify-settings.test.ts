import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "../../cloud/env";

const ALIYUN = {
  SMS_PROVIDER: "aliyun",
  ALIYUN_ACCESS_KEY_ID: "LTAI5tExampleKeyId0001",
  ALIYUN_ACCESS_KEY_SECRET: "ExampleSecretValue0123456789ab",
  ALIYUN_SMS_SIGN_NAME: "守望社区",
  ALIYUN_SMS_TEMPLATE_CODE: "SMS_465990001",
};

const problemsOf = (env: Record<string, string>): string => {
  try {
    parseEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvError);
    return (error as Error).message;
  }
  throw new Error("parseEnv accepted it");
};

describe("provider settings from the environment", () => {
  it("has no SMS or voice provider unless one is configured", () => {
    expect(parseEnv({}).notify).toMatchObject({ sms: null, voice: null, webPush: null });
  });

  it("reads Aliyun SMS and voice, sharing one AccessKey", () => {
    const { notify } = parseEnv({ ...ALIYUN, VOICE_PROVIDER: "aliyun", ALIYUN_VOICE_TTS_CODE: "TTS_287000001", ALIYUN_VOICE_PLAY_TIMES: "2" });
    expect(notify.sms).toMatchObject({ provider: "aliyun", options: { templateCode: "SMS_465990001", credentials: { accessKeyId: "LTAI5tExampleKeyId0001" } } });
    expect(notify.voice).toMatchObject({ provider: "aliyun", options: { ttsCode: "TTS_287000001", playTimes: 2 } });
  });

  it("reads Tencent Cloud SMS", () => {
    const { notify } = parseEnv({
      SMS_PROVIDER: "tencent",
      TENCENT_SECRET_ID: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
      TENCENT_SECRET_KEY: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
      TENCENT_SMS_SDK_APP_ID: "1400006666",
      TENCENT_SMS_SIGN_NAME: "守望社区",
      TENCENT_SMS_TEMPLATE_ID: "1110",
    });
    expect(notify.sms).toMatchObject({ provider: "tencent", options: { region: "ap-guangzhou", sdkAppId: "1400006666" } });
  });

  it("names each missing or malformed setting, and never prints a secret", () => {
    const message = problemsOf({ ...ALIYUN, ALIYUN_ACCESS_KEY_SECRET: "short!", ALIYUN_SMS_TEMPLATE_CODE: "465990001", VOICE_PROVIDER: "aliyun" });
    expect(message).toMatch(/ALIYUN_ACCESS_KEY_SECRET does not look right/);
    expect(message).toMatch(/ALIYUN_SMS_TEMPLATE_CODE does not look right: expected an approved template code such as SMS_/);
    expect(message).toMatch(/ALIYUN_VOICE_TTS_CODE is required with VOICE_PROVIDER=aliyun/);
    expect(message).not.toContain("short!");
    expect(message).not.toContain(ALIYUN.ALIYUN_ACCESS_KEY_ID);
  });

  it("refuses an unknown provider, a plain-HTTP endpoint off this machine, and half a VAPID pair", () => {
    const message = problemsOf({ ...ALIYUN, ALIYUN_SMS_ENDPOINT: "http://sms.example.com/", VOICE_PROVIDER: "twilio", WEB_PUSH_VAPID_PUBLIC_KEY: "abc" });
    expect(message).toMatch(/ALIYUN_SMS_ENDPOINT must be an https:\/\/ URL/);
    expect(message).toMatch(/VOICE_PROVIDER="twilio" must be aliyun/);
    expect(message).toMatch(/WEB_PUSH_VAPID_PUBLIC_KEY and WEB_PUSH_VAPID_PRIVATE_KEY go together/);
    expect(parseEnv({ ...ALIYUN, ALIYUN_SMS_ENDPOINT: "http://127.0.0.1:9000/" }).notify.sms).toMatchObject({ options: { endpoint: "http://127.0.0.1:9000/" } });
  });

  it("takes a VAPID pair of the right sizes", () => {
    const publicKey = Buffer.alloc(65, 4).toString("base64url");
    const privateKey = Buffer.alloc(32, 7).toString("base64url");
    expect(parseEnv({ WEB_PUSH_VAPID_PUBLIC_KEY: publicKey, WEB_PUSH_VAPID_PRIVATE_KEY: privateKey }).notify.webPush).toMatchObject({ publicKey, privateKey });
    expect(problemsOf({ WEB_PUSH_VAPID_PUBLIC_KEY: publicKey, WEB_PUSH_VAPID_PRIVATE_KEY: publicKey })).toMatch(/PRIVATE_KEY must be a base64url P-256 private key/);
  });
});
