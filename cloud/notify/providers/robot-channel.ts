import type { ProviderChannel, RobotAddress, RobotKind } from "./channel";
import { dingtalkRobot } from "./dingtalk-robot";
import { feishuRobot } from "./feishu-robot";
import type { RobotOptions } from "./robot-post";
import { wecomRobot } from "./wecom-robot";

/** The adapter for a registered robot's kind. */
export function robotChannels(options: RobotOptions = {}): Record<RobotKind, ProviderChannel<RobotAddress>> {
  return { wecom: wecomRobot(options), dingtalk: dingtalkRobot(options), feishu: feishuRobot(options) };
}
