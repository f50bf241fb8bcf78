import { randomBytes } from "node:crypto";
import { aliyunSms, type AliyunSmsOptions } from "../cloud/notify/providers/aliyun-sms";
import type { NotifySettings } from "../cloud/notify/settings";
import type { ProviderChannel } from "../cloud/notify/providers/channel";
import { Worker } from "./child";

/** Where a bench's SMS goes and the key it signs with: enough to build the adapter in another process. */
export interface BenchSmsConfig {
  accessKeyId: string;
  accessKeySecret: string;
  url: string;
}

/** The settings a cloud would read from its environment for the bench's listener (SMS_PROVIDER=aliyun). */
export function benchSmsSettings(config: BenchSmsConfig): NonNullable<NotifySettings["sms"]> {
  const { accessKeyId, accessKeySecret, url } = config;
  return { provider: "aliyun", options: { credentials: { accessKeyId, accessKeySecret }, signName: "守望社区", templateCode: "SMS_465990001", endpoint: `${url}/` } };
}

/** The real Aliyun adapter (signing every request) pointed at the bench's provider-shaped listener. */
export function benchSms(config: BenchSmsConfig): ProviderChannel<string> {
  return aliyunSms(benchSmsSettings(config).options as AliyunSmsOptions);
}

/**
 * The cloud's SMS, as a bench runs it: the listener in its own process, with a fresh key pair
 * each run, and the adapter pointed at it (`config` builds it again in a cloud of its own process).
 */
export async function benchSmsProvider(): Promise<{ sms: ProviderChannel<string>; config: BenchSmsConfig; listener: Worker }> {
  const accessKeyId = `LTAI5t${randomBytes(6).toString("hex")}`;
  const accessKeySecret = randomBytes(15).toString("hex");
  const listener = new Worker("./sms-listener.ts", [accessKeyId, accessKeySecret]);
  const { url } = (await listener.ready) as { url: string };
  const config = { accessKeyId, accessKeySecret, url };
  return { sms: benchSms(config), config, listener };
}
