/**
 * Creates the cloud's two broker accounts on a Mosquitto running the dynamic-security plugin,
 * from the admin account `init-dynsec.sh` made:
 *
 *   sw-cloud        the ingest: every node's uplink in, commands out; nothing else
 *   sw-provisioner  claims in, answers out, and the identity plugin's control topic (it adds and
 *                   removes node and claim identities; no right over dynamic security itself)
 *
 * Run again, it resets both roles' rights and both passwords. Usage:
 *   SW_DYNSEC_ADMIN_PASSWORD=… npx tsx deploy/mosquitto/bootstrap.ts mqtt://127.0.0.1:1883 [admin-username]
 * It prints the cloud's MQTT settings.
 */
import mqtt from "mqtt";
import { pathToFileURL } from "node:url";
import { CLOUD_INGEST_USERNAME, cloudRoles, PROVISIONER_USERNAME } from "../../cloud/fleet/broker-accounts";
import { newSecret } from "../../cloud/fleet/credentials";
import { DynsecClient, type DynsecAnswer } from "../../cloud/fleet/dynsec";

export interface BrokerBootstrap {
  ingest: { username: string; password: string };
  provisioner: { username: string; password: string };
}

export async function bootstrapBroker(options: { url: string; adminUsername: string; adminPassword: string }): Promise<BrokerBootstrap> {
  const client = await mqtt.connectAsync(options.url, {
    username: options.adminUsername,
    password: options.adminPassword,
    protocolVersion: 5,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
  });
  try {
    const dynsec = await DynsecClient.attach(client);
    const missing = (answer: DynsecAnswer) => /not found/i.test(answer.error ?? "");
    const exists = (answer: DynsecAnswer) => /already exists/i.test(answer.error ?? "");
    const accounts: BrokerBootstrap = {
      ingest: { username: CLOUD_INGEST_USERNAME, password: newSecret() },
      provisioner: { username: PROVISIONER_USERNAME, password: newSecret() },
    };
    // Anything no role allows is refused: no publishing, no subscribing, and no delivery either
    // (the plugin's default lets a client receive whatever it managed to subscribe to; every
    // grant here names what its account receives, so that default is closed too).
    await dynsec.runAll(
      [
        { command: "setDefaultACLAccess", acls: [
          { acltype: "publishClientSend", allow: false },
          { acltype: "publishClientReceive", allow: false },
          { acltype: "subscribe", allow: false },
          { acltype: "unsubscribe", allow: true },
        ] },
      ],
    );
    const roles = cloudRoles();
    await dynsec.runAll(roles.map((role) => ({ command: "deleteRole", rolename: role.rolename })), missing);
    await dynsec.runAll(roles);
    for (const { username, password } of [accounts.ingest, accounts.provisioner]) {
      const [created] = await dynsec.runAll([{ command: "createClient", username, password, roles: [{ rolename: username }] }], exists);
      if (created.error) {
        await dynsec.runAll([
          { command: "setClientPassword", username, password },
          { command: "addClientRole", username, rolename: username },
          { command: "enableClient", username },
        ]);
      }
    }
    dynsec.close();
    return accounts;
  } finally {
    await client.endAsync();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [url, adminUsername = "sw-admin"] = process.argv.slice(2);
  const adminPassword = process.env.SW_DYNSEC_ADMIN_PASSWORD;
  if (!url || !adminPassword) {
    console.error("Usage: SW_DYNSEC_ADMIN_PASSWORD=… npx tsx deploy/mosquitto/bootstrap.ts mqtt://host:1883 [admin-username]");
    process.exit(64);
  }
  bootstrapBroker({ url, adminUsername, adminPassword }).then(
    (accounts) => {
      console.log(`MQTT_URL=${url}`);
      console.log(`MQTT_USERNAME=${accounts.ingest.username}`);
      console.log(`MQTT_PASSWORD=${accounts.ingest.password}`);
      console.log(`MQTT_PROVISIONER_USERNAME=${accounts.provisioner.username}`);
      console.log(`MQTT_PROVISIONER_PASSWORD=${accounts.provisioner.password}`);
    },
    (error: Error) => {
      console.error(`Bootstrap failed: ${error.message}`);
      process.exit(1);
    },
  );
}
