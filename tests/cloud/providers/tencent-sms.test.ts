import { describe, expect, it } from "vitest";
import { tencentSms } from "../../../cloud/notify/providers/tencent-sms";
import { signTc3 } from "../../../cloud/notify/providers/tencent-tc3";
import { fakeTencentSms, tc3Signature } from "../../support/fake-providers";
import { MESSAGE, runProviderCases } from "./provider-cases";

describe("Tencent Cloud SMS (SendSms 2021-01-11, TC3-HMAC-SHA256)", () => {
  it("signs Tencent's published DescribeInstances example to its published signature", () => {
    // 签名方法 v3: payload, timestamp 1551113065, SecretKey Gu5t9xGARNpq86cd98joQYCN3EXAMPLE.
    const payload = String.raw`{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}`;
    const signed = signTc3({ service: "cvm", host: "cvm.tencentcloudapi.com", payload, timestampS: 1551113065, secretId: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", secretKey: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE" });
    expect(signed.signature).toBe("72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168");
    expect(signed.authorization).toBe(
      "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168",
    );
    const server = tc3Signature({
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", host: "cvm.tencentcloudapi.com" },
      signedHeaders: ["content-type", "host"],
      payload,
      timestampS: 1551113065,
      service: "cvm",
      secretKey: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
    });
    expect(server).toBe(signed.signature);
  });

  const keys = { AKIDShouwangExample0001: "shouwang-secret-key-example-0001" };
  runProviderCases({
    start: () => fakeTencentSms(keys),
    channel: (fake, secret) =>
      tencentSms({
        secretId: "AKIDShouwangExample0001",
        secretKey: secret === "right" ? keys.AKIDShouwangExample0001 : "shouwang-secret-key-example-0002",
        sdkAppId: "1400006666",
        signName: "守望社区",
        templateId: "1110",
        endpoint: `${fake.url}/`,
      }),
    to: () => "+8613800000002",
    expectAccepted: (accepted) => {
      expect(accepted.to).toBe("+8613800000002");
      expect(accepted.fields).toEqual({
        PhoneNumberSet: ["+8613800000002"],
        SmsSdkAppId: "1400006666",
        SignName: "守望社区",
        TemplateId: "1110",
        TemplateParamSet: ["告警", "火警", "和平社区 3号院 1号楼", "1024"],
        SessionContext: MESSAGE.outId,
      });
    },
    badSecret: /AuthFailure\.SignatureFailure/,
    permanent: { arrange: (fake) => fake.script.push("refuse"), reason: /InvalidParameterValue\.IncorrectPhoneNumber/ },
  });
});
