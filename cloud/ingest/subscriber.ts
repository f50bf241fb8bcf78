import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { uplinkFilters } from "../../shared/topics";
import type { Logger } from "../log";
import type { Ingest } from "./ingest";

export interface SubscriberOptions {
  url: string;
  username?: string;
  password?: string;
  clientId: string;
  /** 5 for Mosquitto and clustered brokers; 4 for the embedded broker, which speaks MQTT 3.1.1 only. */
  protocolVersion: 4 | 5;
  /** MQTT 5 shared-subscription group, so several cloud instances split the stream. */
  shareGroup?: string;
}

/**
 * Feeds every node uplink message into the ingest. The PUBACK for a QoS 1 message goes out only
 * after the ingest has finished with it, so a crash between receipt and storage leaves the
 * message with the broker, which delivers it again.
 */
export async function startSubscriber(options: SubscriberOptions, ingest: Ingest, log: Logger): Promise<MqttClient> {
  const connectOptions: IClientOptions = {
    clientId: options.clientId,
    username: options.username,
    password: options.password,
    protocolVersion: options.protocolVersion,
    // A persistent session: QoS 1 messages that arrive while the cloud restarts wait at the broker.
    clean: false,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
  };
  const client = mqtt.connect(options.url, connectOptions);
  client.handleMessage = (packet, done) => {
    ingest.handle(packet.topic, packet.payload as Buffer).then(
      () => done(),
      () => done(),
    );
  };
  const prefix = options.shareGroup && options.protocolVersion === 5 ? `$share/${options.shareGroup}/` : "";
  const filters = uplinkFilters().map((filter) => prefix + filter);
  // PUBACKs and small messages go out at once rather than waiting on Nagle's algorithm.
  client.on("connect", () => (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true));
  client.on("error", (error) => log("warn", "ingest connection error", { error: error.message }));
  client.on("offline", () => log("warn", "ingest offline; reconnecting", { broker: redactUrl(options.url) }));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`could not reach the MQTT broker at ${redactUrl(options.url)} within 10 s`)), 10_000);
      client.once("connect", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await client.subscribeAsync(filters, { qos: 1 });
  } catch (error) {
    client.end(true);
    throw error;
  }
  log("info", "ingest subscribed", { broker: redactUrl(options.url), filters: filters.join(",") });
  return client;
}

/** Drops any user:password from a URL before it is shown. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.toString();
  } catch {
    return "(invalid url)";
  }
}
