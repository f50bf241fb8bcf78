import { randomBytes } from "node:crypto";
import { aliyunSms } from "../cloud/notify/providers/aliyun-sms";
import type { ProviderChannel } from "../cloud/notify/providers/channel";
import { Worker } from "./child";

/**
 * The cloud's SMS, as a bench runs it: the real Aliyun adapter (signing every request) pointed
 * at the provider-shaped listener in its own process, with a fresh key pair each run.
 */
export async function benchSmsProvider(): Promise<{ sms: ProviderChannel<string>; listener: Worker }> {
  const accessKeyId = `LTAI5t${randomBytes(6).toString("hex")}`;
  const accessKeySecret = randomBytes(15).toString("hex");
  const listener = new Worker("./sms-listener.ts", [accessKeyId, accessKeySecret]);
  const { url } = (await listener.ready) as { url: string };
  return { sms: aliyunSms({ credentials: { accessKeyId, accessKeySecret }, signName: "守望社区", templateCode: "SMS_465990001", endpoint: `${url}/` }), listener };
}
