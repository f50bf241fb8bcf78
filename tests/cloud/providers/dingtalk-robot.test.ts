import { describe, expect, it } from "vitest";
import { dingtalkRobot, dingtalkSign } from "../../../cloud/notify/providers/dingtalk-robot";
import { fakeDingtalk } from "../../support/fake-providers";
import { MESSAGE, runProviderCases } from "./provider-cases";

describe("DingTalk custom robot (加签)", () => {
  const token = "566cc69da782ec3f3f2f8e0c2b6c9d0a1e8f9b7c6d5e4f3a2b1c0d9e8f7a6b5c";
  const secret = "SEC1c1b6b9e2f0a4c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3";

  it("puts timestamp and the URL-encoded sign in the query, as the documentation's example code does", async () => {
    let seen: URL | undefined;
    const robot = dingtalkRobot({
      now: () => 1577262236757,
      fetch: (async (input: string | URL | Request) => {
        seen = new URL(String(input));
        return new Response(JSON.stringify({ errcode: 0, errmsg: "ok" }), { headers: { "content-type": "application/json" } });
      }) as typeof fetch,
    });
    await robot.send({ url: `https://oapi.dingtalk.com/robot/send?access_token=${token}`, secret }, MESSAGE, AbortSignal.timeout(1000));
    expect(seen!.searchParams.get("access_token")).toBe(token);
    expect(seen!.searchParams.get("timestamp")).toBe("1577262236757");
    expect(seen!.searchParams.get("sign")).toBe(dingtalkSign(secret, "1577262236757"));
    // Base64's '+', '/' and '=' travel percent-encoded.
    expect(seen!.search).not.toMatch(/sign=[^&]*[+/=]/);
  });

  runProviderCases({
    start: () => fakeDingtalk({ [token]: secret }),
    channel: () => dingtalkRobot(),
    to: (fake, which) => ({ url: `${fake.url}/robot/send?access_token=${token}`, secret: which === "right" ? secret : `${secret.slice(0, -1)}X` }),
    expectAccepted: (accepted) => {
      expect(accepted.to).toBe(token);
      expect(accepted.fields).toEqual({
        msgtype: "text",
        text: { content: `${MESSAGE.text}\n@13800000001` },
        at: { atMobiles: ["13800000001"], isAtAll: false },
      });
    },
    throttleHintMs: 10 * 60_000,
    badSecret: /310000.*sign not match/,
    permanent: { arrange: (fake) => fake.script.push("refuse"), reason: /300001/ },
  });
});
