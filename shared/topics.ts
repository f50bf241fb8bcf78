import { isNodeId, PROTOCOL_VERSION } from "./protocol";

/**
 * The topic tree. Every topic a node may touch sits under `sw/v1/node/<nodeId>/`, so one broker
 * ACL entry per device confines it to its own messages.
 *
 *   sw/v1/node/<id>/alarm       node → cloud   QoS 1, outbox
 *   sw/v1/node/<id>/telemetry   node → cloud   QoS 0, droppable
 *   sw/v1/node/<id>/status      node → cloud   retained; the last will says offline
 *   sw/v1/node/<id>/cmd         cloud → node   QoS 1
 *   sw/v1/node/<id>/ota/offer   cloud → node   QoS 1, offer or cancel an update (shared/ota.ts)
 *   sw/v1/node/<id>/ota/chunk   cloud → node   QoS 0, one piece of an image, answering ota/get
 *   sw/v1/node/<id>/ota/get     node → cloud   QoS 0, asks for one piece (offset, length)
 *   sw/v1/node/<id>/ota/state   node → cloud   QoS 1, where the update stands
 */
export const TOPIC_ROOT = `sw/v${PROTOCOL_VERSION}`;

export const UPLINK_CHANNELS = ["alarm", "telemetry", "status"] as const;
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

/** OTA channels, one level below `ota/` so the ingest's single-level uplink filters never see them. */
export const OTA_CHANNELS = ["offer", "chunk", "get", "state"] as const;
export type OtaChannel = (typeof OTA_CHANNELS)[number];
/** The ones a node publishes; the cloud's OTA service subscribes to these for every node. */
export const OTA_UPLINK_CHANNELS = ["get", "state"] as const;

export function otaTopic(nodeId: string, channel: OtaChannel): string {
  return `${TOPIC_ROOT}/node/${nodeId}/ota/${channel}`;
}

/** `sw/v1/node/+/ota/get` and `…/state`. */
export function otaUplinkFilters(): string[] {
  return OTA_UPLINK_CHANNELS.map((channel) => `${TOPIC_ROOT}/node/+/ota/${channel}`);
}

/** Splits `sw/v1/node/<valid id>/ota/<channel>`; null for anything else. */
export function parseOtaTopic(topic: string): { nodeId: string; channel: OtaChannel } | null {
  const parts = topic.split("/");
  if (parts.length !== 6) return null;
  if (`${parts[0]}/${parts[1]}` !== TOPIC_ROOT || parts[2] !== "node" || parts[4] !== "ota") return null;
  if (!isNodeId(parts[3]) || !(OTA_CHANNELS as readonly string[]).includes(parts[5])) return null;
  return { nodeId: parts[3], channel: parts[5] as OtaChannel };
}
