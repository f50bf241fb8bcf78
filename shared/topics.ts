import { isNodeId, PROTOCOL_VERSION } from "./protocol";

/**
 * The topic tree. Every topic a node may touch sits under `sw/v1/node/<nodeId>/`, so one broker
 * ACL entry per device confines it to its own messages.
 *
 *   sw/v1/node/<id>/alarm       node → cloud   QoS 1, outbox
 *   sw/v1/node/<id>/telemetry   node → cloud   QoS 0, droppable
 *   sw/v1/node/<id>/status      node → cloud   retained; the last will says offline
 *   sw/v1/node/<id>/event       node → cloud   QoS 1, outbox (lock and capsule state events)
 *   sw/v1/node/<id>/ack         node → cloud   QoS 1, the result of each command
 *   sw/v1/node/<id>/cmd         cloud → node   QoS 1
 */
export const TOPIC_ROOT = `sw/v${PROTOCOL_VERSION}`;

export const UPLINK_CHANNELS = ["alarm", "telemetry", "status", "event", "ack"] as const;
export type UplinkChannel = (typeof UPLINK_CHANNELS)[number];
export type Channel = UplinkChannel | "cmd";

export function nodePrefix(nodeId: string): string {
  return `${TOPIC_ROOT}/node/${nodeId}`;
}

export function nodeTopic(nodeId: string, channel: Channel): string {
  return `${TOPIC_ROOT}/node/${nodeId}/${channel}`;
}

/** Filters the ingest subscribes to: every node's uplink channels, never the command channel. */
export function uplinkFilters(): string[] {
  return UPLINK_CHANNELS.map((channel) => `${TOPIC_ROOT}/node/+/${channel}`);
}

export interface ParsedTopic {
  nodeId: string;
  channel: UplinkChannel;
}

/** Splits an uplink topic; null for anything that is not exactly `sw/v1/node/<valid id>/<uplink channel>`. */
export function parseUplinkTopic(topic: string): ParsedTopic | null {
  const parts = topic.split("/");
  if (parts.length !== 5) return null;
  if (`${parts[0]}/${parts[1]}` !== TOPIC_ROOT || parts[2] !== "node") return null;
  const nodeId = parts[3];
  const channel = parts[4];
  if (!isNodeId(nodeId)) return null;
  if (!(UPLINK_CHANNELS as readonly string[]).includes(channel)) return null;
  return { nodeId, channel: channel as UplinkChannel };
}
