import { createHmac } from "node:crypto";
import type { ProviderChannel, RobotAddress } from "./channel";
import { nationalNumber } from "./channel";
import { truncateUtf8 } from "./http";
import { postToRobot, type RobotOptions } from "./robot-post";

/**
 * DingTalk (钉钉) custom robot with 加签: `timestamp` (ms) and `sign` added to the webhook's query,
 * sign = urlEncode(Base64(HMAC-SHA256(key = secret, msg = timestamp + "\n" + secret))).
 * `at.atMobiles` @s people; DingTalk shows the @ only where the text names the number too.
 * 20 messages a minute, then 10 minutes of errcode 130101 ("send too fast"); 310000 is a
 * signature, keyword or IP refusal; 300001 a token that no longer exists.
 * https://open.dingtalk.com/document/robots/customize-robot-security-settings
 */
export function dingtalkRobot(options: RobotOptions = {}): ProviderChannel<RobotAddress> {
  return {
    name: "dingtalk-robot",
    async send(robot, message, signal) {
      const url = new URL(robot.url);
      if (robot.secret) {
        const timestamp = String(options.now?.() ?? Date.now());
        url.searchParams.set("timestamp", timestamp);
        // searchParams does the URL encoding the documentation asks for.
        url.searchParams.set("sign", dingtalkSign(robot.secret, timestamp));
      }
      const mobiles = (message.mentionPhones ?? []).map(nationalNumber);
      const mentions = mobiles.length ? `\n${mobiles.map((m) => `@${m}`).join(" ")}` : "";
      const body = JSON.stringify({ msgtype: "text", text: { content: truncateUtf8(message.text, 4000) + mentions }, at: { atMobiles: mobiles, isAtAll: false } });
      return postToRobot(options, url.toString(), body, signal, { what: "DingTalk robot", codeField: "errcode", messageField: "errmsg", retry: RETRY });
    },
  };
}

/** DingTalk's 加签 value, before URL encoding. */
export function dingtalkSign(secret: string, timestampMs: string): string {
  return createHmac("sha256", secret).update(`${timestampMs}\n${secret}`, "utf8").digest("base64");
}

const RETRY = new Map<number, number | undefined>([
  [-1, undefined], // system busy
  [130101, 10 * 60_000], // over 20 a minute: throttled for 10 minutes
]);
