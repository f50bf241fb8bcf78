import { join, resolve } from "node:path";
import { openDatabase, type Database } from "../db/client";
import type { CloudEnv } from "../env";
import type { FleetDeps } from "../fleet/batches";
import { FleetError } from "../fleet/fleet-error";
import { connectBrokerAdmin } from "../fleet/provisioner";
import type { ProgressStream } from "./progress";

/** What the CLI reads and writes, injected so tests run it in-process. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Where progress bars go (stderr on a terminal). */
  progress: ProgressStream;
  readFile(path: string): string;
  writeFile(path: string, text: string): void;
  now(): number;
}

/** The cloud's database and, when a command needs it, the provisioner's broker account. */
export class CliContext {
  readonly env: CloudEnv;
  readonly io: CliIo;
  #database: Database | undefined;
  #broker: Awaited<ReturnType<typeof connectBrokerAdmin>> | undefined;

  constructor(env: CloudEnv, io: CliIo) {
    this.env = env;
    this.io = io;
  }

  async db(): Promise<Database["db"]> {
    this.#database ??= await openDatabase(this.env.databaseUrl ?? `file:${join(resolve(this.env.dataDir), "shouwang.db")}`, this.env.databaseAuthToken);
    return this.#database.db;
  }

  /** Database and broker, for commands that change broker accounts. */
  async fleet(): Promise<FleetDeps> {
    const { mqttUrl, mqttProvisionerUsername: username, mqttProvisionerPassword: password } = this.env;
    if (!mqttUrl || !username || !password) {
      throw new FleetError(
        "this command changes broker accounts: set MQTT_URL, MQTT_PROVISIONER_USERNAME and MQTT_PROVISIONER_PASSWORD (deploy/mosquitto/bootstrap.ts prints them)",
      );
    }
    this.#broker ??= await connectBrokerAdmin({ url: mqttUrl, username, password });
    return { db: await this.db(), accounts: this.#broker.accounts, now: () => this.io.now() };
  }

  async close(): Promise<void> {
    await this.#broker?.close();
    this.#database?.close();
  }
}
