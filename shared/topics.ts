import { isNodeId, PROTOCOL_VERSION } from "./protocol";

/**
 * The topic tree. Every topic a node may touch sits under `sw/v1/node/<nodeId>/`, so one broker
 * ACL entry per device confines it to its own messages.
 *
 *   sw/v1/node/<id>/alarm       node → cloud   QoS 1, outbox
 *   sw/v1/node/<id>/telemetry   node → cloud   QoS 0, droppable
 *   sw/v1/node/<id>/status      node → cloud   retained; the last will says offline
 *   sw/v1/node/<id>/event       node → cloud   QoS 1, outbox (state changes)
 *   sw/v1/node/<id>/health      node → cloud   QoS 0, heartbeat
 *   sw/v1/node/<id>/ack         node → cloud   QoS 1, outbox (a command's result)
 *   sw/v1/node/<id>/cmd         cloud → node   QoS 1
 *   sw/v1/node/<id>/cmd/stored  cloud → node   QoS 0, the alarms the cloud has stored (shared/receipts.ts)
 *   sw/v1/node/<id>/cmd/ota/offer  cloud → node   QoS 1, offer or cancel an update (shared/ota.ts)
 *   sw/v1/node/<id>/cmd/ota/chunk  cloud → node   QoS 0, one piece of an image, answering ota/get
 *   sw/v1/node/<id>/ota/get        node → cloud   QoS 0, asks for one piece (offset, length)
 *   sw/v1/node/<id>/ota/state      node → cloud   QoS 1, where the update stands
 *   sw/v1/staff/<id>/notify     cloud → staff app   QoS 1, one person's incident notifications
 */
export const TOPIC_ROOT = `sw/v${PROTOCOL_VERSION}`;

export const UPLINK_CHANNELS = ["alarm", "telemetry", "status", "event", "health", "ack"] as const;
export type UplinkChannel = (typeof UPLINK_CHANNELS)[number];
export type Channel = UplinkChannel | "cmd";

export function nodePrefix(nodeId: string): string {
  return `${TOPIC_ROOT}/node/${nodeId}`;
}

export function nodeTopic(nodeId: string, channel: Channel): string {
  return `${TOPIC_ROOT}/node/${nodeId}/${channel}`;
}

