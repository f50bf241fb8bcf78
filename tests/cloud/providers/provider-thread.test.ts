import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryLogger } from "../../../cloud/log";
import type { OutboundMessage } from "../../../cloud/notify/providers/channel";
import { startProviderThread, type ProviderThread } from "../../../cloud/notify/providers/provider-thread";
import type { NotifySettings } from "../../../cloud/notify/settings";
import { fakeAliyun, type FakeProvider } from "../../support/fake-providers";

const KEY_ID = "LTAI5tThreadTest01";
const SECRET = "ThreadTestSecret0123456789";
const message: OutboundMessage = { text: "守望 告警 火警 和平社区 3号院 1号楼 #1024", fields: { lead: "告警", hazard: "火警", place: "和平社区 3号院 1号楼", incident: "1024" }, outId: "77" };
const settings = (endpoint: string): Pick<NotifySettings, "sms" | "voice"> => ({
  sms: { provider: "aliyun", options: { credentials: { accessKeyId: KEY_ID, accessKeySecret: SECRET }, signName: "守望社区", templateCode: "SMS_465990001", endpoint } },
  voice: { provider: "aliyun", options: { credentials: { accessKeyId: KEY_ID, accessKeySecret: SECRET }, calledShowNumber: "057112345678", ttsCode: "TTS_123456789", endpoint } },
});
const never = () => new AbortController().signal;

/** The SMS and voice adapters on their own thread, against an Aliyun-shaped server that checks every signature. */
describe("the provider thread", () => {
  let aliyun: FakeProvider;
  let thread: ProviderThread;

  beforeAll(async () => {
    aliyun = await fakeAliyun({ [KEY_ID]: SECRET });
    thread = await startProviderThread(settings(`${aliyun.url}/`));
  });

  afterAll(async () => {
    await thread?.close();
    await aliyun?.close();
  });

  it("sends an SMS signed on the thread and answers with the provider's outcome", async () => {
    expect(thread.sms?.name).toBe("aliyun-sms");
    const outcome = await thread.sms!.send("+8613812345678", message, never());
    expect(outcome).toEqual({ status: "accepted", reference: expect.stringMatching(/^9006197469364984\d+$/) });
    expect(aliyun.accepted.at(-1)).toMatchObject({ to: "13812345678", fields: { SignName: "守望社区", TemplateCode: "SMS_465990001", OutId: "77" } });
    aliyun.script.push("refuse");
    expect(await thread.sms!.send("+8613812345678", message, never())).toMatchObject({ status: "permanent" });
    aliyun.script.push("throttle");
    expect(await thread.sms!.send("+8613812345678", message, never())).toMatchObject({ status: "retry" });
  });

  it("places a call and asks for its result on the thread", async () => {
    expect(thread.voice?.name).toBe("aliyun-voice");
    const placed = await thread.voice!.send("+8613812345678", message, never());
    expect(placed.status).toBe("accepted");
    const reference = (placed as { reference: string }).reference;
    expect(await thread.voice!.callResult!(reference, Date.now(), never())).toBe("answered");
  });

  it("answers retry at once when the caller stops waiting", async () => {
    // A provider that takes the request and never answers.
    const held: Array<() => void> = [];
    let dropped = 0;
    const silent: Server = createServer((req, res) => {
      req.socket.on("close", () => dropped++);
      held.push(() => res.destroy());
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const slow = await startProviderThread(settings(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/`));
    try {
      const started = Date.now();
      const outcome = await slow.sms!.send("+8613812345678", message, AbortSignal.timeout(300));
      expect(outcome).toEqual({ status: "retry", reason: "no answer in time" });
      expect(Date.now() - started).toBeLessThan(2000);
      // The thread was told, and gave up its request too.
      await expect.poll(() => dropped, { timeout: 2000 }).toBe(1);
    } finally {
      for (const end of held) end();
      await slow.close();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it("answers retry for what a stopped thread had, and starts a new one for the next message", async () => {
    const log = memoryLogger();
    const crashing = await startProviderThread(settings(`${aliyun.url}/`), { log, override: fileURLToPath(new URL("../../support/crashing-provider-worker.ts", import.meta.url)) });
    try {
      expect(await crashing.sms!.send("+8613900000999", message, never())).toEqual({ status: "retry", reason: "the provider thread stopped" });
      expect(log.lines.some((line) => line.includes("provider thread stopped"))).toBe(true);
      expect(await crashing.sms!.send("+8613812345678", message, never())).toMatchObject({ status: "accepted" });
      expect(crashing.starts).toBe(2);
    } finally {
      await crashing.close();
    }
  });
});
