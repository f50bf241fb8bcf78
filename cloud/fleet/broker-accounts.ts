import { claimUsername } from "../../shared/claim";
import { claimGrants, cloudIngestGrants, nodeGrants, provisionerGrants, type TopicGrants } from "../../shared/topics";
import { CONTROL_TOPIC, RESPONSE_TOPIC, type DynsecAnswer, type DynsecClient, type DynsecCommand } from "./dynsec";

/**
 * The broker accounts the fleet needs. Mosquitto 2.0.11 does not substitute `%u` in a role's
 * ACL (a role on `sw/v1/%u/#` refused the node's own publish), so each node and each batch gets
 * a role of its own, naming its topics literally.
 */
export interface BrokerAccounts {
  /** Creates the node's account (client id = node id) confined to its own topics, or sets a new password on it. */
  registerNode(nodeId: string, password: string): Promise<void>;
  /** Deletes the node's account: the broker disconnects it at once and refuses it from then on. */
  removeNode(nodeId: string): Promise<void>;
  /** Creates the batch's claim account: its password is the claim secret. */
  registerBatch(batchId: string, secret: string): Promise<void>;
  removeBatch(batchId: string): Promise<void>;
}

export const CLOUD_INGEST_USERNAME = "sw-cloud";
export const PROVISIONER_USERNAME = "sw-provisioner";

export function nodeRoleName(nodeId: string): string {
  return `sw-node-${nodeId}`;
}

export function claimRoleName(batchId: string): string {
  return `sw-claim-${batchId}`;
}

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

/** The plugin's own topics, for the provisioner: it creates and deletes accounts. */
export const DYNSEC_ADMIN_ACLS = [
  { acltype: "publishClientSend", topic: CONTROL_TOPIC, allow: true, priority: 0 },
  { acltype: "subscribePattern", topic: RESPONSE_TOPIC, allow: true, priority: 0 },
  { acltype: "publishClientReceive", topic: RESPONSE_TOPIC, allow: true, priority: 0 },
];

/** Roles of the cloud's two accounts: ingest (node traffic only) and provisioner (claims and accounts). */
export function cloudRoles(): DynsecCommand[] {
  return [createRole(CLOUD_INGEST_USERNAME, cloudIngestGrants()), createRole(PROVISIONER_USERNAME, provisionerGrants(), DYNSEC_ADMIN_ACLS)];
}

const exists = (answer: DynsecAnswer) => /already exists/i.test(answer.error ?? "");
const missing = (answer: DynsecAnswer) => /not found/i.test(answer.error ?? "");

export function dynsecAccounts(dynsec: DynsecClient): BrokerAccounts {
  return {
    async registerNode(nodeId, password) {
      const rolename = nodeRoleName(nodeId);
      const [, client] = await dynsec.runAll(
        // Bound to its client id as well: stolen credentials cannot be used beside the real node
        // without knocking it off the broker, which its status shows.
        [createRole(rolename, nodeGrants(nodeId)), { command: "createClient", username: nodeId, password, clientid: nodeId, roles: [{ rolename }] }],
        exists,
      );
      if (client.error) {
        // A retried claim: the account is there; give it the new password and make sure it may log in.
        await dynsec.runAll([
          { command: "setClientPassword", username: nodeId, password },
          { command: "enableClient", username: nodeId },
        ]);
      }
    },
    async removeNode(nodeId) {
      await dynsec.runAll(
        [
          { command: "deleteClient", username: nodeId },
          { command: "deleteRole", rolename: nodeRoleName(nodeId) },
        ],
        missing,
      );
    },
    async registerBatch(batchId, secret) {
      const rolename = claimRoleName(batchId);
      await dynsec.runAll([createRole(rolename, claimGrants(batchId)), { command: "createClient", username: claimUsername(batchId), password: secret, roles: [{ rolename }] }]);
    },
    async removeBatch(batchId) {
      await dynsec.runAll(
        [
          { command: "deleteClient", username: claimUsername(batchId) },
          { command: "deleteRole", rolename: claimRoleName(batchId) },
        ],
        missing,
      );
    },
  };
}
