import { cloudIngestGrants, provisionerGrants, type TopicGrants } from "../../shared/topics";
import type { DynsecCommand } from "./dynsec";
import { IDENTITY_CONTROL_TOPIC, IDENTITY_RESPONSE_TOPIC, type IdentityControl } from "./identity-control";

/**
 * The broker identities the fleet needs. Nodes and claims live in the project's Mosquitto plugin
 * (deploy/mosquitto/plugin): one hash-table entry and one journal line each, so writing one costs
 * the same with 20 or 20,000 of them, where the dynamic-security plugin rewrote its whole file per
 * change. The broker gets SHA-256 hashes only, never a password. The cloud's own two accounts
 * stay in dynamic security (deploy/mosquitto/bootstrap.ts).
 */
export interface BrokerAccounts {
  /** Lets the node log in as itself (username = client id = node id) with the password hashing to `passwordHash`. */
  registerNode(nodeId: string, passwordHash: string): Promise<void>;
  /** Deletes the node's identity: the broker disconnects it at once and refuses it from then on. */
  removeNode(nodeId: string): Promise<void>;
  /**
   * Lets each listed serial log in as `claim-<batch>` under client id `claim-<serial>` with the
   * batch's claim secret, until `expiresAt` or until the node first logs in as itself.
   */
  openClaims(batchId: string, serials: readonly string[], secretHash: string, expiresAt: number): Promise<void>;
  /** Closes one serial's claim (a revoked device), disconnecting it. */
  closeClaim(serial: string): Promise<void>;
  /** Closes every claim of a batch. */
  removeBatch(batchId: string): Promise<void>;
}

export const CLOUD_INGEST_USERNAME = "sw-cloud";
export const PROVISIONER_USERNAME = "sw-provisioner";

/** Dynamic-security ACLs from topic grants; a denial outranks an allowance (higher priority wins). */
export function aclsFor(grants: TopicGrants): Array<{ acltype: string; topic: string; allow: boolean; priority: number }> {
  const priority = (allow: boolean) => (allow ? 0 : 10);
  return [
    ...grants.publish.map((rule) => ({ acltype: "publishClientSend", topic: rule.filter, allow: rule.allow, priority: priority(rule.allow) })),
    ...grants.subscribe.flatMap((rule) => [
      { acltype: "subscribePattern", topic: rule.filter, allow: rule.allow, priority: priority(rule.allow) },
      { acltype: "publishClientReceive", topic: rule.filter, allow: rule.allow, priority: priority(rule.allow) },
    ]),
  ];
}

export function createRole(rolename: string, grants: TopicGrants, extraAcls: ReturnType<typeof aclsFor> = []): DynsecCommand {
  return { command: "createRole", rolename, acls: [...aclsFor(grants), ...extraAcls] };
}

/**
 * The identity plugin's control topic, for the provisioner: it adds and removes node and claim
 * identities, and nothing else (no right over dynamic security, so it cannot touch the cloud's
 * own accounts).
 */
export const IDENTITY_ADMIN_ACLS = [
  { acltype: "publishClientSend", topic: IDENTITY_CONTROL_TOPIC, allow: true, priority: 0 },
  { acltype: "subscribePattern", topic: IDENTITY_RESPONSE_TOPIC, allow: true, priority: 0 },
  { acltype: "publishClientReceive", topic: IDENTITY_RESPONSE_TOPIC, allow: true, priority: 0 },
];

/** Roles of the cloud's two accounts: ingest (node traffic only) and provisioner (claims and device identities). */
export function cloudRoles(): DynsecCommand[] {
  return [createRole(CLOUD_INGEST_USERNAME, cloudIngestGrants()), createRole(PROVISIONER_USERNAME, provisionerGrants(), IDENTITY_ADMIN_ACLS)];
}

/** Seconds, as the plugin keeps expiry; rounded down so the broker never admits longer than the cloud would. */
const unixSeconds = (ms: number) => Math.floor(ms / 1000);

export function pluginAccounts(control: IdentityControl): BrokerAccounts {
  return {
    registerNode: (nodeId, passwordHash) => control.run(`node-set ${nodeId} ${passwordHash}`),
    removeNode: (nodeId) => control.run(`node-del ${nodeId}`),
    openClaims: (batchId, serials, secretHash, expiresAt) => control.runAll(serials.map((serial) => `claim-set ${serial} ${batchId} ${secretHash} ${unixSeconds(expiresAt)}`)),
    closeClaim: (serial) => control.run(`claim-del ${serial}`),
    removeBatch: (batchId) => control.run(`claim-del-batch ${batchId}`),
  };
}

