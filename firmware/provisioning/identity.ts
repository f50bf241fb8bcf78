import type { LinkConfig } from "../link/link-config";
import type { KeyValueStore } from "../ports/storage";

/** Who a claimed node is on the broker: its id and its own MQTT credentials, kept in flash. */
export interface NodeIdentity {
  nodeId: string;
  username: string;
  password: string;
}

const NODE_ID = "nodeId";
const USERNAME = "mqttUser";
const PASSWORD = "mqttPass";
/** The pad of a claim not yet answered (see shared/claim.ts); kept so a retry is recognised. */
export const CLAIM_PAD = "claimPad";

/** The identity in flash, or null if the node is blank (or a write was cut short: it claims again). */
export function loadIdentity(storage: KeyValueStore): NodeIdentity | null {
  const nodeId = storage.get(NODE_ID);
  const username = storage.get(USERNAME);
  const password = storage.get(PASSWORD);
  return nodeId && username && password ? { nodeId, username, password } : null;
}

export function saveIdentity(storage: KeyValueStore, identity: NodeIdentity): void {
  storage.set(NODE_ID, identity.nodeId);
  storage.set(USERNAME, identity.username);
  storage.set(PASSWORD, identity.password);
}

/**
 * Forgets who the node is, so it claims again. The boot counter stays: a re-claimed node keeps
 * its node id (its serial), and the cloud drops messages whose (node, boot, seq) it has seen, so
 * starting boots from 1 again would make new alarms look like replays.
 */
export function factoryReset(storage: KeyValueStore): void {
  storage.delete(NODE_ID);
  storage.delete(USERNAME);
  storage.delete(PASSWORD);
  storage.delete(CLAIM_PAD);
}

/** Any kind's config with its claimed id and broker credentials. */
export function withIdentity<C extends LinkConfig>(config: C, identity: NodeIdentity): C {
  return { ...config, nodeId: identity.nodeId, mqtt: { ...config.mqtt, username: identity.username, password: identity.password } };
}
