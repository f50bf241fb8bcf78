import mqtt, { type MqttClient } from "mqtt";
import { CLAIM_REFUSALS, type ClaimRefusal } from "../../shared/claim";
import { claimRequestFilter } from "../../shared/topics";
import { encodeClaimResponse } from "../../shared/claim";
import type { Db } from "../db/client";
import { redactUrl } from "../ingest/subscriber";
import type { Logger } from "../log";
import { pluginAccounts, type BrokerAccounts } from "./broker-accounts";
import { decideClaim } from "./claims";
import { IdentityControl } from "./identity-control";

export interface ProvisionerOptions {
  url: string;
  username: string;
  password: string;
  clientId: string;
  /** MQTT 5 shared-subscription group, so several cloud instances each take a share of the claims. */
  shareGroup?: string;
  db: Db;
  log: Logger;
  now: () => number;
}

export interface ProvisionerStats {
  requests: number;
  granted: number;
  refused: Record<ClaimRefusal, number>;
  /** Retained copies and topics that name no serial: never answered. */
  ignored: number;
  failed: number;
}

export interface Provisioner {
  readonly accounts: BrokerAccounts;
  readonly stats: ProvisionerStats;
  close(): Promise<void>;
}

/**
 * Connects the cloud's provisioner account (the identity plugin's control topic, claim topics for claims)
 * and answers every claim request. Its session is clean: a request that arrived while the cloud
 * was down is asked again by its node within 30 s, whereas a stale copy replayed later must not
 * be mistaken for a new one.
 */
export async function startProvisioner(options: ProvisionerOptions): Promise<Provisioner> {
  const { log } = options;
  const client: MqttClient = mqtt.connect(options.url, {
    clientId: options.clientId,
    username: options.username,
    password: options.password,
    protocolVersion: 5,
    clean: true,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
  });
  const stats: ProvisionerStats = {
    requests: 0,
    granted: 0,
    failed: 0,
    ignored: 0,
    refused: Object.fromEntries(CLAIM_REFUSALS.map((reason) => [reason, 0])) as Record<ClaimRefusal, number>,
  };
  let control: IdentityControl | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the provisioner could not reach the MQTT broker at ${redactUrl(options.url)} within 10 s`)), 10_000);
      client.once("connect", () => {
        clearTimeout(timer);
        resolve();
      });
      client.once("error", (error) => {
        clearTimeout(timer);
        reject(new Error(`the broker refused the provisioner account: ${error.message}`));
      });
    });
    control = await IdentityControl.attach(client);
    const filter = options.shareGroup ? `$share/${options.shareGroup}/${claimRequestFilter()}` : claimRequestFilter();
    await client.subscribeAsync(filter, { qos: 1 });
  } catch (error) {
    client.end(true);
    throw error;
  }
  const accounts = pluginAccounts(control);
  const limit = concurrencyLimit(MAX_CLAIMS_IN_FLIGHT);
  client.on("error", (error) => log("warn", "provisioner connection error", { error: error.message }));
  client.on("message", (topic, payload, packet) => {
    if (topic.startsWith("$CONTROL/")) return;
    if (packet.retain) {
      stats.ignored++;
      return;
    }
    stats.requests++;
    const text = payload.toString("utf8");
    limit(() => decideClaim({ db: options.db, accounts, log, now: options.now }, topic, text)).then(
      (decided) => {
        if (!decided) {
          stats.ignored++;
          return;
        }
        if (decided.answer.ok) stats.granted++;
        else stats.refused[decided.answer.reason]++;
        client.publish(decided.topic, encodeClaimResponse(decided.answer), { qos: 1 });
      },
      (error: Error) => {
        stats.failed++;
        log("error", "a claim request could not be handled", { topic: topic.slice(0, 120), error: error.message });
      },
    );
  });
  log("info", "provisioner answering claims", { broker: redactUrl(options.url) });
  return {
    accounts,
    stats,
    async close() {
      control?.close();
      await endWithin(client, 2000);
    },
  };
}

/** Ends gracefully if the broker acknowledges what is in flight soon, else cuts the connection. */
async function endWithin(client: MqttClient, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), ms)));
  const outcome = await Promise.race([client.endAsync().then(() => "ended" as const), late]);
  clearTimeout(timer);
  if (outcome === "late") await client.endAsync(true);
}

/**
 * Claims decided at once. A building's worth of nodes powering up together all ask in the same
 * second; deciding them all at once interleaves every one's database and broker steps, so all
 * finish late together. A bounded number in flight, the rest in arrival order, answers the early
 * ones early at the same total throughput.
 */
const MAX_CLAIMS_IN_FLIGHT = 32;

function concurrencyLimit(max: number): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (work) => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await work();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/** A provisioner account's connection used only for account changes (the CLI). */
export async function connectBrokerAdmin(options: { url: string; username: string; password: string }): Promise<{ accounts: BrokerAccounts; close(): Promise<void> }> {
  const client = await mqtt
    .connectAsync(options.url, {
      username: options.username,
      password: options.password,
      protocolVersion: 5,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
    })
    .catch((error: Error) => {
      throw new Error(`could not log in to the broker at ${redactUrl(options.url)} as ${options.username}: ${error.message}`);
    });
  const control = await IdentityControl.attach(client).catch(async (error) => {
    await client.endAsync();
    throw error;
  });
  return {
    accounts: pluginAccounts(control),
    async close() {
      control.close();
      await endWithin(client, 2000);
    },
  };
}
