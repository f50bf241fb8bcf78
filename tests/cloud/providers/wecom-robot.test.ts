import { describe, expect } from "vitest";
import { wecomRobot } from "../../../cloud/notify/providers/wecom-robot";
import { fakeWecom } from "../../support/fake-providers";
import { MESSAGE, runProviderCases } from "./provider-cases";

describe("WeCom group robot", () => {
  runProviderCases({
    start: () => fakeWecom(["693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"]),
    // WeCom has no signature: the key in the URL is the secret, so a wrong secret is a wrong key.
    channel: () => wecomRobot(),
    to: (fake, secret) => ({ url: `${fake.url}/cgi-bin/webhook/send?key=${secret === "right" ? "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa" : "693a91f6-guessed"}`, secret: null }),
    expectAccepted: (accepted) => {
      expect(accepted.fields).toEqual({ msgtype: "text", text: { content: MESSAGE.text, mentioned_mobile_list: ["13800000001"] } });
    },
    throttleHintMs: 60_000,
    badSecret: /93000/,
    permanent: { arrange: (fake) => fake.script.push("refuse"), reason: /93000/ },
  });
});
