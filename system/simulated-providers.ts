import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { signRpc } from "../cloud/notify/providers/aliyun-rpc";
import { aliyunSms } from "../cloud/notify/providers/aliyun-sms";
import { aliyunVoice } from "../cloud/notify/providers/aliyun-voice";
import type { ProviderChannel } from "../cloud/notify/providers/channel";
import { dingtalkSign } from "../cloud/notify/providers/dingtalk-robot";

export interface SimulatedProviders {
  sms: ProviderChannel<string>;
  voice: ProviderChannel<string>;
  /** The demo community's work group, as a DingTalk robot registered for its place. */
  robot: { url: string; secret: string };
  close(): Promise<void>;
}

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
/** Numbers are personal data even in a demo: the terminal shows the last four digits. */
const masked = (phone: string) => `***${phone.slice(-4)}`;

/**
 * `npm start`'s stand-in for the providers a community would contract: one local HTTP server
 * shaped like Aliyun's SMS and voice-notification APIs and a DingTalk group robot, so the demo
 * runs the real adapters (signed requests, answers mapped to delivered or retry) and every
 * message lands somewhere visible: a line in this terminal, and a delivered row in the console.
 * The keys are made afresh each start and never leave this process.
 */
export async function startSimulatedProviders(print: (line: string) => void): Promise<SimulatedProviders> {
  const accessKeyId = `LTAI5tDemo${randomBytes(4).toString("hex")}`;
  const accessKeySecret = randomBytes(15).toString("hex");
  const robotToken = randomBytes(16).toString("hex");
  const robotSecret = `SEC${randomBytes(24).toString("hex")}`;
  let calls = 0;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const answer = (body: unknown, status = 200) => {
        res.writeHead(status, { "content-type": "application/json;charset=utf-8" });
        res.end(JSON.stringify(body));
      };
      const url = new URL(req.url ?? "/", "http://simulated");
      const body = Buffer.concat(chunks).toString("utf8");
      if (url.pathname === "/robot/send") {
        const timestamp = url.searchParams.get("timestamp") ?? "";
        if (url.searchParams.get("access_token") !== robotToken) return answer({ errcode: 300001, errmsg: "token is not exist" });
        if (!same(dingtalkSign(robotSecret, timestamp), url.searchParams.get("sign") ?? "")) return answer({ errcode: 310000, errmsg: "sign not match" });
        const message = JSON.parse(body) as { text?: { content?: string }; at?: { atMobiles?: string[] } };
        const mentions = (message.at?.atMobiles ?? []).map((m) => `@${masked(m)}`).join(" ");
        print(`  模拟钉钉群 simulated DingTalk group 和平社区工作群: ${(message.text?.content ?? "").split("\n")[0]}${mentions ? `  ${mentions}` : ""}`);
        return answer({ errcode: 0, errmsg: "ok" });
      }
      const params = Object.fromEntries(new URLSearchParams(body));
      if (params.AccessKeyId !== accessKeyId) return answer({ Code: "InvalidAccessKeyId.NotFound" }, 404);
      const { Signature: signature, ...signed } = params;
      if (!signature || !same(signRpc(signed, "POST", accessKeySecret), signature)) return answer({ Code: "SignatureDoesNotMatch" }, 400);
      if (params.Action === "SendSms") {
        const p = JSON.parse(params.TemplateParam ?? "{}") as Record<string, string>;
        print(`  模拟短信 simulated SMS → ${masked(params.PhoneNumbers)}: 【${params.SignName}】${p.lead}：${p.place}${p.hazard}，请立即处置（事件${p.incident}）`);
        return answer({ Code: "OK", Message: "OK", BizId: `sim-${Date.now()}`, RequestId: randomBytes(8).toString("hex") });
      }
      if (params.Action === "SingleCallByTts") {
        const p = JSON.parse(params.TtsParam ?? "{}") as Record<string, string>;
        print(`  模拟语音电话 simulated voice call → ${masked(params.CalledNumber)}: 紧急通知：${p.place}发生${p.hazard}，请立即处置。`);
        return answer({ Code: "OK", Message: "OK", CallId: `sim-call-${++calls}`, RequestId: randomBytes(8).toString("hex") });
      }
      if (params.Action === "QueryCallDetailByCallId") {
        // The simulated callee always picks up.
        return answer({ Code: "OK", Message: "OK", Data: JSON.stringify({ callee: "***", state: "200000", duration: 20, endDate: new Date().toISOString() }), RequestId: randomBytes(8).toString("hex") });
      }
      return answer({ Code: "InvalidAction.NotFound" }, 404);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const credentials = { accessKeyId, accessKeySecret };
  return {
    sms: aliyunSms({ credentials, signName: "守望社区", templateCode: "SMS_000000001", endpoint: `${base}/` }),
    voice: aliyunVoice({ credentials, ttsCode: "TTS_000000001", endpoint: `${base}/` }),
    robot: { url: `${base}/robot/send?access_token=${robotToken}`, secret: robotSecret },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
