import type { NotifySettings } from "../settings";
import { aliyunSms } from "./aliyun-sms";
import { aliyunVoice } from "./aliyun-voice";
import type { ProviderChannel } from "./channel";
import { tencentSms } from "./tencent-sms";

/** The SMS and voice adapters the settings name (null where none is configured). */
export function phoneChannels(settings: Pick<NotifySettings, "sms" | "voice">, fetcher?: typeof fetch): { sms: ProviderChannel<string> | null; voice: ProviderChannel<string> | null } {
  const sms = settings.sms === null ? null : settings.sms.provider === "aliyun" ? aliyunSms({ ...settings.sms.options, fetch: fetcher }) : tencentSms({ ...settings.sms.options, fetch: fetcher });
  const voice = settings.voice === null ? null : aliyunVoice({ ...settings.voice.options, fetch: fetcher });
  return { sms, voice };
}
