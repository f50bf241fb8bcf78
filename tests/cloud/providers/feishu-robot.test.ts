import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { feishuRobot, feishuSign } from "../../../cloud/notify/providers/feishu-robot";
import { fakeFeishu } from "../../support/fake-providers";
import { MESSAGE, runProviderCases } from "./provider-cases";

describe("Feishu / Lark custom bot (签名校验)", () => {
  const id = "5e3d587e-d78e-4a07-bd07-265f269f86fd";
  const secret = "nIMtb7r3N9pkXyXdtAbx6e";

  it("keys the HMAC with timestamp + \\n + secret over an empty message: not DingTalk's layout", () => {
    const expected = createHmac("sha256", `1599360473\n${secret}`).update(Buffer.alloc(0)).digest("base64");
    expect(feishuSign(secret, "1599360473")).toBe(expected);
    const dingtalkLayout = createHmac("sha256", secret).update(`1599360473\n${secret}`).digest("base64");
    expect(feishuSign(secret, "1599360473")).not.toBe(dingtalkLayout);
  });

  it("sends the timestamp in seconds", async () => {
    let body: Record<string, unknown> = {};
    const bot = feishuRobot({
      now: () => 1_599_360_473_999,
      fetch: (async (_input: unknown, init?: RequestInit) => {
        body = JSON.parse(String(init?.body)) as Record<string, unknown>;
        return new Response(JSON.stringify({ code: 0, msg: "success", data: {} }));
      }) as typeof fetch,
    });
    expect(await bot.send({ url: `https://open.feishu.cn/open-apis/bot/v2/hook/${id}`, secret }, MESSAGE, AbortSignal.timeout(1000))).toEqual({ status: "accepted" });
    expect(body).toMatchObject({ timestamp: "1599360473", sign: feishuSign(secret, "1599360473") });
  });

  runProviderCases({
    start: () => fakeFeishu({ [id]: secret }),
    channel: () => feishuRobot(),
    to: (fake, which) => ({ url: `${fake.url}/open-apis/bot/v2/hook/${id}`, secret: which === "right" ? secret : "nIMtb7r3N9pkXyXdtAbx6f" }),
    expectAccepted: (accepted) => {
      expect(accepted.to).toBe(id);
      expect(accepted.fields).toMatchObject({ msg_type: "text", content: { text: MESSAGE.text } });
    },
    throttleHintMs: 1000,
    badSecret: /19021/,
    permanent: { arrange: (fake) => fake.script.push("refuse"), reason: /19001/ },
  });
});