/** Where the cloud tells a node which of its alarms it has stored: under its `cmd/` tree, which the node may read and the cloud write. */
export function storedTopic(nodeId: string): string {
  return `${TOPIC_ROOT}/node/${nodeId}/cmd/stored`;
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

/** The node id a command topic is addressed to; null for anything that is not `sw/v1/node/<valid id>/cmd`. */
export function parseCommandTopic(topic: string): string | null {
  const parts = topic.split("/");
  if (parts.length !== 5 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT || parts[2] !== "node" || parts[4] !== "cmd") return null;
  return isNodeId(parts[3]) ? parts[3] : null;
}

/**
 * Provisioning topics. A node that has only its batch's claim credential may publish its claim
 * request and read the answer, under its batch's prefix, and nothing else:
 *
 *   sw/v1/claim/<batch>/<serial>/req    node → cloud   QoS 1, the claim request
 *   sw/v1/claim/<batch>/<serial>/resp   cloud → node   QoS 1, credentials or the refusal's reason
 *
 * The batch is in the topic so the broker's per-batch ACL vouches for it: a node flashed for one
 * batch cannot claim under another's rules.
 */
export type ClaimDirection = "req" | "resp";

export function claimTopic(batchId: string, serial: string, direction: ClaimDirection): string {
  return `${TOPIC_ROOT}/claim/${batchId}/${serial}/${direction}`;
}

/** What the cloud's provisioner subscribes to: every batch's claim requests. */
export function claimRequestFilter(): string {
  return `${TOPIC_ROOT}/claim/+/+/req`;
}

/** Splits a claim request topic; null for anything else. Ids are checked by the claim codec. */
export function parseClaimRequestTopic(topic: string): { batchId: string; serial: string } | null {
  const parts = topic.split("/");
  if (parts.length !== 6 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT || parts[2] !== "claim" || parts[5] !== "req") return null;
  if (!parts[3] || !parts[4]) return null;
  return { batchId: parts[3], serial: parts[4] };
}

/**
 * OTA topics. What the cloud sends sits under the node's `cmd/` tree, so the grants a node
 * already has (read its own `cmd/#`, never publish there) and the cloud's (publish to every
 * node's `cmd/#`) cover updates with no new ACL entries; what the node sends sits under `ota/`,
 * one level deeper than the ingest's single-level uplink filters, which never see it.
 */
export const OTA_CHANNELS = ["offer", "chunk", "get", "state"] as const;
export type OtaChannel = (typeof OTA_CHANNELS)[number];
/** The ones a node publishes; the cloud's OTA service subscribes to these for every node. */
export const OTA_UPLINK_CHANNELS = ["get", "state"] as const;
export type OtaUplinkChannel = (typeof OTA_UPLINK_CHANNELS)[number];

export function otaTopic(nodeId: string, channel: OtaChannel): string {
  const down = channel === "offer" || channel === "chunk";
  return `${TOPIC_ROOT}/node/${nodeId}/${down ? "cmd/ota" : "ota"}/${channel}`;
}

/** `sw/v1/node/+/ota/get` and `…/state`. */
export function otaUplinkFilters(): string[] {
  return OTA_UPLINK_CHANNELS.map((channel) => `${TOPIC_ROOT}/node/+/ota/${channel}`);
}

/** Splits `sw/v1/node/<valid id>/ota/<get|state>`; null for anything else. */
export function parseOtaTopic(topic: string): { nodeId: string; channel: OtaUplinkChannel } | null {
  const parts = topic.split("/");
  if (parts.length !== 6) return null;
  if (`${parts[0]}/${parts[1]}` !== TOPIC_ROOT || parts[2] !== "node" || parts[4] !== "ota") return null;
  if (!isNodeId(parts[3]) || !(OTA_UPLINK_CHANNELS as readonly string[]).includes(parts[5])) return null;
  return { nodeId: parts[3], channel: parts[5] as OtaUplinkChannel };
}

/** One broker ACL entry: MQTT topic filter and whether it allows or denies. */
export interface TopicRule {
  filter: string;
  allow: boolean;
}

/** Which topics an account may publish to and subscribe to; the cloud turns these into broker roles. */
export interface TopicGrants {
  publish: TopicRule[];
  subscribe: TopicRule[];
}

// A node's and a claim's rights are not grants of a broker role any more: the project's broker
// plugin derives them from the authenticated identity (deploy/mosquitto/plugin/shouwang_auth.c):
// a node publishes under its own prefix except its cmd tree and reads only its cmd tree; a claim
// publishes only its serial's request and reads only its serial's answer.

/** MQTT 5 shared subscriptions (`$share/<group>/<filter>`) are checked by the broker with their prefix. */
function shared(filter: string): string {
  return `$share/+/${filter}`;
}

/** The cloud's account: every node's uplink (also as a shared subscription) and every node's commands. */
export function cloudIngestGrants(): TopicGrants {
  const uplinks = `${TOPIC_ROOT}/node/+/#`;
  return {
    publish: [
      { filter: `${TOPIC_ROOT}/node/+/cmd`, allow: true },
      { filter: `${TOPIC_ROOT}/node/+/cmd/#`, allow: true },
    ],
    subscribe: [
      { filter: uplinks, allow: true },
      { filter: shared(uplinks), allow: true },
    ],
  };
}

/** The cloud's provisioner account, beside its broker-admin rights: claim requests in, answers out. */
export function provisionerGrants(): TopicGrants {
  return {
    publish: [{ filter: `${TOPIC_ROOT}/claim/+/+/resp`, allow: true }],
    subscribe: [
      { filter: claimRequestFilter(), allow: true },
      { filter: shared(claimRequestFilter()), allow: true },
    ],
  };
}

