import type { AliyunSmsOptions } from "./providers/aliyun-sms";
import type { AliyunVoiceOptions } from "./providers/aliyun-voice";
import type { TencentSmsOptions } from "./providers/tencent-sms";

/**
 * Which providers reach people's phones, and with what credentials. Read from the environment
 * once at start; a missing or malformed value stops start-up with a message naming the variable
 * (never its value: these are secrets). Group robots are per place and live in the database.
 */
export interface NotifySettings {
  sms: { provider: "aliyun"; options: Omit<AliyunSmsOptions, "fetch" | "now"> } | { provider: "tencent"; options: Omit<TencentSmsOptions, "fetch" | "now"> } | null;
  voice: { provider: "aliyun"; options: Omit<AliyunVoiceOptions, "fetch" | "now"> } | null;
  /** Web Push's VAPID pair from the environment; when unset the cloud makes one and keeps it in the database. */
  webPush: { publicKey: string; privateKey: string; subject: string } | null;
  /** The `sub` of VAPID tokens: how a push service reaches whoever runs this cloud. */
  webPushSubject: string;
}

type Source = Record<string, string | undefined>;

const ALIYUN_KEY_ID = /^[A-Za-z0-9]{12,64}$/;
const ALIYUN_SECRET = /^[A-Za-z0-9]{16,64}$/;
const TENCENT_ID = /^AKID[A-Za-z0-9]{10,64}$/;
const TENCENT_KEY = /^[A-Za-z0-9]{16,64}$/;
const TENCENT_REGIONS = ["ap-guangzhou", "ap-beijing", "ap-nanjing"];
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function parseNotifySettings(source: Source, problems: string[]): NotifySettings {
  const text = (name: string): string | undefined => {
    const value = source[name]?.trim();
    return value ? value : undefined;
  };
  const required = (name: string, why: string, pattern?: RegExp, shape?: string): string => {
    const value = text(name);
    if (value === undefined) problems.push(`${name} is required ${why}`);
    else if (pattern && !pattern.test(value)) problems.push(`${name} does not look right: expected ${shape}`);
    return value ?? "";
  };
  const endpoint = (name: string): string | undefined => {
    const value = text(name);
    if (value === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      problems.push(`${name} is not a URL`);
      return undefined;
    }
    // Credentials travel in the request: plain HTTP only to this machine (a test or the demo's simulator).
    const loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
    if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) problems.push(`${name} must be an https:// URL (http:// only to this machine)`);
    return value;
  };
  const signName = (name: string, why: string) => required(name, why, /^.{2,12}$/u, "the approved signature, 2–12 characters");

  let sms: NotifySettings["sms"] = null;
  let voice: NotifySettings["voice"] = null;
  const aliyunCredentials = (why: string) => ({
    accessKeyId: required("ALIYUN_ACCESS_KEY_ID", why, ALIYUN_KEY_ID, "an AccessKey ID (letters and digits, e.g. LTAI…)"),
    accessKeySecret: required("ALIYUN_ACCESS_KEY_SECRET", why, ALIYUN_SECRET, "an AccessKey secret (letters and digits)"),
  });

  const smsProvider = text("SMS_PROVIDER");
  if (smsProvider === "aliyun") {
    const why = "with SMS_PROVIDER=aliyun";
    sms = {
      provider: "aliyun",
      options: {
        credentials: aliyunCredentials(why),
        signName: signName("ALIYUN_SMS_SIGN_NAME", why),
        templateCode: required("ALIYUN_SMS_TEMPLATE_CODE", why, /^SMS_\d+$/, "an approved template code such as SMS_465990001"),
        endpoint: endpoint("ALIYUN_SMS_ENDPOINT"),
      },
    };
  } else if (smsProvider === "tencent") {
    const why = "with SMS_PROVIDER=tencent";
    const region = text("TENCENT_SMS_REGION") ?? "ap-guangzhou";
    if (!TENCENT_REGIONS.includes(region)) problems.push(`TENCENT_SMS_REGION must be one of ${TENCENT_REGIONS.join(", ")}`);
    sms = {
      provider: "tencent",
      options: {
        secretId: required("TENCENT_SECRET_ID", why, TENCENT_ID, "a SecretId starting with AKID"),
        secretKey: required("TENCENT_SECRET_KEY", why, TENCENT_KEY, "a SecretKey (letters and digits)"),
        sdkAppId: required("TENCENT_SMS_SDK_APP_ID", why, /^\d{10}$/, "the SMS application's 10-digit SdkAppId (1400…)"),
        signName: signName("TENCENT_SMS_SIGN_NAME", why),
        templateId: required("TENCENT_SMS_TEMPLATE_ID", why, /^\d{1,10}$/, "the approved template's numeric id"),
        region,
        endpoint: endpoint("TENCENT_SMS_ENDPOINT"),
      },
    };
  } else if (smsProvider !== undefined) {
    problems.push(`SMS_PROVIDER=${JSON.stringify(smsProvider)} must be aliyun or tencent (or unset: no SMS)`);
  }

  const voiceProvider = text("VOICE_PROVIDER");
  if (voiceProvider === "aliyun") {
    const why = "with VOICE_PROVIDER=aliyun";
    const playTimes = text("ALIYUN_VOICE_PLAY_TIMES");
    if (playTimes !== undefined && !/^[123]$/.test(playTimes)) problems.push("ALIYUN_VOICE_PLAY_TIMES must be 1, 2 or 3");
    voice = {
      provider: "aliyun",
      options: {
        credentials: aliyunCredentials(why),
        ttsCode: required("ALIYUN_VOICE_TTS_CODE", why, /^TTS_\d+$/, "an approved text-to-speech template code such as TTS_287000001"),
        calledShowNumber: text("ALIYUN_VOICE_SHOW_NUMBER"),
        playTimes: playTimes ? Number(playTimes) : undefined,
        endpoint: endpoint("ALIYUN_VOICE_ENDPOINT"),
      },
    };
  } else if (voiceProvider !== undefined) {
    problems.push(`VOICE_PROVIDER=${JSON.stringify(voiceProvider)} must be aliyun (or unset: no voice calls)`);
  }

  const publicKey = text("WEB_PUSH_VAPID_PUBLIC_KEY");
  const privateKey = text("WEB_PUSH_VAPID_PRIVATE_KEY");
  const subject = text("WEB_PUSH_SUBJECT") ?? "mailto:admin@shouwang.invalid";
  if (!/^(mailto:|https:\/\/)/.test(subject)) problems.push("WEB_PUSH_SUBJECT must be a mailto: or https:// address where push services can reach you");
  let webPush: NotifySettings["webPush"] = null;
  if ((publicKey === undefined) !== (privateKey === undefined)) {
    problems.push("WEB_PUSH_VAPID_PUBLIC_KEY and WEB_PUSH_VAPID_PRIVATE_KEY go together: set both (`npx web-push generate-vapid-keys`) or neither (the cloud makes a pair)");
  } else if (publicKey !== undefined && privateKey !== undefined) {
    // An uncompressed P-256 point is 65 bytes (87 base64url characters); the private scalar 32 (43).
    if (!BASE64URL.test(publicKey) || Buffer.from(publicKey, "base64url").length !== 65) problems.push("WEB_PUSH_VAPID_PUBLIC_KEY must be a base64url P-256 public key (65 bytes)");
    if (!BASE64URL.test(privateKey) || Buffer.from(privateKey, "base64url").length !== 32) problems.push("WEB_PUSH_VAPID_PRIVATE_KEY must be a base64url P-256 private key (32 bytes)");
    webPush = { publicKey, privateKey, subject };
  }
  return { sms, voice, webPush, webPushSubject: subject };
}

/** For the start banner and logs: which providers, never a credential. */
export function describeProviders(settings: Pick<NotifySettings, "sms" | "voice">): { sms: string; voice: string } {
  return {
    sms: settings.sms ? `${settings.sms.provider === "aliyun" ? "Aliyun" : "Tencent Cloud"} SMS` : "none configured",
    voice: settings.voice ? "Aliyun voice notification" : "none configured",
  };
}
