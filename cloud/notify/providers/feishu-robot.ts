import { createHmac } from "node:crypto";
import type { ProviderChannel, RobotAddress } from "./channel";
import { truncateUtf8 } from "./http";
import { postToRobot, type RobotOptions } from "./robot-post";

/**
 * Feishu / Lark custom bot with 签名校验: `timestamp` (seconds, within an hour of Feishu's clock)
 * and `sign` in the JSON body, sign = Base64(HMAC-SHA256(key = timestamp + "\n" + secret,
 * msg = empty)): the string DingTalk signs is Feishu's key. Body at most 20 KB; 100 a minute and
 * 5 a second per bot (code 11232 when over); 19021 is a bad signature or an old timestamp.
 * Custom bots cannot @ by phone, so the text names the people instead.
 * https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot
 */
export function feishuRobot(options: RobotOptions = {}): ProviderChannel<RobotAddress> {
  return {
    name: "feishu-robot",
    async send(robot, message, signal) {
      const timestamp = String(Math.floor((options.now?.() ?? Date.now()) / 1000));
      const signature = robot.secret ? { timestamp, sign: feishuSign(robot.secret, timestamp) } : {};
      const body = JSON.stringify({ ...signature, msg_type: "text", content: { text: truncateUtf8(message.text, 16_000) } });
      return postToRobot(options, robot.url, body, signal, { what: "Feishu bot", codeField: "code", messageField: "msg", retry: RETRY });
    },
  };
}

export function feishuSign(secret: string, timestampS: string): string {
  return createHmac("sha256", `${timestampS}\n${secret}`).update("").digest("base64");
}

const RETRY = new Map<number, number | undefined>([
  [11232, 1000], // over 5 a second or 100 a minute
]);
