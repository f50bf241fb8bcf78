import { bootstrapBroker, type BrokerBootstrap } from "../../deploy/mosquitto/bootstrap";
import { memoryLogger } from "../../cloud/log";
import { startCloud, type RunningCloud } from "../../cloud/server";
import type { FleetDeps } from "../../cloud/fleet/batches";
import { tempDatabaseUrl } from "./cloud";
import { startMosquitto, type Mosquitto } from "./mosquitto";

export interface FleetSite {
  broker: Mosquitto;
  accounts: BrokerBootstrap;
  cloud: RunningCloud;
  fleet: FleetDeps;
  databaseUrl: string;
  log: ReturnType<typeof memoryLogger>;
  stop(): Promise<void>;
}

/**
 * Mosquitto with the project's config and dynamic-security setup, the cloud's accounts made by
 * the project's bootstrap, and a cloud whose ingest and provisioner log in with them.
 */
export async function startFleetSite(): Promise<FleetSite> {
  const broker = await startMosquitto({ dynsec: true });
  try {
    const accounts = await bootstrapBroker({ url: broker.url, adminUsername: broker.admin!.username, adminPassword: broker.admin!.password });
    const log = memoryLogger();
    const databaseUrl = tempDatabaseUrl();
    const cloud = await startCloud({
      databaseUrl,
      mqtt: { url: broker.url, ...accounts.ingest, protocolVersion: 5, shareGroup: "ingest" },
      provisioning: accounts.provisioner,
      instanceId: `test-${process.pid}-${broker.port}`,
      port: 0,
      host: "127.0.0.1",
      log,
    });
    return {
      broker,
      accounts,
      cloud,
      databaseUrl,
      log,
      fleet: { db: cloud.database.db, accounts: cloud.provisioner!.accounts, now: Date.now },
      async stop() {
        await cloud.close();
        await broker.stop();
      },
    };
  } catch (error) {
    await broker.stop();
    throw error;
  }
}
