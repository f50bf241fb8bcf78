import { describe, expect, it } from "vitest";
import { signRpc } from "../../../cloud/notify/providers/aliyun-rpc";
import { aliyunSms } from "../../../cloud/notify/providers/aliyun-sms";
import { aliyunSignature, fakeAliyun } from "../../support/fake-providers";
import { MESSAGE, runProviderCases } from "./provider-cases";

describe("Aliyun SMS (SendSms)", () => {
  it("signs Aliyun's published example (testid / testsecret, DescribeRegions) to its published signature", () => {
    const example = {
      AccessKeyId: "testid",
      Action: "DescribeRegions",
      Format: "XML",
      SignatureMethod: "HMAC-SHA1",
      SignatureNonce: "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
      SignatureVersion: "1.0",
      TimeStamp: "2016-02-23T12:46:24Z",
      Version: "2014-05-26",
    };
    expect(signRpc(example, "GET", "testsecret")).toBe("CT9X0VtwR86fNWSnsc6v8YGOjuE=");
    // The test server's own implementation of the documented algorithm agrees.
    expect(aliyunSignature(example, "GET", "testsecret")).toBe("CT9X0VtwR86fNWSnsc6v8YGOjuE=");
  });

  runProviderCases({
    start: () => fakeAliyun({ LTAI5tExampleKeyId: "example-secret-0123456789" }),
    channel: (fake, secret) =>
      aliyunSms({
        credentials: { accessKeyId: "LTAI5tExampleKeyId", accessKeySecret: secret === "right" ? "example-secret-0123456789" : "stolen-guess" },
        signName: "守望社区",
        templateCode: "SMS_465990001",
        endpoint: `${fake.url}/`,
      }),
    to: () => "+8613800000001",
    expectAccepted: (accepted) => {
      expect(accepted.to).toBe("13800000001");
      expect(accepted.fields).toMatchObject({
        Action: "SendSms",
        Version: "2017-05-25",
        Format: "JSON",
        SignName: "守望社区",
        TemplateCode: "SMS_465990001",
        OutId: MESSAGE.outId,
        TemplateParam: { lead: "告警", hazard: "火警", place: "和平社区 3号院 1号楼", incident: "1024" },
      });
      expect(accepted.fields.Timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    },
    badSecret: /SignatureDoesNotMatch/,
    permanent: { arrange: (fake) => fake.script.push("refuse"), reason: /isv\.MOBILE_NUMBER_ILLEGAL/ },
  });
});
