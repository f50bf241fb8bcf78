import type { ProviderChannel, RobotAddress } from "./channel";
import { nationalNumber } from "./channel";
import { truncateUtf8 } from "./http";
import { postToRobot, type RobotOptions } from "./robot-post";

/**
 * WeCom (企业微信) group robot: the key in the webhook URL is the whole credential (WeCom has no
 * signature). Text of at most 2048 bytes; `mentioned_mobile_list` @s the tier's people by phone.
 * 20 messages a minute per robot: errcode 45009 is that limit, 93000 a key that no longer exists.
 * https://developer.work.weixin.qq.com/document/path/91770
 */
export function wecomRobot(options: RobotOptions = {}): ProviderChannel<RobotAddress> {
  return {
    name: "wecom-robot",
    async send(robot, message, signal) {
      const body = JSON.stringify({
        msgtype: "text",
        text: { content: truncateUtf8(message.text, 2048), mentioned_mobile_list: (message.mentionPhones ?? []).map(nationalNumber) },
      });
      return postToRobot(options, robot.url, body, signal, { what: "WeCom robot", codeField: "errcode", messageField: "errmsg", retry: RETRY });
    },
  };
}

const RETRY = new Map<number, number | undefined>([
  [-1, undefined], // system busy
  [45009, 60_000], // over 20 a minute
]);
