/**
 * Wire protocol constants shared by firmware (XS) and cloud (Node).
 * Bump PROTOCOL_VERSION only with a new topic root: `sw/v2/…` lives beside `sw/v1/…`
 * so a fleet can be migrated node by node.
 */
export const PROTOCOL_VERSION = 1;

/** Largest payload either side accepts. A node's biggest message (an alarm with evidence) stays well below. */
export const MAX_PAYLOAD_BYTES = 4096;

/** Node ids are printable, lowercase and short, so they fit in a topic level and an NVS key. */
export const NODE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,39}$/;

export function isNodeId(value: unknown): value is string {
  return typeof value === "string" && NODE_ID_PATTERN.test(value);
}
