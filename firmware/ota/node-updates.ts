import type { LinkAttachment, Link } from "../link/link";
import type { Platform } from "../ports/platform";
import type { OtaConfig } from "./ota-config";
import { OtaAgent } from "./ota-agent";

export interface NodeUpdates {
  /** For `startLink`: routes the agent's topics to it; undefined when the node takes no updates. */
  readonly attachment: LinkAttachment | undefined;
  /** Creates and starts the agent once the link has its boot id; undefined when the node takes no updates. */
  start(link: Link, checks: { busy: () => string | null; healthy: () => boolean }): OtaAgent | undefined;
}

/**
 * Over-the-air updates for one node program. The agent needs the boot id the link assigns, and
 * the link needs the agent's attachment before it connects, so the attachment is bound late: it
 * forwards to the agent once `start` has made it (the session connects only after startLink returns).
 */
export function nodeUpdates(nodeId: string, runningVersion: string, config: OtaConfig | undefined, platform: Platform): NodeUpdates {
  let agent: OtaAgent | undefined;
  const enabled = config !== undefined && platform.ota !== undefined;
  return {
    attachment: enabled
      ? {
          topics: OtaAgent.topics(nodeId),
          onConnected: () => agent?.onConnected(),
          onDisconnected: () => agent?.onDisconnected(),
          onMessage: (topic, payload) => void agent?.onMessage(topic, payload),
          onPublished: (packetId) => void agent?.onPublished(packetId),
        }
      : undefined,
    start(link, checks) {
      if (!config || !platform.ota) return undefined;
      agent = new OtaAgent({
        nodeId,
        bootId: link.bootId,
        runningVersion,
        config,
        platform: platform.ota,
        mqtt: platform.mqtt,
        storage: platform.storage,
        clock: platform.clock,
        timers: platform.timers,
        log: link.log,
        busy: checks.busy,
        healthy: checks.healthy,
        restart: () => platform.system.restart(),
      });
      agent.start();
      if (link.uplink.connected) agent.onConnected();
      return agent;
    },
  };
}
